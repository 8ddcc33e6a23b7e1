// What Herald keeps, and for how long (docs/running.md: "Data retention"). Once a day
// the server deletes what has outlived its purpose; `npx herald purge` does the
// same on demand. Unsubscribed addresses go at once (subscriptions.ts), so
// they are not here. Deletes go in batches, each its own short transaction,
// with a turn of the event loop between two: a purge of many rows never holds
// the server's loop or the database's write lock for long.
import { and, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { auditLog, loginFailures, notifyJobs, outbox, rateLimits, sessions, subscribers } from '../../../db/schema';
import { deleteJobs, staleUnconfirmed } from '../subscribers';
import type { HeraldDb } from '../db';
import { purgeTrash } from './trash';

export interface RetentionPolicy {
  /** Days an incident or update stays restorable in the trash. */
  trashDays: number;
  /** Days audit entries are kept. */
  auditDays: number;
}

/** Notify jobs (with their sent counts), sent and failed notifications are kept this long for the console's outbox view, then deleted. */
export const outboxKeepDays = 30;
const day = 86_400_000;

/** Rows deleted per transaction by default. */
export const purgeBatchSize = 2_000;

export interface PurgeReport {
  trashedIncidents: number;
  trashedUpdates: number;
  auditEntries: number;
  unconfirmedSubscribers: number;
  outboxRows: number;
  notifyJobs: number;
  sessions: number;
  counters: number;
}

export interface PurgeOptions {
  /** Rows (for the trash: incidents and updates) deleted per transaction. */
  batchSize?: number;
  /** Told after each batch, with what it deleted. */
  onBatch?: (what: keyof PurgeReport, rows: number) => void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Deletes the rows of `table` matching `where`, `batchSize` at a time, yielding to the event loop between batches. */
async function deleteInBatches(db: HeraldDb, table: SQLiteTable, where: SQL, batchSize: number, done: (rows: number) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const { changes } = db.run(sql`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ${batchSize})`);
    total += changes;
    if (changes > 0) done(changes);
    if (changes < batchSize) return total;
    await nextTurn();
  }
}

export async function purgeExpired(db: HeraldDb, policy: RetentionPolicy, now = new Date(), options: PurgeOptions = {}): Promise<PurgeReport> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? purgeBatchSize));
  const onBatch = options.onBatch ?? (() => {});
  const ago = (days: number) => new Date(now.getTime() - days * day);
  const batched = (what: keyof PurgeReport, table: SQLiteTable, where: SQL | undefined) =>
    deleteInBatches(db, table, where!, batchSize, (rows) => onBatch(what, rows));

  const report: PurgeReport = { trashedIncidents: 0, trashedUpdates: 0, auditEntries: 0, unconfirmedSubscribers: 0, outboxRows: 0, notifyJobs: 0, sessions: 0, counters: 0 };
  for (;;) {
    const trash = purgeTrash(db, policy.trashDays, now, batchSize);
    report.trashedIncidents += trash.incidents;
    report.trashedUpdates += trash.updates;
    if (trash.incidents) onBatch('trashedIncidents', trash.incidents);
    if (trash.updates) onBatch('trashedUpdates', trash.updates);
    if (trash.incidents < batchSize && trash.updates < batchSize) break;
    await nextTurn();
  }
  report.auditEntries = await batched('auditEntries', auditLog, lt(auditLog.at, ago(policy.auditDays)));
  report.unconfirmedSubscribers = await batched('unconfirmedSubscribers', subscribers, staleUnconfirmed(now));
  // Sent or given up on; what still waits to be sent is kept, whatever its age.
  report.outboxRows = await batched('outboxRows', outbox, and(ne(outbox.status, 'queued'), lt(outbox.createdAt, ago(outboxKeepDays))));
  // Old jobs with nothing left to expand or send (their failures went above); one per notified update, so few.
  report.notifyJobs = db.transaction((tx) =>
    deleteJobs(
      tx,
      and(
        lt(notifyJobs.createdAt, ago(outboxKeepDays)),
        or(isNotNull(notifyJobs.expandedAt), isNotNull(notifyJobs.droppedAt)),
        sql`NOT EXISTS (SELECT 1 FROM ${outbox} WHERE ${outbox.jobId} = ${notifyJobs.id} AND ${outbox.status} = 'queued')`,
      ),
    ),
  );
  report.sessions = await batched('sessions', sessions, lt(sessions.expiresAt, now));
  // Throttling and rate-limit counters: quiet for a day, they count for nothing (login.ts forgets after an hour).
  report.counters =
    (await batched('counters', loginFailures, and(lt(loginFailures.lastFailureAt, ago(1)), or(isNull(loginFailures.lockedUntil), lt(loginFailures.lockedUntil, ago(1)))))) +
    (await batched('counters', rateLimits, lt(rateLimits.windowStart, ago(1))));
  return report;
}

/** Runs purgeExpired a minute after start, then daily. Returns a stop function. */
export function scheduleRetention(db: HeraldDb, policy: RetentionPolicy, log = console): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const report = await purgeExpired(db, policy);
      const total = Object.values(report).reduce((a, b) => a + b, 0);
      if (total > 0) log.log(`Herald: retention: deleted ${Object.entries(report).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`).join(', ')}`);
    } catch (error) {
      log.error(`Herald: retention: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, day);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
