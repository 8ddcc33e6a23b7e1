// What staff can do to the live log: open an incident, post an update, resolve,
// set a component's status, schedule maintenance. The CLI, the console and the
// HTTP API all call these, so validation and transactions live here once.
// Every action is one transaction: it happens whole or not at all.
import { and, desc, eq, gt, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import {
  componentStatuses,
  isClosedStatus,
  incidentImpacts,
  incidentStatuses,
  maintenanceStatuses,
  type ComponentStatus,
  type IncidentImpact,
  type IncidentKind,
  type UpdateStatus,
} from '../../../db/constants';
import { components, componentStatusLog, incidentComponents, incidents, incidentUpdates, maintenanceSeries, translations, type IncidentUpdateRow } from '../../../db/schema';
import { en } from '../../i18n/messages/en';
import { translator } from '../../i18n/translate';
import type { AuthoredIncident } from '../../content/incident-file';
import type { Content } from '../../content';
import type { Incident } from '../../model';
import { recordAudit, systemActor, type Actor } from '../accounts';
import { deliveryReport, queueNotification } from '../subscribers';
import type { HeraldDb } from '../db';
import { ActionError, requireInstant, requireListedComponents, requireOneOf, requireText } from '../validate';
import { formatWithUtc, parseInstant, parseWait } from '../../time';
import { fillPlaceholders, listOfNames, type Placeholder } from '../../placeholders';
import { findTemplate, templateOf } from './templates';
import { newIncidentId } from './ids';
import { makeOccurrences, startSeries } from './maintenance-series';
import { checkSeries, ruleEndingAt } from '../../recurrence';
import { checkTranslations, removeTranslations, writeTranslation, writeTranslations } from './translations';
import type { Locale } from '../../i18n/locales';

/** One live update as staff correct it, or null when there is none with that id. */
export function findUpdate(db: HeraldDb, id: number): IncidentUpdateRow | null {
  if (!Number.isSafeInteger(id)) return null;
  return db.select().from(incidentUpdates).where(eq(incidentUpdates.id, id)).get() ?? null;
}

export interface LogContext {
  db: HeraldDb;
  /** Markdown incidents, which live updates may join. */
  authored: AuthoredIncident[];
  /** Who acts, for the audit log; Herald itself when absent. */
  actor?: Actor;
  /** The page (its name and zone fill placeholders) and the templates in content/templates/. */
  content?: Pick<Content, 'page' | 'templates'>;
}

export interface ComponentChange {
  id: string;
  status: ComponentStatus;
}

export const limits = { title: 200, message: 20_000 } as const;

/** The furthest ahead a next update may be promised: a promise for next week is no promise. */
export const promiseHorizonMs = 7 * 24 * 60 * 60_000;

/**
 * When the next update is promised: a time with its zone, a Date (console
 * forms), a wait ("30m", "2h") or a number of minutes from now; nothing means
 * no promise. Only an open incident promises, within promiseHorizonMs.
 */
function promisedBy(value: unknown, status: UpdateStatus, now: Date): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const field = 'nextUpdate';
  if (isClosedStatus(status)) throw new ActionError(field, 'a closed incident promises no next update; leave next update empty');
  const at =
    value instanceof Date
      ? value
      : typeof value === 'number' && Number.isInteger(value) && value > 0
        ? new Date(now.getTime() + value * 60_000)
        : typeof value === 'string'
          ? (() => {
              const wait = parseWait(value);
              return wait !== null ? new Date(now.getTime() + wait) : parseInstant(value);
            })()
          : null;
  if (!at || Number.isNaN(at.getTime())) {
    throw new ActionError(field, 'next update is a time with a zone (2026-12-02T15:30:00Z) or a wait such as 30m or 2h');
  }
  if (at.getTime() <= now.getTime()) throw new ActionError(field, 'next update must be later than this update');
  if (at.getTime() - now.getTime() > promiseHorizonMs) throw new ActionError(field, 'next update may be at most 7 days ahead');
  return at;
}

/**
 * Promises that no longer stand (their incident closed, left the page, or a
 * later markdown update superseded them) are no longer watched.
 */
export function forgetPromises(db: HeraldDb, updateIds: number[], now = new Date()): void {
  if (updateIds.length === 0) return;
  db.update(incidentUpdates).set({ promiseKeptAt: now }).where(and(inArray(incidentUpdates.id, updateIds), isNull(incidentUpdates.promiseKeptAt))).run();
}

