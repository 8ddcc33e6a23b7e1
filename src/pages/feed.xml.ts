// GET /feed.xml: every update of every incident and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { buildFeed } from '../lib/feed';
import { etagResponse, rssType } from '../lib/server/etag-response';
import { getRuntime } from '../lib/server/runtime';
import { loadStatusPage } from '../lib/server/status-page';

export const GET: APIRoute = async ({ request }) => {
  const view = loadStatusPage(await getRuntime());
  const xml = buildFeed({ pageName: view.page.name, description: view.page.description ?? null, siteUrl: view.siteUrl, incidents: view.incidents });
  return etagResponse(request, xml, { 'Content-Type': rssType });
};
