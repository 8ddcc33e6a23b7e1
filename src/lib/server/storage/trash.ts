// Time-delayed deletion. Staff never delete an incident or an update outright:
// it goes to the trash, hidden from every reader at once, restorable for
// TRASH_DAYS, and purged for good after that by the daily retention job.
// Markdown-authored incidents live in git, so they are deleted there.
import { and, eq, inArray, isNotNull, isNull, lt } from 'drizzle-orm';
import { componentStatusLog, incidentComponents, incidents, incidentUpdates, notifyJobs, outbox, translations } from '../../../db/schema';
import { deleteJobs, dropJobs } from '../subscribers';
import { recordAudit, systemActor } from '../accounts';
import type { HeraldDb } from '../db';
import { refreshClosedAt, type LogContext } from '../publishing';
import { ActionError } from '../validate';

function audit(db: Pick<HeraldDb, 'insert'>, ctx: LogContext, action: string, target: string, detail: Record<string, unknown>, at: Date) {
  recordAudit(db, ctx.actor ?? systemActor, action, target, detail, at);
}

/** Moves a live incident or maintenance to the trash; its queued notifications are dropped, and its jobs expand no further. */
export function trashIncident(ctx: LogContext, id: string, now = new Date()): void {
  const authored = ctx.authored.find((a) => a.id === id);
  if (authored) throw new ActionError('incident', `${id} is authored in ${authored.filePath}; delete that file in git`, 'conflict');
  ctx.db.transaction((tx) => {
    const row = tx.select().from(incidents).where(and(eq(incidents.id, id), isNull(incidents.deletedAt))).get();
    if (!row) throw new ActionError('incident', `no incident or maintenance "${id}"`, 'not_found');
    tx.update(incidents).set({ deletedAt: now }).where(eq(incidents.id, id)).run();
    dropJobs(tx, eq(notifyJobs.incidentId, id), now);
    tx.delete(outbox).where(and(eq(outbox.incidentId, id), eq(outbox.status, 'queued'))).run();
    audit(tx, ctx, 'incident.trash', id, { title: row.title }, now);
  });
}

/** Moves one live update to the trash. The last update left of a live incident stays: trash the incident instead. */
export function trashUpdate(ctx: LogContext, updateId: number, now = new Date()): string {
  return ctx.db.transaction((tx) => {
    const row = tx.select().from(incidentUpdates).where(and(eq(incidentUpdates.id, updateId), isNull(incidentUpdates.deletedAt))).get();
    if (!row) throw new ActionError('update', `no live update ${updateId}`, 'not_found');
    const live = tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, row.incidentId)).get();
    const remaining = tx
      .select({ id: incidentUpdates.id })
      .from(incidentUpdates)
      .where(and(eq(incidentUpdates.incidentId, row.incidentId), isNull(incidentUpdates.deletedAt)))
      .all().length;
    if (live && remaining <= 1) throw new ActionError('update', 'this is the only update of the incident; move the incident to the trash instead', 'conflict');
    tx.update(incidentUpdates).set({ deletedAt: now }).where(eq(incidentUpdates.id, updateId)).run();
    refreshClosedAt(tx, row.incidentId);
    dropJobs(tx, eq(notifyJobs.updateId, updateId), now);
    tx.delete(outbox).where(and(eq(outbox.updateId, updateId), eq(outbox.status, 'queued'))).run();
    audit(tx, ctx, 'update.trash', row.incidentId, { update: updateId, body: row.body }, now);
    return row.incidentId;
  });
}

export type TrashKind = 'incident' | 'update';

/** Takes an item out of the trash; it shows again everywhere, as it was. */
export function restoreFromTrash(ctx: LogContext, kind: TrashKind, id: string, now = new Date()): void {
  ctx.db.transaction((tx) => {
    const changed =
      kind === 'incident'
        ? tx.update(incidents).set({ deletedAt: null }).where(and(eq(incidents.id, id), isNotNull(incidents.deletedAt))).run().changes
        : tx
            .update(incidentUpdates)
            .set({ deletedAt: null })
            .where(and(eq(incidentUpdates.id, Number(id)), isNotNull(incidentUpdates.deletedAt)))
            .run().changes;
    if (changed && kind === 'update') {
      const row = tx.select({ incidentId: incidentUpdates.incidentId }).from(incidentUpdates).where(eq(incidentUpdates.id, Number(id))).get();
      if (row) refreshClosedAt(tx, row.incidentId);
    }
    if (!changed) throw new ActionError(kind, `nothing of that name is in the trash (it may have been purged)`, 'not_found');
    audit(tx, ctx, `${kind}.restore`, id, {}, now);
  });
}