/** Staff were told that this update's promise lapsed; they are not told again. */
export function recordOverdueAlert(db: HeraldDb, updateId: number, recipients: string[], now = new Date()): void {
  db.transaction((tx) => {
    tx.update(incidentUpdates).set({ overdueAlertedAt: now }).where(eq(incidentUpdates.id, updateId)).run();
    const row = tx.select({ incidentId: incidentUpdates.incidentId }).from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get();
    recordAudit(tx, systemActor, 'update.overdue', row?.incidentId ?? null, { update: updateId, told: recipients.length }, now);
  });
}

/** An update kept the promises made before it: they are no longer watched. */
function keepPromises(tx: Tx, incidentId: string, exceptUpdateId: number, now: Date): void {
  tx.update(incidentUpdates)
    .set({ promiseKeptAt: now })
    .where(and(eq(incidentUpdates.incidentId, incidentId), isNull(incidentUpdates.promiseKeptAt), isNotNull(incidentUpdates.nextUpdateBy), ne(incidentUpdates.id, exceptUpdateId)))
    .run();
}

const text = requireText;
const oneOf = requireOneOf;
const instant = requireInstant;

function audit(tx: Tx, ctx: LogContext, action: string, target: string, detail: Record<string, unknown> | undefined, at: Date) {
  recordAudit(tx, ctx.actor ?? systemActor, action, target, detail, at);
}

function checkComponents(ctx: LogContext, changes: ComponentChange[], field = 'components'): ComponentChange[] {
  if (!Array.isArray(changes)) throw new ActionError(field, `${field} must be a list`);
  const ids = requireListedComponents(ctx.db, field, changes.map((change) => change?.id));
  // Twice with two statuses would be ambiguous: refused, where a list of ids to follow just counts one.
  if (ids.length < changes.length) throw new ActionError(field, `component "${changes.find((c, n) => changes.findIndex((d) => d.id === c.id) !== n)!.id}" is named twice`);
  return changes.map((change) => ({ id: change.id, status: oneOf(`status of ${change.id}`, change.status, componentStatuses) }));
}

interface Target {
  id: string;
  kind: IncidentKind;
  startedAt: Date;
  authored: AuthoredIncident | undefined;
  /** The template a live incident was opened from. */
  templateId: string | null;
  window: { from: Date; until: Date } | null;
}

function findIncident(ctx: LogContext, id: unknown): Target {
  if (typeof id !== 'string' || id === '') throw new ActionError('incident', 'incident id is required');
  const authored = ctx.authored.find((a) => a.id === id);
  if (authored) {
    const window = authored.scheduledFor && authored.scheduledUntil ? { from: authored.scheduledFor, until: authored.scheduledUntil } : null;
    return { id, kind: authored.kind, startedAt: authored.startedAt, authored, templateId: null, window };
  }
  const row = ctx.db.select().from(incidents).where(and(eq(incidents.id, id), isNull(incidents.deletedAt))).get();
  if (!row) throw new ActionError('incident', `no incident or maintenance "${id}"`, 'not_found');
  const window = row.scheduledFor && row.scheduledUntil ? { from: row.scheduledFor, until: row.scheduledUntil } : null;
  return { id, kind: row.kind, startedAt: row.startedAt, authored: undefined, templateId: row.templateId, window };
}

/** Why a placeholder could not be filled, as the field's error. */
const unfilled: Record<Placeholder, string> = {
  component: '{{component}} names the affected components: choose at least one, or write the names',
  next_update: '{{next_update}} is the promised next update: choose when it is due, or remove it',
  page: "{{page}} is the page's name, which is not known here; write it out",
  start: "{{start}} is a maintenance window's start: only maintenance has one",
  end: "{{end}} is a maintenance window's end: only maintenance has one",
};

/**
 * Fills the placeholders of a title or message from what is being posted, or
 * refuses it naming the field: a customer never reads `{{…}}`.
 */
