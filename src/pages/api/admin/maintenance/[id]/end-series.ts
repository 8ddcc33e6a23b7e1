// POST /api/admin/maintenance/:id/end-series {message}: the series this window
// belongs to ends with it; later windows already made are called off with the
// message → 200 with this window and `called_off`, the ids of those windows.
import { actingRuntime } from '../../../../../lib/server/accounts';
import { findIn, handle, incidentJson, jsonResponse, onlyKeys, otherMethods, readJsonObject } from '../../../../../lib/server/http';
import { endSeries } from '../../../../../lib/server/publishing';

export const POST = handle(async ({ locals, params, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, ['message']);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const { id } = findIn(runtime, params.id, 'maintenance', now);
  const calledOff = endSeries(runtime, id, body.message, now);
  return jsonResponse(200, { ...incidentJson(findIn(runtime, id, 'maintenance', now), runtime.config.siteUrl), called_off: calledOff });
});

export const ALL = otherMethods({ POST });
