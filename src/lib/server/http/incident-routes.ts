// The HTTP API's incident and maintenance endpoints, written once. The two
// kinds have the same shape (a list that POST adds to; one that GET reads and
// PATCH edits, updates, or both in one write) and differ only in the keys
// they take and the lists they show.
import type { APIContext } from 'astro';
import type { Incident } from '../../model';
import { activeIncidents, activeMaintenance, upcomingMaintenance } from '../../timeline';
import { actingRuntime, type ActingRuntime } from '../accounts';
import { changeIncident, createIncident, scheduleMaintenance, translateIncident, type IncidentEdit, type NewUpdate } from '../publishing';
import { readCurrentTimeline, readNewestStarted } from '../read-model';
import {
  apiPath,
  componentChanges,
  componentIds,
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
} from './api-json';

type Body = Record<string, unknown>;

interface Kind {
  kind: Incident['kind'];
  /** The list's key in the answer. */
  listKey: 'incidents' | 'maintenance';
  /** What the list shows now (?all=1 shows the newest instead). */
  current: (timeline: Incident[]) => Incident[];
  /** POST: the keys it takes, and the new one's id. */
  createKeys: string[];
  create: (runtime: ActingRuntime, body: Body, now: Date) => string;
  /** PATCH: the keys that edit it, and those that post an update. */
  editKeys: string[];
  edit: (body: Body) => IncidentEdit;
  updateKeys: string[];
}

/** How many `?all=1` lists, newest first. */
const listLimit = 100;

/** An update as the API sends it; `next_update` is a time with its zone, a wait ("30m", "2h") or minutes. */
export const updateFrom = (body: Body): NewUpdate => ({
  status: body.status,
  message: body.message,
  components: componentChanges(body),
  notify: optionalBoolean(body, 'notify'),
  nextUpdate: body.next_update,
  translations: body.translations,
});

function listEndpoints(k: Kind) {
  const GET = handle(async ({ locals, url }: APIContext) => {
    const runtime = await actingRuntime(locals);
    const listed = url.searchParams.get('all') === '1' ? readNewestStarted(runtime, k.kind, listLimit) : k.current(readCurrentTimeline(runtime));
    return jsonResponse(200, { [k.listKey]: listed.map((i) => incidentJson(i, runtime.config.siteUrl)) });
  });
  const POST = handle(async ({ locals, request }: APIContext) => {
    const body = await readJsonObject(request);
    onlyKeys(body, k.createKeys);
    const runtime = await actingRuntime(locals);
    const now = new Date();
    const id = k.create(runtime, body, now);
    return jsonResponse(201, incidentJson(findIn(runtime, id, k.kind, now), runtime.config.siteUrl), { Location: apiPath[k.kind](id) });
  });
  return { GET, POST, ALL: otherMethods({ GET, POST }) };
}

function oneEndpoints(k: Kind) {
  const GET = handle(async ({ locals, params }: APIContext) => {
    const runtime = await actingRuntime(locals);
    return jsonResponse(200, incidentJson(findIn(runtime, params.id, k.kind), runtime.config.siteUrl));
  });
  const PATCH = handle(async ({ locals, params, request }: APIContext) => {
    const body = await readJsonObject(request);
    onlyKeys(body, [...k.editKeys, ...k.updateKeys]);
    const runtime = await actingRuntime(locals);
    const now = new Date();
    const { id } = findIn(runtime, params.id, k.kind, now);
    const edits = hasAny(body, k.editKeys);
    const updates = hasAny(body, k.updateKeys);
    if (!edits && !updates) throw new HttpError(422, `nothing to change: send ${k.editKeys.join(', ')}, or status and message`);
    changeIncident(runtime, id, { edit: edits ? k.edit(body) : undefined, update: updates ? updateFrom(body) : undefined }, now);
    return jsonResponse(200, incidentJson(findIn(runtime, id, k.kind, now), runtime.config.siteUrl));
  });
  return { GET, PATCH, ALL: otherMethods({ GET, PATCH }) };
}

const incidentKind: Kind = {
  kind: 'incident',
  listKey: 'incidents',
  current: activeIncidents,
  createKeys: ['template', 'title', 'impact', 'status', 'message', 'components', 'notify', 'next_update', 'translations'],
  create: (runtime, body, now) => createIncident(runtime, { template: body.template, title: body.title, impact: body.impact, ...updateFrom(body) }, now),
  editKeys: ['title', 'impact'],
  edit: (body) => ({ title: body.title, impact: body.impact }),
  updateKeys: ['status', 'message', 'components', 'notify', 'next_update', 'translations'],
};

const maintenanceKind: Kind = {
  kind: 'maintenance',
  listKey: 'maintenance',
  current: (timeline) => [...activeMaintenance(timeline), ...upcomingMaintenance(timeline)],
  createKeys: ['template', 'title', 'scheduled_for', 'scheduled_until', 'message', 'components', 'notify', 'recurrence', 'translations'],
  create: (runtime, body, now) =>
    scheduleMaintenance(
      runtime,
      { template: body.template, title: body.title, scheduledFor: body.scheduled_for, scheduledUntil: body.scheduled_until, message: body.message, components: componentIds(body), notify: optionalBoolean(body, 'notify'), recurrence: body.recurrence, translations: body.translations },
      now,
    ),
  editKeys: ['title', 'scheduled_for', 'scheduled_until'],
  edit: (body) => ({ title: body.title, scheduledFor: body.scheduled_for, scheduledUntil: body.scheduled_until }),
  updateKeys: ['status', 'message', 'notify', 'next_update', 'translations'],
};

/**
 * PUT …/<id>/translations/<language> {title?, updates?: [{id, message}]}: one
 * language's words for it, afterwards; a blank title or message removes that
 * translation. An update's id is the API's (`<incident>#<n>`) or its number.
 */
function translationEndpoints(k: Kind) {
  const PUT = handle(async ({ locals, params, request }: APIContext) => {
    const body = await readJsonObject(request);
    onlyKeys(body, ['title', 'updates']);
    const runtime = await actingRuntime(locals);
    const now = new Date();
    const { id } = findIn(runtime, params.id, k.kind, now);
    const updates = body.updates === undefined ? [] : body.updates;
    if (!Array.isArray(updates)) throw new HttpError(422, 'updates must be a list of {id, message}', 'updates');
    translateIncident(
      runtime,
      id,
      params.locale,
      {
        title: body.title,
        updates: updates.map((u: { id?: unknown; message?: unknown } | null) => ({ id: typeof u?.id === 'string' ? u.id.slice(u.id.lastIndexOf('#') + 1) : u?.id, message: u?.message ?? '' })),
      },
      now,
    );
    return jsonResponse(200, incidentJson(findIn(runtime, id, k.kind, now), runtime.config.siteUrl));
  });
  return { PUT, ALL: otherMethods({ PUT }) };
}

/** /api/admin/incidents, /api/admin/incidents/<id> and its translations. */
export const incidentEndpoints = { list: listEndpoints(incidentKind), one: oneEndpoints(incidentKind), translation: translationEndpoints(incidentKind) };
/** /api/admin/maintenance, /api/admin/maintenance/<id> and its translations. */
export const maintenanceEndpoints = { list: listEndpoints(maintenanceKind), one: oneEndpoints(maintenanceKind), translation: translationEndpoints(maintenanceKind) };