function filled(ctx: LogContext, field: 'title' | 'message', text: string, facts: { componentIds: string[]; nextUpdateBy: Date | null; window: { from: Date; until: Date } | null }): string {
  if (!text.includes('{{')) return text;
  const zone = ctx.content?.page.time_zone ?? 'UTC';
  const names = facts.componentIds.length
    ? ctx.db.select({ id: components.id, name: components.name }).from(components).where(inArray(components.id, facts.componentIds)).all()
    : [];
  const values: Partial<Record<Placeholder, string>> = {
    component: names.length ? listOfNames(facts.componentIds.map((id) => names.find((n) => n.id === id)?.name ?? id)) : undefined,
    next_update: facts.nextUpdateBy ? formatWithUtc(facts.nextUpdateBy, zone) : undefined,
    page: ctx.content?.page.name,
    start: facts.window ? formatWithUtc(facts.window.from, zone) : undefined,
    end: facts.window ? formatWithUtc(facts.window.until, zone) : undefined,
  };
  const result = fillPlaceholders(text, values, field === 'title' ? 'plain' : 'markdown');
  if ('unknown' in result) {
    const advice = field === 'title' ? 'remove it' : 'remove it, or put it in backticks to show it as code';
    throw new ActionError(field, `{{${result.unknown}}} is not a placeholder: Herald fills {{component}}, {{next_update}}, {{page}}, {{start}} and {{end}}; ${advice}`);
  }
  if ('unfilled' in result) throw new ActionError(field, unfilled[result.unfilled]);
  // What it was filled with may make it too long: checked as typed text is.
  return text === result.text ? text : requireText(field, result.text, field === 'title' ? limits.title : limits.message);
}

