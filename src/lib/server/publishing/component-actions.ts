// Staff changes to the component catalog from the console: create, rename,
// describe, group, order, hide. A component or group changed here gets source
// 'console', so content/components.yml no longer overrides it (content-sync.ts).
import { and, eq, max } from 'drizzle-orm';
import { componentGroups, components, uptimeCorrections, type ComponentRow } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { recordAudit, systemActor } from '../accounts';
import { slugify } from './ids';
import { type LogContext, setComponentStatus } from './staff-actions';
import { ActionError, optionalText, requireInteger, requireText } from '../validate';
import { localDay } from '../../time';

export interface ComponentFields {
  name: unknown;
  description?: unknown;
  /** A group id, or '' / null for none. */
  groupId?: unknown;
  position?: unknown;
}

/** One component as staff edit it, listed or not; null when there is none. */
export function findComponent(db: HeraldDb, id: string): ComponentRow | null {
  return db.select().from(components).where(eq(components.id, id)).get() ?? null;
}

function checkGroup(ctx: LogContext, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const row = ctx.db.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.id, String(value))).get();
  if (!row) throw new ActionError('groupId', `no group "${String(value)}"`, 'not_found');
  return row.id;
}

function fields(ctx: LogContext, input: ComponentFields) {
  return {
    name: requireText('name', input.name, 100),
    description: optionalText('description', input.description, 500),
    groupId: checkGroup(ctx, input.groupId),
  };
}

function nextPosition(ctx: LogContext): number {
  const [row] = ctx.db.select({ last: max(components.position) }).from(components).all();
  return (row.last ?? 0) + 10;
}

/** Creates a component; its id is the slug of its name and never changes. */
export function createComponent(ctx: LogContext, input: ComponentFields, now = new Date()): string {
  const values = fields(ctx, input);
  const position = input.position === undefined || input.position === '' ? nextPosition(ctx) : requireInteger('position', input.position, 0, 1_000_000);
  const id = slugify(values.name);
  return ctx.db.transaction((tx) => {
    if (tx.select({ id: components.id }).from(components).where(eq(components.id, id)).get()) {
      throw new ActionError('name', `a component with the id "${id}" exists already; choose another name`, 'conflict');
    }
    tx.insert(components).values({ id, ...values, position, source: 'console', createdAt: now, updatedAt: now }).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'component.create', id, { ...values, position }, now);
    return id;
  });
}

/** Renames, describes, regroups or reorders a component; `listed: false` hides it (history stays). */
export function editComponent(ctx: LogContext, id: string, input: ComponentFields & { listed?: boolean }, now = new Date()): void {
  const values = fields(ctx, input);
  const position = requireInteger('position', input.position, 0, 1_000_000);
  ctx.db.transaction((tx) => {
    const before = tx.select().from(components).where(eq(components.id, id)).get();
    if (!before) throw new ActionError('component', `no component "${id}"`, 'not_found');
    const listed = input.listed ?? before.listed;
    tx.update(components).set({ ...values, position, listed, source: 'console', updatedAt: now }).where(eq(components.id, id)).run();
    const was = { name: before.name, description: before.description, groupId: before.groupId, position: before.position, listed: before.listed };
    recordAudit(tx, ctx.actor ?? systemActor, 'component.edit', id, { before: was, after: { ...values, position, listed } }, now);
  });
}

/**
 * Edits a component and sets its own status together, as one write: both
 * happen or neither (the HTTP API's PATCH). Fields of the edit left out keep
 * their value.
 */
export function changeComponent(ctx: LogContext, id: string, change: { edit?: Partial<ComponentFields>; status?: unknown }, now = new Date()): void {
  ctx.db.transaction(() => {
    if (change.edit) {
      const before = findComponent(ctx.db, id);
      if (!before) throw new ActionError('component', `no component "${id}"`, 'not_found');
      const given = (key: keyof ComponentFields, was: unknown) => (key in change.edit! ? change.edit![key] : was);
      editComponent(
        ctx,
        id,
        { name: given('name', before.name), description: given('description', before.description), groupId: given('groupId', before.groupId), position: given('position', before.position) },
        now,
      );
    }
    if (change.status !== undefined) setComponentStatus(ctx, id, change.status, now);
  });
}

