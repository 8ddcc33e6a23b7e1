// GET /api/admin/components/:id: one component with the status it shows now.
// PATCH {status} sets its own live status; {name?, description?, group_id?, position?}
// edits it (fields left out keep their value). Both at once happen together or not at all.
import { actingRuntime, type ActingRuntime } from '../../../../lib/server/accounts';
import {
  componentJson,
  handle,
  hasAny,
  HttpError,
  jsonResponse,
  onlyKeys,
  otherMethods,
  readJsonObject,
} from '../../../../lib/server/http';
import { changeComponent } from '../../../../lib/server/publishing';
import { readComponents, readCurrentTimeline } from '../../../../lib/server/read-model';
import { currentComponentStatuses } from '../../../../lib/status';

const editKeys = ['name', 'description', 'group_id', 'position'];

/** The listed component with this id as stored (its own status), or a 404. */
function stored(runtime: ActingRuntime, id: string | undefined) {
  const component = readComponents(runtime.db).find((c) => c.id === id);
  if (!component) throw new HttpError(404, `no component "${id ?? ''}"`, 'component');
  return component;
}

function current(runtime: ActingRuntime, id: string, now: Date) {
  const [component] = currentComponentStatuses([stored(runtime, id)], readCurrentTimeline(runtime, now));
  return componentJson(component);
}

export const GET = handle(async ({ locals, params }) => {
  const runtime = await actingRuntime(locals);
  return jsonResponse(200, current(runtime, stored(runtime, params.id).id, new Date()));
});

export const PATCH = handle(async ({ locals, params, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, ['status', ...editKeys]);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const before = stored(runtime, params.id);
  const edit = hasAny(body, editKeys);
  if (!edit && body.status === undefined) throw new HttpError(422, `nothing to change: send status, or ${editKeys.join(', ')}`);
  // Only the fields sent: those left out keep their value.
  const sent = Object.fromEntries(editKeys.filter((key) => key in body).map((key) => [key === 'group_id' ? 'groupId' : key, body[key]]));
  changeComponent(runtime, before.id, { edit: edit ? sent : undefined, status: body.status }, now);
  return jsonResponse(200, current(runtime, before.id, now));
});

export const ALL = otherMethods({ GET, PATCH });
