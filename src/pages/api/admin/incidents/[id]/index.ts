// GET /api/admin/incidents/:id: one incident (maintenance has its own path).
// PATCH: {title?, impact?} edits a live incident; {status, message, components?, notify?}
// posts an update (status "resolved" resolves). Both at once happen together or not at all.
import { actingRuntime } from '../../../../../lib/server/accounts';
import {
  componentChanges,
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
} from '../../../../../lib/server/http';
import { editIncident, postUpdate } from '../../../../../lib/server/publishing';

const editKeys = ['title', 'impact'];
const updateKeys = ['status', 'message', 'components', 'notify'];

export const GET = handle(async ({ locals, params }) => {
  const runtime = await actingRuntime(locals);
  const incident = findIn(runtime, params.id, 'incident');
  return jsonResponse(200, incidentJson(incident, runtime.config.siteUrl));
});

export const PATCH = handle(async ({ locals, params, request }) => {
  const body = await readJsonObject(request);
  onlyKeys(body, [...editKeys, ...updateKeys]);
  const runtime = await actingRuntime(locals);
  const now = new Date();
  const { id } = findIn(runtime, params.id, 'incident', now);
  const edit = hasAny(body, editKeys);
  const update = hasAny(body, updateKeys);
  if (!edit && !update) throw new HttpError(422, `nothing to change: send ${editKeys.join(' or ')}, or status and message`);
  const components = componentChanges(body);
  const notify = optionalBoolean(body, 'notify');
  runtime.db.transaction(() => {
    if (edit) editIncident(runtime, id, { title: body.title, impact: body.impact }, now);
    if (update) postUpdate(runtime, id, { status: body.status, message: body.message, components, notify }, now);
  });
  const incident = findIn(runtime, id, 'incident', now);
  return jsonResponse(200, incidentJson(incident, runtime.config.siteUrl));
});

export const ALL = otherMethods({ GET, PATCH });