export function createGroup(ctx: LogContext, input: { name: unknown; position?: unknown }, now = new Date()): string {
  const name = requireText('name', input.name, 100);
  const id = slugify(name);
  const [last] = ctx.db.select({ last: max(componentGroups.position) }).from(componentGroups).all();
  const position = input.position === undefined || input.position === '' ? (last.last ?? 0) + 10 : requireInteger('position', input.position, 0, 1_000_000);
  return ctx.db.transaction((tx) => {
    if (tx.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.id, id)).get()) {
      throw new ActionError('name', `a group with the id "${id}" exists already`, 'conflict');
    }
    tx.insert(componentGroups).values({ id, name, position, source: 'console' }).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'group.create', id, { name, position }, now);
    return id;
  });
}

export function editGroup(ctx: LogContext, id: string, input: { name: unknown; position: unknown }, now = new Date()): void {
  const name = requireText('name', input.name, 100);
  const position = requireInteger('position', input.position, 0, 1_000_000);
  ctx.db.transaction((tx) => {
    const before = tx.select().from(componentGroups).where(eq(componentGroups.id, id)).get();
    if (!before) throw new ActionError('group', `no group "${id}"`, 'not_found');
    tx.update(componentGroups).set({ name, position, source: 'console' }).where(eq(componentGroups.id, id)).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'group.edit', id, { before: { name: before.name, position: before.position }, after: { name, position } }, now);
  });
}

/**
 * Corrects one day of a component's uptime (an outage that was not one, a
 * monitoring gap): the day then counts as `percent`, shown as corrected with
 * the reason. Correcting the same day again replaces it; `percent` empty
 * removes the correction. Audited with what it was before.
 */
export function correctUptimeDay(ctx: LogContext, componentId: string, input: { day: unknown; percent: unknown; reason: unknown }, now = new Date()): void {
  if (!findComponent(ctx.db, componentId)) throw new ActionError('component', `no component "${componentId}"`, 'not_found');
  const day = typeof input.day === 'string' ? input.day.trim() : '';
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T12:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) throw new ActionError('day', 'day is a date, e.g. 2026-11-30');
  if (day > localDay(now, ctx.content?.page.time_zone ?? 'UTC')) throw new ActionError('day', 'a day that has not begun yet cannot be corrected');
  const before = ctx.db.select().from(uptimeCorrections).where(and(eq(uptimeCorrections.componentId, componentId), eq(uptimeCorrections.day, day))).get();
  const removing = input.percent === undefined || input.percent === null || (typeof input.percent === 'string' && input.percent.trim() === '');
  if (removing) {
    if (!before) throw new ActionError('percent', 'percent is required: the day’s uptime as it should count, from 0 to 100');
    ctx.db.transaction((tx) => {
      tx.delete(uptimeCorrections).where(and(eq(uptimeCorrections.componentId, componentId), eq(uptimeCorrections.day, day))).run();
      recordAudit(tx, ctx.actor ?? systemActor, 'uptime.uncorrect', componentId, { day, before }, now);
    });
    return;
  }
  const percent = typeof input.percent === 'number' ? input.percent : Number(String(input.percent).trim().replace(/%$/, ''));
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new ActionError('percent', 'percent is the day’s uptime as it should count, from 0 to 100');
  const reason = requireText('reason', input.reason, 500);
  ctx.db.transaction((tx) => {
    tx.insert(uptimeCorrections)
      .values({ componentId, day, percent, reason, createdAt: now })
      .onConflictDoUpdate({ target: [uptimeCorrections.componentId, uptimeCorrections.day], set: { percent, reason, createdAt: now } })
      .run();
    recordAudit(tx, ctx.actor ?? systemActor, 'uptime.correct', componentId, { day, percent, reason, before: before ?? null }, now);
  });
}
