// Ids staff never type: slugs made from a title or a name.
import { eq } from 'drizzle-orm';
import { incidents } from '../../../db/schema';
import type { AuthoredIncident } from '../../content/incident-file';
import type { HeraldDb } from '../db';

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
export function newIncidentId(ctx: { db: HeraldDb; authored: AuthoredIncident[] }, title: string, at: Date): string {
  const base = `${at.toISOString().slice(0, 10)}-${slugify(title)}`;
  const taken = (id: string) =>
    ctx.authored.some((a) => a.id === id) ||
    ctx.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, id)).get() !== undefined;
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}
