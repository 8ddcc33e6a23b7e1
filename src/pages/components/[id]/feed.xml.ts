// GET /components/<id>/feed.xml: updates of the incidents that touch one component.
import type { APIRoute } from 'astro';
import { buildFeed } from '../../../lib/feed';
import { etagResponse, rssType } from '../../../lib/server/http-cache';
import { proxiedImages } from '../../../lib/server/image-links';
import { getRuntime } from '../../../lib/server/runtime';
import { loadStatusPage } from '../../../lib/server/read-model';

export const GET: APIRoute = async ({ params }) => {
  const runtime = await getRuntime();
  const view = loadStatusPage(runtime);
  const component = view.components.find((c) => c.id === params.id);
  if (!component) return new Response('No such component.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const xml = buildFeed({
    pageName: view.page.name,
    description: view.page.description ?? null,
    siteUrl: view.siteUrl,
    incidents: view.incidents,
    component,
    imageUrl: proxiedImages(runtime, view.siteUrl),
  });
  return etagResponse(xml, { 'Content-Type': rssType });
};
