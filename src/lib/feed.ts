// RSS 2.0 feeds of the timeline. An item is one update (not one incident), so
// a feed reader shows each new update exactly once: its guid is the update's
// stable id, which a correction does not change. Times come from the updates,
// never from "now", so an unchanged timeline gives a byte-identical feed.
// Each of the page's languages has its own feed (/de/feed.xml), in its words.
import RSS from 'rss';
import { isClosedStatus } from '../db/constants';
import { escapeHtml } from './escape';
import { localizedPath } from './i18n/paths';
import { locales, type Locale } from './i18n/locales';
import { bodyIn, titleIn } from './i18n/staff-words';
import { translator } from './i18n/translate';
import { renderMarkdown, type ImageUrl } from './markdown';
import type { Incident } from './model';
import { formatWithUtc } from './time';

export const feedItemLimit = 50;

export interface FeedSource {
  pageName: string;
  description: string | null;
  siteUrl: string;
  /** The page's zone, for the promised next update (shown with UTC beside it). */
  timeZone: string;
  incidents: Incident[];
  /** Names the page shows, by id; a component not listed shows its id, as on the page. */
  componentNames: ReadonlyMap<string, string>;
  /** A per-component feed: only incidents that touch it. */
  component?: { id: string; name: string };
  /**
   * Absolute proxy URLs for images on other hosts (SITE_URL/img/…): a feed
   * reader then asks this site, never the third party. Without it they are links.
   */
  imageUrl?: ImageUrl;
  /** The feed's language, and the page's own (what is not translated is in it). */
  locale: Locale;
  defaultLocale: Locale;
}

/**
 * Titles (and the channel's description) are plain text, but the rss package
 * wraps them in CDATA, where a title like `<script>…` stays literal markup for
 * the many readers that render titles as HTML. The RSS Best Practices Profile
 * asks for `&`, `<` and `>` in plain text as hexadecimal references instead:
 * XML parsers read the same text, and no reader sees a tag.
 */
function asPlainText(xml: string, element: string): string {
  const cdata = new RegExp(`<${element}>((?:<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)+)</${element}>`, 'g');
  return xml.replace(cdata, (_, sections: string) => {
    const text = [...sections.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]).join('');
    return `<${element}>${text.replace(/&/g, '&#x26;').replace(/</g, '&#x3C;').replace(/>/g, '&#x3E;')}</${element}>`;
  });
}

export function buildFeed(source: FeedSource): string {
  const { siteUrl, component, locale, defaultLocale } = source;
  const t = translator(locale);
  const at = (path: string) => `${siteUrl}${localizedPath(locale, path, defaultLocale)}`;
  const incidents = component
    ? source.incidents.filter((i) => i.components.some((c) => c.id === component.id))
    : source.incidents;
  const items = incidents
    .flatMap((incident) => incident.updates.map((update) => ({ incident, update })))
    .sort((a, b) => b.update.at.getTime() - a.update.at.getTime() || b.update.id.localeCompare(a.update.id))
    .slice(0, feedItemLimit);
  const selfUrl = component ? at(`/components/${component.id}/feed.xml`) : at('/feed.xml');
  const site = t('page.title', { name: source.pageName });
  const title = component ? t('page.title_of', { title: component.name, site }) : site;
  const newest = items[0]?.update.at ?? new Date(0);
  const feed = new RSS({
    title,
    description: source.description ?? t('feed.description', { name: source.pageName }),
    site_url: component ? at(`/components/${component.id}`) : locale === defaultLocale ? siteUrl : at('/'),
    feed_url: selfUrl,
    language: locale,
    ttl: 5,
    pubDate: newest,
    generator: 'Herald',
  });
  for (const { incident, update } of items) {
    const anchor = update.id.split('#')[1];
    const kind = t(incident.kind === 'maintenance' ? 'mail.maintenance' : 'mail.incident');
    const affected = incident.components
      .map((c) => t('feed.component', { name: source.componentNames.get(c.id) ?? c.id, status: t(`mail.status.${c.status}`) }))
      .join(t('day.separator'));
    // What the update promised, while the incident is open: once it is over, a promise is noise.
    const promise = update.nextUpdateBy && !isClosedStatus(incident.status) ? ` · ${t('feed.next_update_by', { time: formatWithUtc(update.nextUpdateBy, source.timeZone, locale) })}` : '';
    const body = bodyIn(update, locale, defaultLocale);
    const rendered = renderMarkdown(body.text, { imageUrl: source.imageUrl });
    feed.item({
      title: `${titleIn(incident, locale, defaultLocale).text} — ${t(`update.${update.status}`)}`,
      description:
        (body.lang ? `<p><em>${escapeHtml(t('page.not_translated', { language: locales[body.lang].name }))}</em></p><div lang="${body.lang}">${rendered}</div>` : rendered) +
        `<p>${escapeHtml(kind)}${affected ? ` · ${escapeHtml(t('feed.affects', { list: affected }))}` : ''}${update.editedAt ? ` · ${escapeHtml(t('feed.corrected'))}` : ''}${escapeHtml(promise)}</p>`,
      url: `${at(`/incidents/${incident.id}`)}#update-${anchor}`,
      guid: `${at(`/incidents/${incident.id}`)}#${anchor}`,
      date: update.at,
      categories: [kind],
    });
  }
  // The rss package stamps lastBuildDate with the current time; the newest update's is the honest one.
  const xml = feed.xml({ indent: true }).replace(/<lastBuildDate>[^<]*<\/lastBuildDate>/, `<lastBuildDate>${newest.toUTCString()}</lastBuildDate>`);
  // Item descriptions are HTML (sanitized above) and keep their CDATA; the channel's is text.
  const split = xml.includes('<item>') ? xml.indexOf('<item>') : xml.length;
  return asPlainText(asPlainText(xml.slice(0, split), 'description'), 'title') + asPlainText(xml.slice(split), 'title');
}
