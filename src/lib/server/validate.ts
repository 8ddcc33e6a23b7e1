// Input checks shared by every write (console, API, CLI). A rejected value
// throws ActionError naming the field, so a form can show the message next to
// it, the API can return it as `field`, and the CLI can print it.
import { eq } from 'drizzle-orm';
import { components } from '../../db/schema';
import type { HeraldDb } from './db';
import { parseInstant } from '../time';

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

/** Required, trimmed, at most `max` characters, no NUL. */
export function requireText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError(field, `${field} is required`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw new ActionError(field, `${field} is longer than ${max} characters`);
  if (trimmed.includes('\u0000')) throw new ActionError(field, `${field} contains a NUL character`);
  return trimmed;
}

/** Like requireText, but empty means null. */
export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  return requireText(field, value, max);
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ActionError(field, `${field} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
  }
  return value as T;
}

/** A Date as given (console forms read theirs in the page's zone), or a time with its zone (lib/time.ts parseInstant). */
export function requireInstant(field: string, value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? parseInstant(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new ActionError(field, `${field} is not a time with a zone, e.g. 2026-12-06T02:00:00Z or 2026-12-06T03:00:00+01:00`);
  }
  return date;
}

/**
 * Listed components by id, each once, in the order given: what an update
 * changes and what a subscriber follows. An id that is not a listed component
 * is refused, naming it; an id given twice counts once.
 */
export function requireListedComponents(db: HeraldDb, field: string, ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new ActionError(field, `${field} must be a list`);
  const listed = new Set(db.select({ id: components.id }).from(components).where(eq(components.listed, true)).all().map((c) => c.id));
  const chosen = [...new Set(ids)];
  for (const id of chosen) {
    if (typeof id !== 'string') throw new ActionError(field, `each of ${field} needs an id`);
    if (!listed.has(id)) throw new ActionError(field, `no component "${id}"`, 'not_found');
  }
  return chosen as string[];
}

export function requireInteger(field: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ActionError(field, `${field} must be a whole number from ${min} to ${max}`);
  return n;
}