export interface TrashItem {
  kind: TrashKind;
  id: string;
  incidentId: string;
  /** The incident's title, or the update's first line. */
  label: string;
  deletedAt: Date;
  purgeAt: Date;
}

export function listTrash(db: HeraldDb, trashDays: number): TrashItem[] {
  const purgeAt = (d: Date) => new Date(d.getTime() + trashDays * 86_400_000);
  const gone = db.select().from(incidents).where(isNotNull(incidents.deletedAt)).all();
  const updates = db.select().from(incidentUpdates).where(isNotNull(incidentUpdates.deletedAt)).all();
  return [
    ...gone.map((i) => ({ kind: 'incident' as const, id: i.id, incidentId: i.id, label: i.title, deletedAt: i.deletedAt!, purgeAt: purgeAt(i.deletedAt!) })),
    ...updates.map((u) => ({
      kind: 'update' as const,
      id: String(u.id),
      incidentId: u.incidentId,
      label: u.body.split('\n')[0].slice(0, 120),
      deletedAt: u.deletedAt!,
      purgeAt: purgeAt(u.deletedAt!),
    })),
  ].sort((a, b) => b.deletedAt.getTime() - a.deletedAt.getTime());
}

/**
 * Deletes for good what has been in the trash longer than `trashDays`, with
 * everything that hangs off it, in one transaction. With a `limit`, at most
 * that many incidents and that many updates go (retention.ts calls it again
 * until less than the limit is left).
 */
export function purgeTrash(db: HeraldDb, trashDays: number, now = new Date(), limit = -1): { incidents: number; updates: number } {
  const before = new Date(now.getTime() - trashDays * 86_400_000);
  return db.transaction((tx) => {
    const ids = tx
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(isNotNull(incidents.deletedAt), lt(incidents.deletedAt, before)))
      .limit(limit)
      .all()
      .map((r) => r.id);
    if (ids.length) {
      deleteJobs(tx, inArray(notifyJobs.incidentId, ids));
      tx.delete(outbox).where(inArray(outbox.incidentId, ids)).run();
      tx.delete(componentStatusLog).where(inArray(componentStatusLog.incidentId, ids)).run();
      tx.delete(incidentComponents).where(inArray(incidentComponents.incidentId, ids)).run();
      tx.delete(incidentUpdates).where(inArray(incidentUpdates.incidentId, ids)).run();
      tx.delete(translations).where(inArray(translations.incidentId, ids)).run();
      tx.delete(incidents).where(inArray(incidents.id, ids)).run();
    }
    const purgedUpdates = tx
      .select({ id: incidentUpdates.id, incidentId: incidentUpdates.incidentId })
      .from(incidentUpdates)
      .where(and(isNotNull(incidentUpdates.deletedAt), lt(incidentUpdates.deletedAt, before)))
      .limit(limit)
      .all();
    const updateIds = purgedUpdates.map((r) => r.id);
    if (updateIds.length) {
      // Through the key's leading incident id, not a scan of every translation.
      const incidentIds = [...new Set(purgedUpdates.map((r) => r.incidentId))];
      tx.delete(translations).where(and(inArray(translations.incidentId, incidentIds), inArray(translations.updateId, updateIds))).run();
      deleteJobs(tx, inArray(notifyJobs.updateId, updateIds));
      tx.delete(outbox).where(inArray(outbox.updateId, updateIds)).run();
      tx.delete(incidentUpdates).where(inArray(incidentUpdates.id, updateIds)).run();
    }
    if (ids.length || updateIds.length) {
      recordAudit(tx, systemActor, 'trash.purge', null, { incidents: ids, updates: updateIds }, now);
    }
    return { incidents: ids.length, updates: updateIds.length };
  });
}
