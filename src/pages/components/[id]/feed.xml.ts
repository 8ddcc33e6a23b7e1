// GET /components/<id>/feed.xml: updates of the incidents that touch one component.
import type { APIRoute } from 'astro';
import { feedAnswer } from '../../../lib/server/http';
import { readComponentNames } from '../../../lib/server/read-model';
import { getRuntime } from '../../../lib/server/runtime';
import { reader } from '../../../lib/i18n/reader';

export const GET: APIRoute = async ({ params, locals }) => {
  const runtime = await getRuntime();
  const component = readComponentNames(runtime).find((c) => c.id === params.id);
  if (!component) return new Response('No such component.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return feedAnswer(runtime, reader(locals).locale, component);
};