/** The components an incident affects now, from its file and its live rows. */
function affectedIds(tx: Pick<HeraldDb, 'select'>, target: Target): string[] {
  const ids = new Set(target.authored?.components.map((c) => c.id) ?? []);
  for (const row of tx.select({ id: incidentComponents.componentId }).from(incidentComponents).where(eq(incidentComponents.incidentId, target.id)).all()) ids.add(row.id);
  return [...ids];
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

/**
 * Keeps incidents.closed_at in step with the latest update, so readers find
 * open incidents by an index instead of reading the whole history.
 */
export function refreshClosedAt(tx: Pick<HeraldDb, 'run'>, incidentId: string): void {
  tx.run(sql`
    UPDATE incidents SET closed_at = (
      SELECT CASE WHEN u.status IN ('resolved', 'postmortem', 'completed') THEN u.at END
      FROM incident_updates u WHERE u.incident_id = ${incidentId} AND u.deleted_at IS NULL
      ORDER BY u.at DESC, u.id DESC LIMIT 1
    ) WHERE id = ${incidentId}`);
}

/**
 * Queues the update for every subscriber it concerns: those following all
 * components, and those following one the incident touches. Same transaction,
 * one notify job row; the delivery worker expands it into deliveries.
 */
function notifySubscribers(tx: Tx, target: Target, updateId: number, now: Date): void {
  const touched = new Set(target.authored?.components.map((c) => c.id) ?? []);
  const live = tx.select({ id: incidentComponents.componentId }).from(incidentComponents).where(eq(incidentComponents.incidentId, target.id)).all();
  for (const row of live) touched.add(row.id);
  queueNotification(tx, `update:${updateId}`, { incidentId: target.id, updateId, componentIds: [...touched] }, now);
}

export interface NewIncident {
  /** A template's id: what is not given here is taken from it. */
  template?: unknown;
  title?: unknown;
  impact?: unknown;
  status?: unknown;
  message?: unknown;
  components?: ComponentChange[];
  /** Whether subscribers hear of it (default yes). */
  notify?: boolean;
  /** When the next update is promised (see promisedBy); none by default. */
  nextUpdate?: unknown;
  /** The title and message in the page's other languages: `{ de: { title, message } }`. */
  translations?: unknown;
}

/** A template by id for `kind`, or null when none is named. */
function templateFor(ctx: LogContext, id: unknown, kind: IncidentKind) {
  if (id === undefined || id === null || id === '') return null;
  const template = findTemplate(ctx, id);
  if (template.kind !== kind) throw new ActionError('template', `template "${template.id}" is for ${template.kind === 'maintenance' ? 'maintenance' : 'an incident'}`);
  return template;
}

/** Opens an incident with its first update, from a template when one is named. Returns its id (slug). */
export function createIncident(ctx: LogContext, input: NewIncident, now = new Date()): string {
  const template = templateFor(ctx, input.template, 'incident');
  // What is given wins; what is not (undefined) comes from the template.
  const status = oneOf<UpdateStatus>('status', input.status ?? template?.status ?? 'investigating', openIncidentStatuses);
  const changes = checkComponents(ctx, input.components ?? template?.components ?? []);
  const notify = input.notify ?? true;
  const nextUpdateBy = promisedBy(input.nextUpdate !== undefined ? input.nextUpdate : template?.nextUpdate, status, now);
  const facts = { componentIds: changes.map((c) => c.id), nextUpdateBy, window: null };
  const title = filled(ctx, 'title', text('title', input.title ?? template?.title, limits.title), facts);
  const impact = oneOf<IncidentImpact>('impact', input.impact ?? template?.impact, incidentImpacts);
  const message = filled(ctx, 'message', text('message', input.message ?? template?.message, limits.message), facts);
  const translated = checkTranslations(ctx.content?.page, input.translations, ['title', 'message'], limits);
  return ctx.db.transaction((tx) => {
    const id = newIncidentId(ctx, title, now);
    tx.insert(incidents).values({ id, kind: 'incident', title, impact, startedAt: now, createdAt: now, templateId: template?.id ?? null }).run();
    const update = tx
      .insert(incidentUpdates)
      .values({ incidentId: id, status, body: message, at: now, notify, nextUpdateBy, postedBy: ctx.actor?.userId ?? null })
      .returning({ id: incidentUpdates.id })
      .get();
    const target: Target = { id, kind: 'incident', startedAt: now, authored: undefined, templateId: template?.id ?? null, window: null };
    applyComponentChanges(tx, target, changes, now);
    refreshClosedAt(tx, id);
    writeTranslations(tx, id, update.id, translated, now);
    if (notify) notifySubscribers(tx, target, update.id, now);
    audit(tx, ctx, 'incident.create', id, { title, impact, status, components: changes, notify, nextUpdateBy, template: template?.id, translations: translated.size ? [...translated.keys()] : undefined }, now);
    return id;
  });
}

/** An incident may be opened already resolved (logged after the fact), but a postmortem needs a resolution first. */
const openIncidentStatuses = incidentStatuses.filter((s) => s !== 'postmortem');

/** The status of the latest update, live or authored. */
function latestStatus(tx: Pick<HeraldDb, 'select'>, target: Target): UpdateStatus | undefined {
  const live = tx
    .select({ status: incidentUpdates.status, at: incidentUpdates.at })
    .from(incidentUpdates)
    .where(eq(incidentUpdates.incidentId, target.id))
    .orderBy(desc(incidentUpdates.at), desc(incidentUpdates.id))
    .get();
  const authored = target.authored?.updates.at(-1);
  if (live && (!authored || live.at >= authored.at)) return live.status;
  return authored?.status;
}

export interface NewUpdate {
  status: unknown;
  /** Not given: the message the incident's template suggests for this status, if any. */
  message?: unknown;
  components?: ComponentChange[];
  notify?: boolean;
  /** When the next update is promised (see promisedBy); none by default. */
  nextUpdate?: unknown;
  /** The message in the page's other languages: `{ de: { message } }`. */
  translations?: unknown;
}

/** Appends an update to a live or markdown incident or maintenance. Returns the update's row id. */
export function postUpdate(ctx: LogContext, incidentId: unknown, input: NewUpdate, now = new Date()): number {
  const target = findIncident(ctx, incidentId);
  const allowed = target.kind === 'maintenance' ? maintenanceStatuses : incidentStatuses;
  const status = oneOf<UpdateStatus>('status', input.status, allowed);
  const changes = checkComponents(ctx, input.components ?? []);
  const notify = input.notify ?? true;
  // No message given: the template's text for this status, with the template's promise unless one is given.
  const template = input.message === undefined ? templateOf(ctx, target.templateId) : null;
  const suggested = template?.followUps[status];
  const nextUpdate = input.nextUpdate !== undefined || !suggested || isClosedStatus(status) ? input.nextUpdate : template?.nextUpdate;
  const nextUpdateBy = promisedBy(nextUpdate, status, now);
  const componentIds = [...new Set([...affectedIds(ctx.db, target), ...changes.map((c) => c.id)])];
  const message = filled(ctx, 'message', text('message', input.message ?? suggested, limits.message), { componentIds, nextUpdateBy, window: target.window });
  const translated = checkTranslations(ctx.content?.page, input.translations, ['message'], limits);
  return ctx.db.transaction((tx) => {
    if (status === 'postmortem' && !isClosedStatus(latestStatus(tx, target) ?? 'investigating')) {
      throw new ActionError('status', 'a postmortem follows the resolution: resolve the incident first', 'conflict');
    }
    const row = tx
      .insert(incidentUpdates)
      .values({ incidentId: target.id, status, body: message, at: now, notify, nextUpdateBy, postedBy: ctx.actor?.userId ?? null })
      .returning({ id: incidentUpdates.id })
      .get();
    keepPromises(tx, target.id, row.id, now);
    applyComponentChanges(tx, target, changes, now);
    refreshClosedAt(tx, target.id);
    writeTranslations(tx, target.id, row.id, translated, now);
    if (notify) notifySubscribers(tx, target, row.id, now);
    audit(tx, ctx, 'update.post', target.id, { update: row.id, status, components: changes, notify, nextUpdateBy }, now);
    return row.id;
  });
}

/** What Herald posts when a maintenance window starts or ends by the clock. */
/** What Herald writes when a window starts or ends by the clock, in English; stored in the page's language, read in each reader's (timeline.ts). */
export const automaticMessages = {
  in_progress: en['update.auto_in_progress'],
  completed: en['update.auto_completed'],
} as const;

/**
 * A maintenance still `scheduled` (or begun by Herald) whose window has
 * started or ended gets the update staff did not post, as Statuspage does:
 * `in_progress` at the window's start and `completed` at its end, marked
 * automatic and never notifying (the worker's window mails announce them).
 * Each is posted once per maintenance, even if staff later move it to the
 * trash. Returns the statuses posted.
 */
export function postWindowUpdates(ctx: LogContext, maintenance: Incident, now = new Date()): ('in_progress' | 'completed')[] {
  const { scheduledFor: from, scheduledUntil: until } = maintenance;
  if (maintenance.kind !== 'maintenance' || !from || !until || now < from) return [];
  const latest = maintenance.updates[0];
  if (latest && latest.status !== 'scheduled' && !(latest.automatic && latest.status === 'in_progress')) return [];
  // Never before the latest update: a "scheduled" posted after the start would otherwise stay the latest.
  const after = (at: Date) => new Date(Math.max(at.getTime(), latest?.at.getTime() ?? 0));
  const due = [
    ...(latest?.status === 'in_progress' ? [] : [{ status: 'in_progress' as const, at: after(from) }]),
    ...(now >= until ? [{ status: 'completed' as const, at: after(until) }] : []),
  ];
  return ctx.db.transaction(
    (tx) => {
      const posted = new Set(
        tx
          .select({ status: incidentUpdates.status })
          .from(incidentUpdates)
          .where(and(eq(incidentUpdates.incidentId, maintenance.id), eq(incidentUpdates.automatic, true)))
          .all()
          .map((r) => r.status),
      );
      const todo = due.filter((d) => !posted.has(d.status));
      if (todo.length === 0) return [];
      for (const d of todo) {
        tx.insert(incidentUpdates)
          .values({ incidentId: maintenance.id, status: d.status, body: translator(ctx.content?.page.default_language ?? 'en')(`update.auto_${d.status}`), at: d.at, notify: false, automatic: true })
          .run();
      }
      refreshClosedAt(tx, maintenance.id);
      audit(tx, ctx, 'update.automatic', maintenance.id, { statuses: todo.map((d) => d.status) }, now);
      return todo.map((d) => d.status);
    },
    { behavior: 'immediate' },
  );
}

/** Resolves an incident, or completes a maintenance. */
export function resolveIncident(ctx: LogContext, incidentId: unknown, message: unknown, now = new Date(), notify = true): number {
  const target = findIncident(ctx, incidentId);
  return postUpdate(ctx, target.id, { status: target.kind === 'maintenance' ? 'completed' : 'resolved', message, notify }, now);
}

/**
 * Corrects the text of a live update. Visitors see the new text marked as
 * corrected; the audit log keeps the original. `expectedBody`, when given, is
 * the text the editor started from: if someone else corrected it meanwhile,
 * the correction is refused instead of silently overwriting theirs.
 */
export function correctUpdate(
  ctx: LogContext,
  updateId: number,
  message: unknown,
  expectedBody?: string,
  now = new Date(),
): void {
  const typed = text('message', message, limits.message);
  ctx.db.transaction((tx) => {
    const row = tx.select().from(incidentUpdates).where(and(eq(incidentUpdates.id, updateId), isNull(incidentUpdates.deletedAt))).get();
    if (!row) throw new ActionError('update', `no live update ${updateId}`, 'not_found');
    const target = findIncident(ctx, row.incidentId);
    const body = filled(ctx, 'message', typed, { componentIds: affectedIds(tx, target), nextUpdateBy: row.nextUpdateBy, window: target.window });
    if (expectedBody !== undefined && expectedBody.trim() !== row.body) {
      throw new ActionError('message', 'someone corrected this update while you were editing; review their text', 'conflict');
    }
    if (row.body === body) return;
    tx.update(incidentUpdates).set({ body, editedAt: now }).where(eq(incidentUpdates.id, updateId)).run();
    // A translation of the text as it was no longer says what it says: readers of it get the correction, marked as not translated.
    tx.delete(translations).where(and(eq(translations.incidentId, row.incidentId), eq(translations.updateId, updateId))).run();
    audit(tx, ctx, 'update.correct', row.incidentId, { update: updateId, original: row.body, corrected: body }, now);
  });
}

export interface IncidentEdit {
  title?: unknown;
  impact?: unknown;
  /** Maintenance only: a new window. */
  scheduledFor?: unknown;
  scheduledUntil?: unknown;
}

/** An edit and an update posted together, as one write: both happen or neither (the HTTP API's PATCH). */
export function changeIncident(ctx: LogContext, incidentId: string, change: { edit?: IncidentEdit; update?: NewUpdate }, now = new Date()): void {
  ctx.db.transaction(() => {
    if (change.edit) editIncident(ctx, incidentId, change.edit, now);
    if (change.update) postUpdate(ctx, incidentId, change.update, now);
  });
}

/** Changes a live incident's title or impact, or a maintenance's window. Markdown incidents change in their file. */
export function editIncident(ctx: LogContext, incidentId: unknown, edit: IncidentEdit, now = new Date()): void {
  const target = findIncident(ctx, incidentId);
  if (target.authored) {
    throw new ActionError('incident', `${target.id} is authored in ${target.authored.filePath}; change it there`, 'conflict');
  }
  const row = ctx.db.select().from(incidents).where(eq(incidents.id, target.id)).get()!;
  const changes: Partial<typeof row> = {};
  if (edit.title !== undefined) {
    const window = row.scheduledFor && row.scheduledUntil ? { from: row.scheduledFor, until: row.scheduledUntil } : null;
    changes.title = filled(ctx, 'title', text('title', edit.title, limits.title), { componentIds: affectedIds(ctx.db, target), nextUpdateBy: null, window });
  }
  if (edit.impact !== undefined) changes.impact = oneOf<IncidentImpact>('impact', edit.impact, incidentImpacts);
  if (edit.scheduledFor !== undefined || edit.scheduledUntil !== undefined) {
    if (row.kind !== 'maintenance') throw new ActionError('scheduledFor', 'only maintenance has a window');
    const from = edit.scheduledFor !== undefined ? instant('scheduledFor', edit.scheduledFor) : row.scheduledFor!;
    const until = edit.scheduledUntil !== undefined ? instant('scheduledUntil', edit.scheduledUntil) : row.scheduledUntil!;
    if (until <= from) throw new ActionError('scheduledUntil', 'the window must end after it starts');
    Object.assign(changes, { scheduledFor: from, scheduledUntil: until, startedAt: from });
  }
  if (Object.keys(changes).length === 0) return;
  ctx.db.transaction((tx) => {
    tx.update(incidents).set(changes).where(eq(incidents.id, target.id)).run();
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, row[k as keyof typeof row]]));
    audit(tx, ctx, 'incident.edit', target.id, { before, after: changes }, now);
  });
}

