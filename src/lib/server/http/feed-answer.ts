// The RSS feeds' answer, the site's and each component's (src/lib/feed.ts
// writes the XML): the newest updates through the read model, component
// names as the page shows them, images through the proxy on SITE_URL.
import { buildFeed } from '../../feed';
import type { Locale } from '../../i18n/locales';
import { proxiedImages } from '../images';
import { readComponentNames, readFeedIncidents } from '../read-model';
import type { Runtime } from '../runtime';
import { etagResponse, rssType } from './http-cache';

/** The feed in a language (the page's default unless the address named another). */
export function feedAnswer(runtime: Runtime, locale: Locale, component?: { id: string; name: string }): Response {
  const { page } = runtime.content;
  const siteUrl = runtime.config.siteUrl;
  const xml = buildFeed({
    pageName: page.name,
    description: page.description ?? null,
    siteUrl,
    timeZone: page.time_zone,
    incidents: readFeedIncidents(runtime, new Date(), component ? { componentId: component.id } : {}),
    componentNames: new Map(readComponentNames(runtime).map((c) => [c.id, c.name])),
    component,
    imageUrl: proxiedImages(runtime, siteUrl),
    locale,
    defaultLocale: page.default_language,
  });
  return etagResponse(xml, { 'Content-Type': rssType });
}
