// The durable outbox. Staff actions write ONE notify job per update in the
// same transaction as the update (so an acknowledged update always has its
// notifications queued, and the transaction costs the same with ten or a
// hundred thousand subscribers). The worker expands a job into outbox rows a
// batch of subscribers at a time, in id order, advancing the job's cursor in
// the same transaction: a crash rolls a batch back whole, so expansion neither
// skips nor repeats anyone. Workers claim rows with a lease, send, and record
// them as the server acknowledges them (a few per commit): a job's row is then
// deleted and counted on the job, so only what is due or failed keeps a row.
// After a crash, rows whose lease ran out are taken again: only messages in
// flight or acknowledged but not yet recorded can go twice (see RECORD_EVERY
// in delivery.ts).
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { notifyJobChannels, notifyJobs, outbox, settings, type NotifyJobRow, type OutboxRow } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { subscriberKinds, type SubscriberKind } from '../../../db/constants';
import type { DeliveryReport } from '../../delivery';

type Writer = Pick<HeraldDb, 'run' | 'insert' | 'get'>;

/** Subscribers scanned per expansion transaction (a few milliseconds of write lock). */
export const DEFAULT_EXPAND_BATCH = 2000;

/**
 * Queues `event` for every subscriber confirmed now who follows one of
 * `componentIds`, or follows everything: one notify_jobs row, whatever the
 * number of subscribers. Subscribers who join or confirm later are not told
 * (the job keeps the highest subscriber id and the time). A second job for the
 * same event is ignored. Returns whether a job was written (none when nobody
 * subscribes at all).
 */
export function queueNotification(
  tx: Writer,
  event: string,
  target: { incidentId: string; updateId: number | null; componentIds: string[] },
  now: Date,
): boolean {
  const last = tx.get<{ id: number | null }>(sql`SELECT max(id) AS id FROM subscribers`)?.id ?? null;
  if (last === null) return false;
  // The later of the action's time and the clock: an update logged after the
  // fact (an earlier `now`) still reaches everyone confirmed when it is posted.
  const postedAt = new Date(Math.max(now.getTime(), Date.now()));
  const written = tx
    .insert(notifyJobs)
    .values({
      event,
      incidentId: target.incidentId,
      updateId: target.updateId,
      componentIds: JSON.stringify(target.componentIds),
      lastSubscriberId: last,
      confirmedBefore: postedAt,
      createdAt: now,
    })
    .onConflictDoNothing()
    .run();
  return written.changes > 0;
}

export interface Expansion {
  jobId: number;
  /** Outbox rows written by this batch. */
  rows: number;
  /** Whether the job is now fully expanded. */
  done: boolean;
}

/**
 * Expands the oldest job still expanding by up to `batch` subscribers (by id,
 * after its cursor, up to its last subscriber id) into outbox rows, and moves
 * the cursor, in one immediate transaction, so two workers never expand the
 * same subscribers and a crash loses or repeats nothing. Null when no job waits.
 */
