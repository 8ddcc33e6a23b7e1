// GET /feed.xml: the newest updates of all incidents and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { buildFeed } from '../lib/feed';
import { etagResponse, rssType } from '../lib/server/http';
import { proxiedImages } from '../lib/server/images';
import { getRuntime } from '../lib/server/runtime';
import { readComponentNames, readFeedIncidents } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const runtime = await getRuntime();
  const { page } = runtime.content;
  const siteUrl = runtime.config.siteUrl;
  const xml = buildFeed({
    pageName: page.name,
    description: page.description ?? null,
    siteUrl,
    incidents: readFeedIncidents(runtime),
    componentNames: new Map(readComponentNames(runtime).map((c) => [c.id, c.name])),
    imageUrl: proxiedImages(runtime, siteUrl),
  });
  return etagResponse(xml, { 'Content-Type': rssType });
};
