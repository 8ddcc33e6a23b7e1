// GET /api/admin/incidents: open incidents (?all=1: every incident, newest first, at most 100).
// POST: opens one → 201 with the incident and its Location.
import { actingRuntime } from '../../../../lib/server/accounts';
import {
  apiPath,
  componentChanges,
  handle,
  incidentJson,
  jsonResponse,
  onlyKeys,
  optionalBoolean,
  otherMethods,
  readJsonObject,
  findIn,
} from '../../../../lib/server/http';
import { readCurrentTimeline, readNewestStarted } from '../../../../lib/server/read-model';
import { createIncident } from '../../../../lib/server/publishing';
import { activeIncidents } from '../../../../lib/timeline';

const listLimit = 100;

export const GET = handle(async ({ locals, url }) => {
  const runtime = await actingRuntime(locals);
  const all = url.searchParams.get('all') === '1';
  const incidents = all ? readNewestStarted(runtime, 'incident', listLimit) : activeIncidents(readCurrentTimeline(runtime));
  return jsonResponse(200, { incidents: incidents.map((i) => incidentJson(i, runtime.config.siteUrl)) });
});

export const POST = handle(async ({ locals, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, ['title', 'impact', 'status', 'message', 'components', 'notify']);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const id = createIncident(
    runtime,
    {
      title: body.title,
      impact: body.impact,
      status: body.status,
      message: body.message,
      components: componentChanges(body),
      notify: optionalBoolean(body, 'notify'),
    },
    now,
  );
  const incident = findIn(runtime, id, 'incident', now);
  return jsonResponse(201, incidentJson(incident, runtime.config.siteUrl), { Location: apiPath.incident(id) });
});

export const ALL = otherMethods({ GET, POST });