export function expandNext(db: HeraldDb, batch = DEFAULT_EXPAND_BATCH, now = new Date()): Expansion | null {
  return db.transaction(
    (tx) => {
      const job = tx
        .select()
        .from(notifyJobs)
        .where(and(isNull(notifyJobs.expandedAt), isNull(notifyJobs.droppedAt)))
        .orderBy(asc(notifyJobs.id))
        .limit(1)
        .get();
      if (!job) return null;
      const from = job.expandedThrough;
      // The id of the batch-th subscriber after the cursor: the batch ends there (or at the job's bound).
      const nth = tx.get<{ id: number } | undefined>(
        sql`SELECT id FROM subscribers WHERE id > ${from} AND id <= ${job.lastSubscriberId} ORDER BY id LIMIT 1 OFFSET ${Math.max(1, batch) - 1}`,
      );
      const through = nth?.id ?? job.lastSubscriberId;
      const rows = tx.run(sql`
        INSERT OR IGNORE INTO outbox (subscriber_id, event, incident_id, update_id, job_id, status, attempts, next_attempt_at, created_at)
        SELECT s.id, ${job.event}, ${job.incidentId}, ${job.updateId}, ${job.id}, 'queued', 0, ${now.getTime()}, ${job.createdAt.getTime()}
        FROM subscribers s
        WHERE s.id > ${from} AND s.id <= ${through}
          AND s.confirmed_at IS NOT NULL AND s.confirmed_at <= ${job.confirmedBefore.getTime()}
          AND NOT (s.kind = 'email' AND EXISTS (SELECT 1 FROM suppressed_addresses x WHERE x.address = s.address))
          AND (
            NOT EXISTS (SELECT 1 FROM subscriber_components sc WHERE sc.subscriber_id = s.id)
            OR EXISTS (
              SELECT 1 FROM subscriber_components sc
              WHERE sc.subscriber_id = s.id AND sc.component_id IN (SELECT value FROM json_each(${job.componentIds}))
            )
          )`).changes;
      if (rows > 0) {
        // The batch's recipients per channel, for the proof of delivery: only this job's rows in this id range.
        tx.run(sql`
          INSERT INTO notify_job_channels (job_id, channel, recipients)
          SELECT ${job.id}, s.kind, count(*) FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id
          WHERE o.event = ${job.event} AND o.job_id = ${job.id} AND o.subscriber_id > ${from} AND o.subscriber_id <= ${through}
          GROUP BY s.kind
          ON CONFLICT (job_id, channel) DO UPDATE SET recipients = recipients + excluded.recipients`);
      }
      const done = through >= job.lastSubscriberId;
      tx.update(notifyJobs)
        .set({ expandedThrough: through, recipients: sql`${notifyJobs.recipients} + ${rows}`, expandedAt: done ? now : null })
        .where(eq(notifyJobs.id, job.id))
        .run();
      return { jobId: job.id, rows, done };
    },
    { behavior: 'immediate' },
  );
}

/** Rows a worker could claim now: queued, due, not leased. Counted up to `cap`. */
export function dueCount(db: HeraldDb, cap: number, now = new Date()): number {
  return (
    db.get<{ n: number }>(sql`
      SELECT count(*) AS n FROM (
        SELECT 1 FROM outbox
        WHERE status = 'queued' AND next_attempt_at <= ${now.getTime()} AND (lease_until IS NULL OR lease_until <= ${now.getTime()})
        LIMIT ${cap}
      )`)?.n ?? 0
  );
}

/**
 * Stops the jobs `which` selects (what they announce went to the trash): no
 * more expansion. The caller deletes their queued rows; sent counts and failures stay.
 */
export function dropJobs(tx: Pick<HeraldDb, 'update'>, which: SQL | undefined, now: Date): void {
  tx.update(notifyJobs).set({ droppedAt: now }).where(and(which, isNull(notifyJobs.droppedAt))).run();
}

