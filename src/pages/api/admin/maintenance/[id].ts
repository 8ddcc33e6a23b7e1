// GET /api/admin/maintenance/:id: one maintenance window.
// PATCH {title?, scheduled_for?, scheduled_until?} changes it; {status, message, notify?}
// posts an update (in_progress, verifying, completed). Both at once happen together or not at all.
import { actingRuntime } from '../../../../lib/server/accounts';
import {
  findIn,
  handle,
  hasAny,
  HttpError,
  incidentJson,
  jsonResponse,
  onlyKeys,
  optionalBoolean,
  otherMethods,
  readJsonObject,
} from '../../../../lib/server/http';
import { editIncident, postUpdate } from '../../../../lib/server/publishing';

const editKeys = ['title', 'scheduled_for', 'scheduled_until'];
const updateKeys = ['status', 'message', 'notify'];

export const GET = handle(async ({ locals, params }) => {
  const runtime = await actingRuntime(locals);
  const maintenance = findIn(runtime, params.id, 'maintenance');
  return jsonResponse(200, incidentJson(maintenance, runtime.config.siteUrl));
});

export const PATCH = handle(async ({ locals, params, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, [...editKeys, ...updateKeys]);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const { id } = findIn(runtime, params.id, 'maintenance', now);
  const edit = hasAny(body, editKeys);
  const update = hasAny(body, updateKeys);
  if (!edit && !update) throw new HttpError(422, `nothing to change: send ${editKeys.join(', ')}, or status and message`);
  const notify = optionalBoolean(body, 'notify');
  runtime.db.transaction(() => {
    if (edit) {
      editIncident(runtime, id, { title: body.title, scheduledFor: body.scheduled_for, scheduledUntil: body.scheduled_until }, now);
    }
    if (update) postUpdate(runtime, id, { status: body.status, message: body.message, notify }, now);
  });
  const maintenance = findIn(runtime, id, 'maintenance', now);
  return jsonResponse(200, incidentJson(maintenance, runtime.config.siteUrl));
});

export const ALL = otherMethods({ GET, PATCH });
