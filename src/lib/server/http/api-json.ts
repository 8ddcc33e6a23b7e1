// The JSON side of /api/admin: reading a request body safely, answering in
// JSON, turning an ActionError into its HTTP status, and the snake_case shapes
// of incidents, updates and components. Endpoints under src/pages/api/admin
// route and translate; the actions (staff-actions.ts) validate.
import type { APIContext, APIRoute } from 'astro';
import type { ComponentStatus } from '../../../db/constants';
import type { Component, Incident, IncidentUpdate } from '../../model';
import { readIncident } from '../read-model';
import { deliveryReport } from '../subscribers';
import type { HeraldDb } from '../db';
import type { Runtime } from '../runtime';
import type { ComponentChange } from '../publishing';
import { ActionError } from '../validate';

/** The largest request body the API reads. */
export const maxBodyBytes = 64 * 1024;

/** An answer the endpoint decides itself (bad body, unknown path), as opposed to an action's ActionError. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function jsonResponse(status: number, data: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

function errorResponse(status: number, message: string, field?: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: field === undefined ? { message } : { message, field } }, headers);
}

/** "scheduledFor" → "scheduled_for": the actions name fields in camelCase, the API in snake_case. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Fields naming the resource in the URL: not finding it is a 404; any other missing reference is a bad body (422). */
const pathFields = new Set(['incident', 'component', 'update']);

/** The error as an HTTP answer; anything that is not an ActionError or HttpError is a bug and is rethrown (500). */
export function apiError(error: unknown): Response {
  if (error instanceof HttpError) return errorResponse(error.status, error.message, error.field, error.headers);
  if (error instanceof ActionError) {
    const field = snake(error.field);
    const message = field === error.field ? error.message : error.message.replaceAll(error.field, field);
    const status =
      error.reason === 'conflict' ? 409 : error.reason === 'not_found' && pathFields.has(error.field) ? 404 : 422;
    return errorResponse(status, message, field);
  }
  throw error;
}

/** An endpoint handler whose ActionError and HttpError become JSON answers. */
export function handle(handler: (context: APIContext) => Response | Promise<Response>): APIRoute {
  return async (context) => {
    try {
      return await handler(context);
    } catch (error) {
      return apiError(error);
    }
  };
}

/**
 * The `ALL` export of an endpoint: HEAD is answered by GET (without a body),
 * any other method the file does not export gets 405 with Allow, in JSON.
 * Astro itself would answer an unexported method with an empty 404.
 */
export function otherMethods(handlers: Partial<Record<'GET' | 'POST' | 'PATCH' | 'PUT', APIRoute>>): APIRoute {
  const allow = Object.keys(handlers).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  return async (context) => {
    if (context.request.method === 'HEAD' && handlers.GET) {
      const response = await handlers.GET(context);
      return new Response(null, { status: response.status, headers: response.headers });
    }
    return errorResponse(405, `${context.request.method} is not allowed here; use ${allow}`, undefined, { Allow: allow });
  };
}

/**
 * The request body as a JSON object: 415 unless it is sent as application/json,
 * 413 past maxBodyBytes (by Content-Length and by the bytes actually read),
 * 400 for anything that is not valid UTF-8 JSON holding an object.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, `send the body as JSON with Content-Type: application/json${type ? `, not ${type}` : ''}`);
  }
  const tooLarge = () =>
    new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`, undefined, { Connection: 'close' });
  const declared = request.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= maxBodyBytes)) throw tooLarge();
  if (!request.body) throw new HttpError(400, 'send a JSON object in the body');

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client stopped sending before its Content-Length: answer, don't log a stack trace.
      throw new HttpError(400, 'the body ended before the length the request announced; send the whole body', undefined, { Connection: 'close' });
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    // Stop reading; Connection: close lets the server drop the rest of the upload.
    if (size > maxBodyBytes) throw tooLarge();
    chunks.push(value);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'the body is not valid UTF-8');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpError(400, `the body must be a JSON object, not ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`);
  }
  return data as Record<string, unknown>;
}

/** Refuses keys the endpoint does not know, so a typo or a camelCase name is not silently ignored. */
export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      const hint = snake(key) !== key && allowed.includes(snake(key)) ? `; did you mean ${snake(key)}?` : '';
      throw new HttpError(422, `unknown field ${key}${hint} (this endpoint takes ${allowed.join(', ')})`, key);
    }
  }
}

/** Whether the body sets any of these keys. */
export const hasAny = (body: Record<string, unknown>, keys: readonly string[]) => keys.some((k) => body[k] !== undefined);

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new HttpError(422, `${field} must be true or false`, field);
  return value;
}

