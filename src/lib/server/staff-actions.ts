// What staff can do to the live log: open an incident, post an update, resolve,
// set a component's status, schedule maintenance. The CLI, the console and the
// HTTP API all call these, so validation and transactions live here once.
// Every action is one transaction: it happens whole or not at all.
import { and, eq } from 'drizzle-orm';
import {
  componentStatuses,
  incidentImpacts,
  incidentStatuses,
  maintenanceStatuses,
  type ComponentStatus,
  type IncidentImpact,
  type IncidentKind,
  type UpdateStatus,
} from '../../db/constants';
import { components, componentStatusLog, incidentComponents, incidents, incidentUpdates } from '../../db/schema';
import type { AuthoredIncident } from '../content/incident-file';
import type { HeraldDb } from './db';

/** A rejected action; `field` names the offending input so forms and the CLI can point at it. */
export class ActionError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly reason: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

export interface LogContext {
  db: HeraldDb;
  /** Markdown incidents, which live updates may join. */
  authored: AuthoredIncident[];
}

export interface ComponentChange {
  id: string;
  status: ComponentStatus;
}

export const limits = { title: 200, message: 20_000 } as const;

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError(field, `${field} is required`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw new ActionError(field, `${field} is longer than ${max} characters`);
  if (/\u0000/.test(trimmed)) throw new ActionError(field, `${field} contains a NUL character`);
  return trimmed;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ActionError(field, `${field} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
  }
  return value as T;
}

function instant(field: string, value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new ActionError(field, `${field} is not a valid time, e.g. 2026-12-01T22:00:00Z`);
  return date;
}

function checkComponents(ctx: LogContext, changes: ComponentChange[], field = 'components'): ComponentChange[] {
  const known = new Set(
    ctx.db.select({ id: components.id }).from(components).where(eq(components.listed, true)).all().map((c) => c.id),
  );
  const seen = new Set<string>();
  return changes.map((change) => {
    if (!known.has(change.id)) throw new ActionError(field, `no component "${change.id}"`, 'not_found');
    if (seen.has(change.id)) throw new ActionError(field, `component "${change.id}" is named twice`);
    seen.add(change.id);
    return { id: change.id, status: oneOf(`status of ${change.id}`, change.status, componentStatuses) };
  });
}

/** "Webmail: slow logins!" → "webmail-slow-logins". */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'incident';
}

/** A fresh id `YYYY-MM-DD-title`, unique across the database and content/. */
function newIncidentId(ctx: LogContext, title: string, at: Date): string {
  const base = `${at.toISOString().slice(0, 10)}-${slugify(title)}`;
  const taken = (id: string) =>
    ctx.authored.some((a) => a.id === id) ||
    ctx.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, id)).get() !== undefined;
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

interface Target {
  id: string;
  kind: IncidentKind;
  startedAt: Date;
  authored: AuthoredIncident | undefined;
}

function findIncident(ctx: LogContext, id: unknown): Target {
  if (typeof id !== 'string' || id === '') throw new ActionError('incident', 'incident id is required');
  const authored = ctx.authored.find((a) => a.id === id);
  if (authored) return { id, kind: authored.kind, startedAt: authored.startedAt, authored };
  const row = ctx.db.select().from(incidents).where(eq(incidents.id, id)).get();
  if (!row) throw new ActionError('incident', `no incident or maintenance "${id}"`, 'not_found');
  return { id, kind: row.kind, startedAt: row.startedAt, authored: undefined };
}

type Tx = Parameters<Parameters<HeraldDb['transaction']>[0]>[0];

/** Records the status an incident gives components now, and logs the change for uptime. */
function applyComponentChanges(tx: Tx, target: Target, changes: ComponentChange[], at: Date) {
  for (const change of changes) {
    const logged = tx
      .select({ id: componentStatusLog.id })
      .from(componentStatusLog)
      .where(and(eq(componentStatusLog.incidentId, target.id), eq(componentStatusLog.componentId, change.id)))
      .get();
    if (!logged && target.authored) {
      // The first live change to a markdown incident: log what the file said
      // until now, so uptime keeps the authored status before this moment.
      const before = target.authored.components.find((c) => c.id === change.id)?.status ?? 'operational';
      tx.insert(componentStatusLog)
        .values({ componentId: change.id, status: before, at: target.startedAt, incidentId: target.id })
        .run();
    }
    tx.insert(incidentComponents)
      .values({ incidentId: target.id, componentId: change.id, status: change.status })
      .onConflictDoUpdate({
        target: [incidentComponents.incidentId, incidentComponents.componentId],
        set: { status: change.status },
      })
      .run();
    tx.insert(componentStatusLog)
      .values({ componentId: change.id, status: change.status, at, incidentId: target.id })
      .run();
  }
}

export interface NewIncident {
  title: unknown;
  impact: unknown;
  status?: unknown;
  message: unknown;
  components?: ComponentChange[];
}

/** Opens an incident with its first update. Returns its id (slug). */
export function createIncident(ctx: LogContext, input: NewIncident, now = new Date()): string {
  const title = text('title', input.title, limits.title);
  const impact = oneOf<IncidentImpact>('impact', input.impact, incidentImpacts);
  const status = oneOf<UpdateStatus>('status', input.status ?? 'investigating', incidentStatuses);
  const message = text('message', input.message, limits.message);
  const changes = checkComponents(ctx, input.components ?? []);
  return ctx.db.transaction((tx) => {
    const id = newIncidentId(ctx, title, now);
    tx.insert(incidents).values({ id, kind: 'incident', title, impact, startedAt: now, createdAt: now }).run();
    tx.insert(incidentUpdates).values({ incidentId: id, status, body: message, at: now }).run();
    applyComponentChanges(tx, { id, kind: 'incident', startedAt: now, authored: undefined }, changes, now);
    return id;
  });
}

export interface NewUpdate {
  status: unknown;
  message: unknown;
  components?: ComponentChange[];
}

/** Appends an update to a live or markdown incident or maintenance. Returns the update's row id. */
export function postUpdate(ctx: LogContext, incidentId: unknown, input: NewUpdate, now = new Date()): number {
  const target = findIncident(ctx, incidentId);
  const allowed = target.kind === 'maintenance' ? maintenanceStatuses : incidentStatuses;
  const status = oneOf<UpdateStatus>('status', input.status, allowed);
  const message = text('message', input.message, limits.message);
  const changes = checkComponents(ctx, input.components ?? []);
  return ctx.db.transaction((tx) => {
    const row = tx
      .insert(incidentUpdates)
      .values({ incidentId: target.id, status, body: message, at: now })
      .returning({ id: incidentUpdates.id })
      .get();
    applyComponentChanges(tx, target, changes, now);
    return row.id;
  });
}

/** Resolves an incident, or completes a maintenance. */
export function resolveIncident(ctx: LogContext, incidentId: unknown, message: unknown, now = new Date()): number {
  const target = findIncident(ctx, incidentId);
  return postUpdate(ctx, target.id, { status: target.kind === 'maintenance' ? 'completed' : 'resolved', message }, now);
}

/** Sets a component's own live status (outside any incident), logging the change. */
export function setComponentStatus(ctx: LogContext, componentId: unknown, status: unknown, now = new Date()): void {
  const [change] = checkComponents(ctx, [{ id: String(componentId ?? ''), status: status as ComponentStatus }], 'component');
  ctx.db.transaction((tx) => {
    tx.update(components).set({ status: change.status, updatedAt: now }).where(eq(components.id, change.id)).run();
    tx.insert(componentStatusLog).values({ componentId: change.id, status: change.status, at: now }).run();
  });
}

export interface NewMaintenance {
  title: unknown;
  scheduledFor: unknown;
  scheduledUntil: unknown;
  message: unknown;
  components?: string[];
}

/** Schedules a maintenance window. Its components show under_maintenance while it runs. */
export function scheduleMaintenance(ctx: LogContext, input: NewMaintenance, now = new Date()): string {
  const title = text('title', input.title, limits.title);
  const scheduledFor = instant('scheduledFor', input.scheduledFor);
  const scheduledUntil = instant('scheduledUntil', input.scheduledUntil);
  if (scheduledUntil <= scheduledFor) throw new ActionError('scheduledUntil', 'the window must end after it starts');
  const message = text('message', input.message, limits.message);
  const changes = checkComponents(
    ctx,
    (input.components ?? []).map((id) => ({ id, status: 'under_maintenance' as const })),
  );
  return ctx.db.transaction((tx) => {
    const id = newIncidentId(ctx, title, scheduledFor);
    tx.insert(incidents)
      .values({ id, kind: 'maintenance', title, impact: 'none', startedAt: scheduledFor, scheduledFor, scheduledUntil, createdAt: now })
      .run();
    tx.insert(incidentUpdates).values({ incidentId: id, status: 'scheduled', body: message, at: now }).run();
    for (const change of changes) {
      tx.insert(incidentComponents).values({ incidentId: id, componentId: change.id, status: change.status }).run();
    }
    return id;
  });
}