/** Sets a component's own live status (outside any incident), logging the change. */
export function setComponentStatus(ctx: LogContext, componentId: unknown, status: unknown, now = new Date()): void {
  const [change] = checkComponents(ctx, [{ id: String(componentId ?? ''), status: status as ComponentStatus }], 'component');
  ctx.db.transaction((tx) => {
    const before = tx.select({ status: components.status }).from(components).where(eq(components.id, change.id)).get();
    tx.update(components).set({ status: change.status, updatedAt: now }).where(eq(components.id, change.id)).run();
    tx.insert(componentStatusLog).values({ componentId: change.id, status: change.status, at: now }).run();
    audit(tx, ctx, 'component.status', change.id, { from: before?.status, to: change.status }, now);
  });
}

export interface NewMaintenance {
  /** A maintenance template's id: what is not given here is taken from it (the window's end from its duration). */
  template?: unknown;
  title?: unknown;
  scheduledFor: unknown;
  scheduledUntil?: unknown;
  message?: unknown;
  components?: string[];
  notify?: boolean;
  /** How it repeats: an RRULE (src/lib/recurrence.ts) from this window, in the page's zone; empty or absent for once. */
  recurrence?: unknown;
  /** The title and message in the page's other languages: `{ de: { title, message } }`. */
  translations?: unknown;
}

