// GET /components/<id>/feed.xml: updates of the incidents that touch one component.
import type { APIRoute } from 'astro';
import { buildFeed } from '../../../lib/feed';
import { etagResponse, rssType } from '../../../lib/server/http';
import { proxiedImages } from '../../../lib/server/images';
import { getRuntime } from '../../../lib/server/runtime';
import { readComponents, readFeedIncidents } from '../../../lib/server/read-model';

export const GET: APIRoute = async ({ params }) => {
  const runtime = await getRuntime();
  const listed = readComponents(runtime.db);
  const component = listed.find((c) => c.id === params.id);
  if (!component) return new Response('No such component.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const { page } = runtime.content;
  const siteUrl = runtime.config.siteUrl;
  const xml = buildFeed({
    pageName: page.name,
    description: page.description ?? null,
    siteUrl,
    incidents: readFeedIncidents(runtime, new Date(), { componentId: component.id }),
    componentNames: new Map(listed.map((c) => [c.id, c.name])),
    component,
    imageUrl: proxiedImages(runtime, siteUrl),
  });
  return etagResponse(xml, { 'Content-Type': rssType });
};
