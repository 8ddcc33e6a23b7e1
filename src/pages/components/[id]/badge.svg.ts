// GET /components/<id>/badge.svg: one component's status as a badge.
import type { APIRoute } from 'astro';
import { componentStatusLabels } from '../../../db/constants';
import { badgeSvg } from '../../../lib/badge';
import { componentTone } from '../../../lib/status';
import { etagResponse, badgeHeaders } from '../../../lib/server/http';
import { getRuntime } from '../../../lib/server/runtime';
import { readCurrentStatus } from '../../../lib/server/read-model';

export const GET: APIRoute = async ({ params }) => {
  // Its status now: from the open incidents and running maintenance alone.
  const component = readCurrentStatus(await getRuntime()).components.find((c) => c.id === params.id);
  if (!component) return new Response('No such component.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const label = componentStatusLabels[component.status];
  const svg = badgeSvg(component.name, label.toLowerCase(), componentTone(component.status), `${component.name}: ${label}`);
  return etagResponse(svg, badgeHeaders);
};