/** A rule staff gave, checked against the first window (recurrence.ts, checkSeries). */
function checkRecurrence(value: unknown, first: Date, timeZone: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ActionError('recurrence', 'recurrence must be an RRULE such as FREQ=WEEKLY;BYDAY=SU;COUNT=8');
  const checked = checkSeries(value, first, timeZone);
  if (!checked.ok) throw new ActionError('recurrence', checked.reason);
  return checked.rule;
}

/**
 * Schedules a maintenance window. Its components show under_maintenance while
 * it runs. With a recurrence, it is the first window of a series: the later
 * ones are made a fortnight ahead (maintenance-series.ts), announced by this
 * one's notification and reminded each.
 */
export function scheduleMaintenance(ctx: LogContext, input: NewMaintenance, now = new Date()): string {
  const template = templateFor(ctx, input.template, 'maintenance');
  const scheduledFor = instant('scheduledFor', input.scheduledFor);
  const duration = template?.duration ? parseWait(template.duration) : null;
  const until = input.scheduledUntil === undefined || input.scheduledUntil === '' ? (duration ? new Date(scheduledFor.getTime() + duration) : input.scheduledUntil) : input.scheduledUntil;
  const scheduledUntil = instant('scheduledUntil', until);
  if (scheduledUntil <= scheduledFor) throw new ActionError('scheduledUntil', 'the window must end after it starts');
  const changes = checkComponents(
    ctx,
    (input.components ?? template?.components.map((c) => c.id) ?? []).map((id) => ({ id, status: 'under_maintenance' as const })),
  );
  const facts = { componentIds: changes.map((c) => c.id), nextUpdateBy: null, window: { from: scheduledFor, until: scheduledUntil } };
  const title = filled(ctx, 'title', text('title', input.title ?? template?.title, limits.title), facts);
  const message = filled(ctx, 'message', text('message', input.message ?? template?.message, limits.message), facts);
  const notify = input.notify ?? true;
  const timeZone = ctx.content?.page.time_zone ?? 'UTC';
  const recurrence = checkRecurrence(input.recurrence, scheduledFor, timeZone);
  const translated = checkTranslations(ctx.content?.page, input.translations, ['title', 'message'], limits);
  const id = ctx.db.transaction((tx) => {
    const id = newIncidentId(ctx, title, scheduledFor);
    const series = recurrence ? { seriesId: id, occurrenceOf: scheduledFor } : {};
    tx.insert(incidents)
      .values({ id, kind: 'maintenance', title, impact: 'none', startedAt: scheduledFor, scheduledFor, scheduledUntil, createdAt: now, templateId: template?.id ?? null, ...series })
      .run();
    if (recurrence) startSeries(tx, { id, rule: recurrence, timeZone, firstStart: scheduledFor, durationMs: scheduledUntil.getTime() - scheduledFor.getTime(), source: 'live' }, now);
    const update = tx
      .insert(incidentUpdates)
      .values({ incidentId: id, status: 'scheduled', body: message, at: now, notify })
      .returning({ id: incidentUpdates.id })
      .get();
    for (const change of changes) {
      tx.insert(incidentComponents).values({ incidentId: id, componentId: change.id, status: change.status }).run();
    }
    writeTranslations(tx, id, update.id, translated, now);
    if (notify) notifySubscribers(tx, { id, kind: 'maintenance', startedAt: scheduledFor, authored: undefined, templateId: null, window: null }, update.id, now);
    audit(tx, ctx, 'maintenance.schedule', id, { title, scheduledFor, scheduledUntil, components: changes.map((c) => c.id), template: template?.id, recurrence: recurrence ?? undefined }, now);
    return id;
  });
  // The windows of the next fortnight at once (the worker makes later ones, and these if this stops first).
  if (recurrence) makeOccurrences(ctx, now);
  return id;
}