/** `[{id, status}, …]` as the actions take it; the actions check the ids and statuses. */
export function componentChanges(body: Record<string, unknown>, field = 'components'): ComponentChange[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  const shape = `${field} must be a list of {"id": "<component>", "status": "<status>"}`;
  if (!Array.isArray(value)) throw new HttpError(422, shape, field);
  return value.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof item.id !== 'string') {
      throw new HttpError(422, shape, field);
    }
    return { id: item.id, status: item.status as ComponentStatus };
  });
}

/** `["<component>", …]`. */
export function componentIds(body: Record<string, unknown>, field = 'components'): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new HttpError(422, `${field} must be a list of component ids`, field);
  }
  return value;
}

/** The incident or maintenance with this id, or a 404 (also when it is of the other kind), by index (read-model readIncident). */
export function findIn(runtime: Runtime, id: string | undefined, kind: Incident['kind'], now = new Date()): Incident {
  const found = id === undefined ? null : readIncident(runtime, id, now)?.incident;
  if (!found || found.kind !== kind) throw new HttpError(404, `no ${kind} "${id ?? ''}"`, kind);
  return found;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const apiPath = {
  incident: (id: string) => `/api/admin/incidents/${encodeURIComponent(id)}`,
  maintenance: (id: string) => `/api/admin/maintenance/${encodeURIComponent(id)}`,
  /** An incident's updates, newest first: where a posted update is found. */
  updates: (id: string) => `/api/admin/incidents/${encodeURIComponent(id)}/updates`,
};

export function updateJson(update: IncidentUpdate) {
  return {
    id: update.id,
    status: update.status,
    body: update.body,
    /** The text in the page's other languages, where staff wrote it. */
    translations: update.translations ?? {},
    created_at: iso(update.at),
    edited_at: iso(update.editedAt),
    source: update.source,
    /** The next update this one promised. */
    next_update_at: iso(update.nextUpdateBy),
  };
}

/**
 * What a live update's notification did, per channel: `null` when none was
 * queued (not notified, or nobody subscribed) and for markdown updates.
 */
export function deliveryJson(db: HeraldDb, update: IncidentUpdate) {
  if (update.source !== 'live') return null;
  const report = deliveryReport(db, `update:${update.id.slice(update.id.lastIndexOf('#') + 1)}`);
  if (!report) return null;
  return {
    queued_at: iso(report.queuedAt),
    finished: report.finished,
    expanded: report.expanded,
    dropped_at: iso(report.droppedAt),
    channels: report.channels.map((c) => ({ channel: c.channel, recipients: c.recipients, accepted: c.accepted, failed: c.failed, queued: c.queued, last_sent_at: iso(c.lastSentAt) })),
    failures: report.failures,
  };
}

/** An incident or maintenance in Statuspage's shape. `siteUrl` makes its public link. */
export function incidentJson(incident: Incident, siteUrl: string) {
  return {
    id: incident.id,
    kind: incident.kind,
    name: incident.title,
    /** The name in the page's other languages, where staff wrote it. */
    translations: incident.titles ?? {},
    status: incident.status,
    impact: incident.impact,
    started_at: iso(incident.startedAt),
    updated_at: iso(incident.updatedAt),
    resolved_at: iso(incident.resolvedAt),
    scheduled_for: iso(incident.scheduledFor),
    scheduled_until: iso(incident.scheduledUntil),
    components: incident.components.map((c) => ({ id: c.id, status: c.status })),
    updates: incident.updates.map(updateJson),
    /** While open: the promise customers read; overdue once it passed with no update (staff only). */
    next_update_at: iso(incident.nextUpdateBy),
    overdue: incident.nextUpdateBy !== null && incident.nextUpdateBy.getTime() <= Date.now(),
    /** A window of a recurring maintenance: its series (the first window's id) and the start its rule gave. */
    series: incident.occurrence ? { id: incident.occurrence.seriesId, occurrence_of: iso(incident.occurrence.of) } : null,
    source: incident.source,
    file: incident.filePath,
    shortlink: `${siteUrl}/incidents/${encodeURIComponent(incident.id)}`,
  };
}

/** A component with the status it shows now (see status.ts). */
export function componentJson(component: Component) {
  return {
    id: component.id,
    name: component.name,
    description: component.description,
    group_id: component.groupId,
    position: component.position,
    status: component.status,
    created_at: iso(component.createdAt),
    updated_at: iso(component.updatedAt),
  };
}
