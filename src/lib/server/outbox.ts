// The durable outbox. Staff actions queue a row per matching subscriber in
// the same transaction as the update (so an acknowledged update always has its
// notifications queued); workers claim rows with a lease, send, and mark rows
// sent as the server acknowledges them (a few per commit). After a crash, rows
// whose lease ran out are taken again: only messages in flight or acknowledged
// but not yet recorded can go twice (see RECORD_EVERY in delivery.ts).
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { outbox, type OutboxRow } from '../../db/schema';
import type { HeraldDb } from './db';

type Writer = Pick<HeraldDb, 'run'>;

/**
 * Queues `event` for every confirmed subscriber who follows one of
 * `componentIds`, or follows everything. One INSERT … SELECT, so a hundred
 * thousand subscribers are queued in one statement. Returns how many.
 */
export function enqueueForSubscribers(
  tx: Writer,
  event: string,
  target: { incidentId: string; updateId: number | null; componentIds: string[] },
  now: Date,
): number {
  const components = JSON.stringify(target.componentIds);
  const result = tx.run(sql`
    INSERT OR IGNORE INTO outbox (subscriber_id, event, incident_id, update_id, status, attempts, next_attempt_at, created_at)
    SELECT s.id, ${event}, ${target.incidentId}, ${target.updateId}, 'queued', 0, ${now.getTime()}, ${now.getTime()}
    FROM subscribers s
    WHERE s.confirmed_at IS NOT NULL
      AND (
        NOT EXISTS (SELECT 1 FROM subscriber_components sc WHERE sc.subscriber_id = s.id)
        OR EXISTS (
          SELECT 1 FROM subscriber_components sc
          WHERE sc.subscriber_id = s.id AND sc.component_id IN (SELECT value FROM json_each(${components}))
        )
      )`);
  return result.changes;
}

/** Queues one message for one subscriber (confirmation mails and the like). */
export function enqueueOne(tx: Pick<HeraldDb, 'insert'>, subscriberId: number, event: string, now: Date): void {
  tx.insert(outbox)
    .values({ subscriberId, event, nextAttemptAt: now, createdAt: now })
    .onConflictDoNothing()
    .run();
}

/** Takes up to `limit` due rows for `leaseMs`; another worker will not touch them meanwhile. */
export function claimDue(db: HeraldDb, limit: number, leaseMs: number, now = new Date()): OutboxRow[] {
  return db.transaction((tx) => {
    const due = tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'queued'),
          lte(outbox.nextAttemptAt, now),
          or(isNull(outbox.leaseUntil), lte(outbox.leaseUntil, now)),
        ),
      )
      .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
      .limit(limit)
      .all()
      .map((row) => row.id);
    if (due.length === 0) return [];
    return tx
      .update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${outbox.attempts} + 1` })
      .where(inArray(outbox.id, due))
      .returning()
      .all();
  });
}

/** Marks rows sent, several in one commit (each commit is a disk sync). */
export function markSent(db: HeraldDb, ids: number[], now = new Date()): void {
  if (ids.length === 0) return;
  db.update(outbox).set({ status: 'sent', sentAt: now, leaseUntil: null, lastError: null }).where(inArray(outbox.id, ids)).run();
}

/** A temporary failure: try again at `retryAt`, or give up (failed) when that is past `giveUpAt`. */
export function markRetry(db: HeraldDb, row: OutboxRow, error: string, retryAt: Date, giveUpAt: Date): void {
  const failed = retryAt > giveUpAt;
  db.update(outbox)
    .set({ status: failed ? 'failed' : 'queued', nextAttemptAt: retryAt, leaseUntil: null, lastError: failed ? `gave up: ${error}` : error })
    .where(eq(outbox.id, row.id))
    .run();
}

export function markFailed(db: HeraldDb, id: number, error: string): void {
  db.update(outbox).set({ status: 'failed', leaseUntil: null, lastError: error }).where(eq(outbox.id, id)).run();
}

/** Staff's "retry now": failed or waiting rows go back to the front of the queue. */
export function retryNow(db: HeraldDb, ids: number[] | 'all-failed', now = new Date()): number {
  const which = ids === 'all-failed' ? eq(outbox.status, 'failed') : and(inArray(outbox.id, ids), or(eq(outbox.status, 'failed'), eq(outbox.status, 'queued')));
  return db.update(outbox).set({ status: 'queued', nextAttemptAt: now, leaseUntil: null }).where(which).run().changes;
}

export function outboxCounts(db: HeraldDb): Record<OutboxRow['status'], number> {
  const counts = { queued: 0, sent: 0, failed: 0 };
  for (const row of db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all()) counts[row.status] = row.n;
  return counts;
}

/** What staff look at: rows not sent yet and failures, newest first. */
export function unsentRows(db: HeraldDb, limit = 100): OutboxRow[] {
  return db
    .select()
    .from(outbox)
    .where(or(eq(outbox.status, 'queued'), eq(outbox.status, 'failed')))
    .orderBy(sql`${outbox.id} DESC`)
    .limit(limit)
    .all();
}
