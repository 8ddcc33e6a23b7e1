// GET /api/admin/maintenance: running and upcoming maintenance (?all=1: every one, newest first, at most 100).
// POST {title, scheduled_for, scheduled_until, message, components?, notify?}: schedules one → 201.
import { actingRuntime } from '../../../../lib/server/accounts';
import {
  apiPath,
  componentIds,
  findIn,
  handle,
  incidentJson,
  jsonResponse,
  onlyKeys,
  optionalBoolean,
  otherMethods,
  readJsonObject,
} from '../../../../lib/server/http';
import { readCurrentTimeline, readNewestStarted } from '../../../../lib/server/read-model';
import { scheduleMaintenance } from '../../../../lib/server/publishing';
import { activeMaintenance, upcomingMaintenance } from '../../../../lib/timeline';

const listLimit = 100;

export const GET = handle(async ({ locals, url }) => {
  const runtime = await actingRuntime(locals);
  const timeline = url.searchParams.get('all') === '1' ? null : readCurrentTimeline(runtime);
  const maintenance = timeline
    ? [...activeMaintenance(timeline), ...upcomingMaintenance(timeline)]
    : readNewestStarted(runtime, 'maintenance', listLimit);
  return jsonResponse(200, { maintenance: maintenance.map((m) => incidentJson(m, runtime.config.siteUrl)) });
});

export const POST = handle(async ({ locals, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, ['title', 'scheduled_for', 'scheduled_until', 'message', 'components', 'notify']);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const id = scheduleMaintenance(
    runtime,
    {
      title: body.title,
      scheduledFor: body.scheduled_for,
      scheduledUntil: body.scheduled_until,
      message: body.message,
      components: componentIds(body),
      notify: optionalBoolean(body, 'notify'),
    },
    now,
  );
  const maintenance = findIn(runtime, id, 'maintenance', now);
  return jsonResponse(201, incidentJson(maintenance, runtime.config.siteUrl), { Location: apiPath.maintenance(id) });
});

export const ALL = otherMethods({ GET, POST });
