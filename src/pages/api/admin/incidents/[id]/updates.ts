// GET /api/admin/incidents/:id/updates: the incident's updates, newest first, each live one with its proof of delivery.
// POST {status, message, components?, notify?, next_update?, translations?}: appends one → 201 with the update; Location is this list.
import { actingRuntime } from '../../../../../lib/server/accounts';
import {
  apiPath,
  findIn,
  handle,
  jsonResponse,
  onlyKeys,
  otherMethods,
  deliveryJson,
  readJsonObject,
  updateFrom,
  updateJson,
} from '../../../../../lib/server/http';
import { postUpdate } from '../../../../../lib/server/publishing';

export const GET = handle(async ({ locals, params }) => {
  const runtime = await actingRuntime(locals);
  const incident = findIn(runtime, params.id, 'incident');
  return jsonResponse(200, { updates: incident.updates.map((u) => ({ ...updateJson(u), delivery: deliveryJson(runtime.db, u) })) });
});

export const POST = handle(async ({ locals, params, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, ['status', 'message', 'components', 'notify', 'next_update', 'translations']);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const { id } = findIn(runtime, params.id, 'incident', now);
  const row = postUpdate(runtime, id, updateFrom(body), now);
  const update = findIn(runtime, id, 'incident', now).updates.find((u) => u.id === `${id}#${row}`)!;
  return jsonResponse(201, updateJson(update), { Location: apiPath.updates(id) });
});

export const ALL = otherMethods({ GET, POST });
