// GET /feed.xml: every update of every incident and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { buildFeed } from '../lib/feed';
import { feedResponse } from '../lib/server/feed-response';
import { getRuntime } from '../lib/server/runtime';
import { loadStatusPage } from '../lib/server/status-page';

export const GET: APIRoute = async ({ request }) => {
  const view = loadStatusPage(await getRuntime());
  return feedResponse(request, buildFeed({ pageName: view.page.name, description: view.page.description ?? null, siteUrl: view.siteUrl, incidents: view.incidents }));
};