/** Deletes jobs (and their remaining rows: the foreign key has no cascade). */
export function deleteJobs(tx: Pick<HeraldDb, 'select' | 'delete'>, which: SQL | undefined): number {
  const ids = tx.select({ id: notifyJobs.id }).from(notifyJobs).where(which).all().map((r) => r.id);
  if (ids.length === 0) return 0;
  tx.delete(outbox).where(inArray(outbox.jobId, ids)).run();
  return tx.delete(notifyJobs).where(inArray(notifyJobs.id, ids)).run().changes;
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

/**
 * Records rows as sent, several in one commit (each commit is a disk sync). A
 * job's rows are deleted and counted on the job; other rows are marked sent.
 */
export function markSent(db: HeraldDb, ids: number[], now = new Date()): void {
  if (ids.length === 0) return;
  db.transaction((tx) => {
    const perChannel = tx.all<{ jobId: number; channel: SubscriberKind; n: number }>(sql`
      SELECT o.job_id AS jobId, s.kind AS channel, count(*) AS n FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id
      WHERE o.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND o.job_id IS NOT NULL
      GROUP BY o.job_id, s.kind`);
    const perJob = new Map<number, number>();
    for (const { jobId, channel, n } of perChannel) {
      perJob.set(jobId, (perJob.get(jobId) ?? 0) + n);
      tx.insert(notifyJobChannels)
        .values({ jobId, channel, sent: n, lastSentAt: now })
        .onConflictDoUpdate({ target: [notifyJobChannels.jobId, notifyJobChannels.channel], set: { sent: sql`${notifyJobChannels.sent} + ${n}`, lastSentAt: now } })
        .run();
    }
    for (const [jobId, n] of perJob) {
      tx.update(notifyJobs).set({ sent: sql`${notifyJobs.sent} + ${n}` }).where(eq(notifyJobs.id, jobId)).run();
    }
    if (perJob.size) tx.delete(outbox).where(and(inArray(outbox.id, ids), isNotNull(outbox.jobId))).run();
    tx.update(outbox).set({ status: 'sent', sentAt: now, leaseUntil: null, lastError: null }).where(inArray(outbox.id, ids)).run();
  });
}

/** A temporary failure: try again at `retryAt`, or give up (failed) when that is past `giveUpAt`. */
export function markRetry(db: HeraldDb, row: OutboxRow, error: string, retryAt: Date, giveUpAt: Date): void {
  const failed = retryAt > giveUpAt;
  db.update(outbox)
    .set({ status: failed ? 'failed' : 'queued', nextAttemptAt: retryAt, leaseUntil: null, lastError: failed ? `gave up: ${error}` : error })
    .where(eq(outbox.id, row.id))
    .run();
}

/** Puts a claimed row back in the queue until `at` without using up an attempt (a chat post waiting for its slot, or for Retry-After). */
export function deferRow(db: Pick<HeraldDb, 'update'>, id: number, at: Date, error?: string): void {
  db.update(outbox)
    .set({ status: 'queued', nextAttemptAt: at, leaseUntil: null, attempts: sql`max(${outbox.attempts} - 1, 0)`, ...(error ? { lastError: error } : {}) })
    .where(eq(outbox.id, id))
    .run();
}

export function markFailed(db: Pick<HeraldDb, 'update'>, id: number, error: string): void {
  db.update(outbox).set({ status: 'failed', leaseUntil: null, lastError: error }).where(eq(outbox.id, id)).run();
}

/** Staff's "retry now": failed or waiting rows (all failed ones, or a job's) go back to the front of the queue. */
export function retryNow(db: HeraldDb, ids: number[] | 'all-failed' | { job: number }, now = new Date()): number {
  const which =
    ids === 'all-failed'
      ? eq(outbox.status, 'failed')
      : 'job' in ids
        ? and(eq(outbox.jobId, ids.job), eq(outbox.status, 'failed'))
        : and(inArray(outbox.id, ids), or(eq(outbox.status, 'failed'), eq(outbox.status, 'queued')));
  return db.update(outbox).set({ status: 'queued', nextAttemptAt: now, leaseUntil: null }).where(which).run().changes;
}

/** Messages queued (expanded, not yet sent), sent (counted on jobs, or rows kept), and failed. */
export function outboxCounts(db: HeraldDb): Record<OutboxRow['status'], number> {
  const counts = { queued: 0, sent: 0, failed: 0 };
  for (const row of db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all()) counts[row.status] = row.n;
  counts.sent += db.select({ n: sql<number>`coalesce(sum(${notifyJobs.sent}), 0)` }).from(notifyJobs).get()?.n ?? 0;
  return counts;
}

export interface JobSummary {
  job: NotifyJobRow;
  queued: number;
  failed: number;
}

/** The newest jobs with what is still queued and what failed, for the console. */
export function recentJobs(db: HeraldDb, limit = 20): JobSummary[] {
  const jobs = db.select().from(notifyJobs).orderBy(desc(notifyJobs.id)).limit(limit).all();
  if (jobs.length === 0) return [];
  const counts = db
    .select({ jobId: outbox.jobId, status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .where(inArray(outbox.jobId, jobs.map((j) => j.id)))
    .groupBy(outbox.jobId, outbox.status)
    .all();
  const of = (id: number, status: OutboxRow['status']) => counts.find((c) => c.jobId === id && c.status === status)?.n ?? 0;
  return jobs.map((job) => ({ job, queued: of(job.id, 'queued'), failed: of(job.id, 'failed') }));
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

const channels = subscriberKinds;

/**
 * The delivery report of one notification (`update:<row id>` or a window's
 * moment), or null when none was queued (posted without notifying, or nobody
 * subscribed). Reads the job, its channel counts and its remaining rows
 * through their indexes: the cost follows what is still queued or failed.
 */
export function deliveryReport(db: HeraldDb, event: string): DeliveryReport | null {
  const job = db.select().from(notifyJobs).where(eq(notifyJobs.event, event)).get();
  if (!job) return null;
  const counted = db.select().from(notifyJobChannels).where(eq(notifyJobChannels.jobId, job.id)).all();
  const pending = db.all<{ channel: SubscriberKind; status: OutboxRow['status']; reason: string | null; n: number }>(sql`
    SELECT s.kind AS channel, o.status AS status, CASE WHEN o.status = 'failed' THEN o.last_error END AS reason, count(*) AS n
    FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id
    WHERE o.job_id = ${job.id} AND o.status IN ('queued', 'failed')
    GROUP BY s.kind, o.status, reason`);
  const sum = (channel: string, status: string) => pending.filter((p) => p.channel === channel && p.status === status).reduce((n, p) => n + p.n, 0);
  const report = channels
    .map((channel) => {
      const row = counted.find((c) => c.channel === channel);
      return { channel, recipients: row?.recipients ?? 0, accepted: row?.sent ?? 0, failed: sum(channel, 'failed'), queued: sum(channel, 'queued'), lastSentAt: row?.lastSentAt ?? null };
    })
    .filter((c) => c.recipients > 0);
  const reasons = new Map<string, number>();
  for (const p of pending) if (p.status === 'failed') reasons.set(p.reason ?? 'unknown', (reasons.get(p.reason ?? 'unknown') ?? 0) + p.n);
  const queued = report.reduce((n, c) => n + c.queued, 0);
  return {
    queuedAt: job.createdAt,
    expanded: job.expandedAt !== null,
    droppedAt: job.droppedAt,
    channels: report,
    failures: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    finished: (job.expandedAt !== null || job.droppedAt !== null) && queued === 0,
  };
}

/** How many subscribers accepted each update's notification so far, by update row id (through the unique event index). */
export function acceptedCounts(db: HeraldDb, updateRowIds: number[]): Map<number, number> {
  if (updateRowIds.length === 0) return new Map();
  const rows = db
    .select({ event: notifyJobs.event, sent: notifyJobs.sent })
    .from(notifyJobs)
    .where(inArray(notifyJobs.event, updateRowIds.map((id) => `update:${id}`)))
    .all();
  return new Map(rows.map((r) => [Number(r.event.slice('update:'.length)), r.sent]));
}

const deliveryCountsSetting = 'public-delivery-counts';

/** Whether the public incident page says how many subscribers each update reached (an owner's choice; off by default). */
export function showsDeliveryCounts(db: HeraldDb): boolean {
  return switchIsOn(db, deliveryCountsSetting);
}

export function setShowsDeliveryCounts(db: Pick<HeraldDb, 'insert'>, on: boolean): void {
  setSwitch(db, deliveryCountsSetting, on);
}

const followerCountSetting = 'public-follower-count';

/** Whether an owner chose to say on the public subscribe form how many follow by email. Off by default. */
export function showsFollowerCount(db: HeraldDb): boolean {
  return switchIsOn(db, followerCountSetting);
}

export function setShowsFollowerCount(db: Pick<HeraldDb, 'insert'>, on: boolean): void {
  setSwitch(db, followerCountSetting, on);
}

/** The switch read, prepared once per database: public pages read one on every render. */
const switchReads = new WeakMap<HeraldDb, ReturnType<typeof prepareSwitchRead>>();

function prepareSwitchRead(db: HeraldDb) {
  return db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare();
}

function switchIsOn(db: HeraldDb, key: string): boolean {
  let read = switchReads.get(db);
  if (!read) switchReads.set(db, (read = prepareSwitchRead(db)));
  return read.get({ key })?.value === 'on';
}

function setSwitch(db: Pick<HeraldDb, 'insert'>, key: string, on: boolean): void {
  db.insert(settings)
    .values({ key, value: on ? 'on' : 'off' })
    .onConflictDoUpdate({ target: settings.key, set: { value: on ? 'on' : 'off' } })
    .run();
}
