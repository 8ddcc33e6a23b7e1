// RSS 2.0 feeds of the timeline. An item is one update (not one incident), so
// a feed reader shows each new update exactly once: its guid is the update's
// stable id, which a correction does not change. Times come from the updates,
// never from "now", so an unchanged timeline gives a byte-identical feed.
import RSS from 'rss';
import { componentStatusLabels, isClosedStatus, updateStatusLabels } from '../db/constants';
import { escapeHtml } from './escape';
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
  const { siteUrl, component } = source;
  const incidents = component
    ? source.incidents.filter((i) => i.components.some((c) => c.id === component.id))
    : source.incidents;
  const items = incidents
    .flatMap((incident) => incident.updates.map((update) => ({ incident, update })))
    .sort((a, b) => b.update.at.getTime() - a.update.at.getTime() || b.update.id.localeCompare(a.update.id))
    .slice(0, feedItemLimit);
  const selfUrl = component ? `${siteUrl}/components/${component.id}/feed.xml` : `${siteUrl}/feed.xml`;
  const title = component ? `${component.name} · ${source.pageName} status` : `${source.pageName} status`;
  const newest = items[0]?.update.at ?? new Date(0);
  const feed = new RSS({
    title,
    description: source.description ?? `Incidents and maintenance of ${source.pageName}`,
    site_url: component ? `${siteUrl}/components/${component.id}` : siteUrl,
    feed_url: selfUrl,
    language: 'en',
    ttl: 5,
    pubDate: newest,
    generator: 'Herald',
  });
  for (const { incident, update } of items) {
    const anchor = update.id.split('#')[1];
    const kind = incident.kind === 'maintenance' ? 'Maintenance' : 'Incident';
    const affected = incident.components
      .map((c) => `${source.componentNames.get(c.id) ?? c.id} (${componentStatusLabels[c.status].toLowerCase()})`)
      .join(', ');
    // What the update promised, while the incident is open: once it is over, a promise is noise.
    const promise = update.nextUpdateBy && !isClosedStatus(incident.status) ? ` · next update by ${formatWithUtc(update.nextUpdateBy, source.timeZone)}` : '';
    feed.item({
      title: `${incident.title} — ${updateStatusLabels[update.status]}`,
      description:
        renderMarkdown(update.body, { imageUrl: source.imageUrl }) +
        `<p>${escapeHtml(kind)}${affected ? ` · affects ${escapeHtml(affected)}` : ''}${update.editedAt ? ' · corrected' : ''}${escapeHtml(promise)}</p>`,
      url: `${siteUrl}/incidents/${incident.id}#update-${anchor}`,
      guid: `${siteUrl}/incidents/${incident.id}#${anchor}`,
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
