// What Herald keeps, and for how long (README: "Data retention"). Once a day
// the server deletes what has outlived its purpose; `npx herald purge` does the
// same on demand. Unsubscribed addresses go at once (subscriptions.ts), so
// they are not here.
import { and, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { auditLog, loginFailures, notifyJobs, outbox, rateLimits, sessions } from '../../db/schema';
import { deleteJobs } from './outbox';
import type { HeraldDb } from './db';
import { deleteStaleUnconfirmed } from './subscriptions';
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

export function purgeExpired(db: HeraldDb, policy: RetentionPolicy, now = new Date()): PurgeReport {
  const ago = (days: number) => new Date(now.getTime() - days * day);
  const trash = purgeTrash(db, policy.trashDays, now);
  return {
    trashedIncidents: trash.incidents,
    trashedUpdates: trash.updates,
    auditEntries: db.delete(auditLog).where(lt(auditLog.at, ago(policy.auditDays))).run().changes,
    unconfirmedSubscribers: deleteStaleUnconfirmed(db, now),
    // Sent or given up on; what still waits to be sent is kept, whatever its age.
    outboxRows: db.delete(outbox).where(and(ne(outbox.status, 'queued'), lt(outbox.createdAt, ago(outboxKeepDays)))).run().changes,
    // Old jobs with nothing left to expand or send (their failures went above).
    notifyJobs: db.transaction((tx) =>
      deleteJobs(
        tx,
        and(
          lt(notifyJobs.createdAt, ago(outboxKeepDays)),
          or(isNotNull(notifyJobs.expandedAt), isNotNull(notifyJobs.droppedAt)),
          sql`NOT EXISTS (SELECT 1 FROM ${outbox} WHERE ${outbox.jobId} = ${notifyJobs.id} AND ${outbox.status} = 'queued')`,
        ),
      ),
    ),
    sessions: db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes,
    // Throttling and rate-limit counters: quiet for a day, they count for nothing (login.ts forgets after an hour).
    counters:
      db
        .delete(loginFailures)
        .where(and(lt(loginFailures.lastFailureAt, ago(1)), or(isNull(loginFailures.lockedUntil), lt(loginFailures.lockedUntil, ago(1)))))
        .run().changes + db.delete(rateLimits).where(lt(rateLimits.windowStart, ago(1))).run().changes,
  };
}

/** Runs purgeExpired a minute after start, then daily. Returns a stop function. */
export function scheduleRetention(db: HeraldDb, policy: RetentionPolicy, log = console): () => void {
  const run = () => {
    try {
      const report = purgeExpired(db, policy);
      const total = Object.values(report).reduce((a, b) => a + b, 0);
      if (total > 0) log.log(`Herald: retention: deleted ${Object.entries(report).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`).join(', ')}`);
    } catch (error) {
      log.error(`Herald: retention: ${(error as Error).message}`);
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
