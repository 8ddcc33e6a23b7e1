// GET /feed.xml: every update of every incident and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { buildFeed } from '../lib/feed';
import { etagResponse, rssType } from '../lib/server/http-cache';
import { proxiedImages } from '../lib/server/image-links';
import { getRuntime } from '../lib/server/runtime';
import { loadStatusPage } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const runtime = await getRuntime();
  const view = loadStatusPage(runtime);
  const xml = buildFeed({
    pageName: view.page.name,
    description: view.page.description ?? null,
    siteUrl: view.siteUrl,
    incidents: view.incidents,
    imageUrl: proxiedImages(runtime, view.siteUrl),
  });
  return etagResponse(xml, { 'Content-Type': rssType });
};