/**
 * Ends a live series with one of its windows: no window after it is made, the
 * calendar's rule stops there, and the later windows already made (a
 * fortnight's) are called off with `message`. A window whose reminder went
 * out is called off with a notification (to the page's subscribers, as any
 * update); the others quietly, since nobody heard of them on their own.
 * A series from a markdown file ends in its file. Returns the windows called off.
 */
export function endSeries(ctx: LogContext, maintenanceId: unknown, message: unknown, now = new Date()): string[] {
  const target = findIncident(ctx, maintenanceId);
  const row = target.authored ? undefined : ctx.db.select().from(incidents).where(eq(incidents.id, target.id)).get();
  const series = row?.seriesId ? ctx.db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, row.seriesId)).get() : undefined;
  if (target.authored) throw new ActionError('incident', `${target.authored.filePath} is a markdown series: end it with UNTIL in its recurrence`, 'conflict');
  if (!row?.occurrenceOf || !series) throw new ActionError('incident', `"${target.id}" is not part of a series`, 'conflict');
  if (series.source === 'file') throw new ActionError('incident', `"${target.id}" is a window of the markdown series ${series.id}: end it with UNTIL in that file's recurrence`, 'conflict');
  const body = text('message', message, limits.message);
  const last = row.occurrenceOf;
  const later = ctx.db
    .select({ id: incidents.id, from: incidents.scheduledFor })
    .from(incidents)
    .where(and(eq(incidents.seriesId, series.id), isNull(incidents.deletedAt), gt(incidents.occurrenceOf, last)))
    .all();
  ctx.db.transaction((tx) => {
    tx.update(maintenanceSeries).set({ rule: ruleEndingAt(series.rule, last, series.timeZone), nextStart: null }).where(eq(maintenanceSeries.id, series.id)).run();
    audit(tx, ctx, 'maintenance.series.end', series.id, { last: row.id, lastStart: last }, now);
  });
  // Each window as staff would call it off (an update ending it before it starts); one begun or already off is left as it is.
  const calledOff: string[] = [];
  for (const window of later) {
    if (!window.from || window.from <= now || latestStatus(ctx.db, { ...target, id: window.id }) !== 'scheduled') continue;
    postUpdate(ctx, window.id, { status: 'completed', message: body, notify: deliveryReport(ctx.db, `reminder:${window.id}`) !== null }, now);
    calledOff.push(window.id);
  }
  return calledOff;
}

/** One language's words for an incident, given afterwards: its title, and the text of some of its live updates. */
export interface IncidentTranslation {
  title?: unknown;
  /** Live updates by their row id; an empty message removes that update's translation. */
  updates?: { id: unknown; message: unknown }[];
}

/**
 * Translates a live or markdown incident into one of the page's other
 * languages, or corrects a translation; audited. A markdown incident's title
 * and updates are translated in its file (content/incidents/), its live updates here.
 * Subscribers are not told again: what was sent stays sent.
 */
export function translateIncident(ctx: LogContext, incidentId: unknown, locale: unknown, input: IncidentTranslation, now = new Date()): void {
  const target = findIncident(ctx, incidentId);
  const language = String(locale ?? '');
  const updates = input.updates ?? [];
  if (!Array.isArray(updates)) throw new ActionError('updates', 'updates must be a list of {id, message}');
  if (target.authored && input.title !== undefined && input.title !== '') {
    throw new ActionError(`translations.${language}.title`, `this incident's title lives in ${target.authored.filePath}: translate it there (translations.${language}.title)`);
  }
  // The language and the texts are checked as any translation is; a blank title or message removes it.
  const titleChecked = checkTranslations(ctx.content?.page, { [language]: { title: input.title } }, ['title'], limits);
  const checked = updates.map((u, n) => {
    const id = Number(u?.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new ActionError(`updates.${n}.id`, 'the id of one of this incident\'s live updates');
    const entry = checkTranslations(ctx.content?.page, { [language]: { message: u.message } }, ['message'], limits).get(language as Locale);
    return { id, message: entry?.message ?? null };
  });
  ctx.db.transaction((tx) => {
    const own = new Set(
      checked.length
        ? tx
            .select({ id: incidentUpdates.id })
            .from(incidentUpdates)
            .where(and(eq(incidentUpdates.incidentId, target.id), isNull(incidentUpdates.deletedAt), inArray(incidentUpdates.id, checked.map((u) => u.id))))
            .all()
            .map((r) => r.id)
        : [],
    );
    const stranger = checked.find((u) => !own.has(u.id));
    if (stranger) throw new ActionError(`updates.${checked.indexOf(stranger)}.id`, `update ${stranger.id} is not one of this incident's live updates`, 'not_found');
    const title = titleChecked.get(language as Locale)?.title;
    if (title !== undefined) writeTranslation(tx, target.id, 0, language as Locale, title, now);
    else if (input.title === '' && !target.authored) removeTranslations(tx, target.id, language as Locale, [0]);
    for (const u of checked) {
      if (u.message !== null) writeTranslation(tx, target.id, u.id, language as Locale, u.message, now);
    }
    removeTranslations(tx, target.id, language as Locale, checked.filter((u) => u.message === null).map((u) => u.id));
    audit(tx, ctx, 'incident.translate', target.id, { language, title: title !== undefined ? title : input.title === '' ? null : undefined, updates: checked.map((u) => u.id) }, now);
  });
}
