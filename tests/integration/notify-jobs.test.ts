// Notify jobs on a real database: the update's transaction writes one row
// whatever the number of subscribers; the worker expands it in batches and
// resumes after a crash between them with nobody lost or told twice; who
// joins or confirms after the update is not told; and a delivered update
// leaves its sent count, not a row per recipient, so the database hardly grows.
import { count, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyJobs, outbox, subscriberComponents, subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import type { Mail } from '../../src/lib/mail/messages';
import { openDatabase, type HeraldDb } from '../../src/lib/server/db';
import { DeliveryWorker, type MailTransport } from '../../src/lib/server/subscribers/delivery';
import { expandNext, outboxCounts, recentJobs } from '../../src/lib/server/subscribers/outbox';
import { contentFolder } from '../../src/lib/server/paths';
import { purgeExpired } from '../../src/lib/server/storage/retention';
import { createIncident, postUpdate } from '../../src/lib/server/publishing/staff-actions';
import { confirmSubscriber } from '../../src/lib/server/subscribers/subscriptions';
import { freshContext } from '../helpers/temp-db';

const page = readContentFolder(contentFolder).page;
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});

/** A transport that keeps the recipients of what it was handed. */
function memoryTransport(): MailTransport & { to: string[] } {
  const to: string[] = [];
  return { to, send: async (mail: Mail) => void to.push(mail.to), close: () => {} };
}

function workerFor(db: HeraldDb, path: string, authored: ReturnType<typeof freshContext>['authored'], transport: MailTransport, expandBatch?: number) {
  const config = loadConfig({ HERALD_DB: path, SITE_URL: 'https://status.example.com', SMTP_URL: 'smtp://127.0.0.1:9/' });
  const worker = new DeliveryWorker({ db, authored, config, page, transport, idleMs: 5, expandBatch });
  workers.push(worker);
  return worker;
}

function addSubscribers(db: HeraldDb, n: number, prefix = 's', confirmedAt: Date | null = new Date()) {
  for (let start = 0; start < n; start += 5000) {
    const rows = Array.from({ length: Math.min(5000, n - start) }, (_, k) => ({
      kind: 'email' as const,
      address: `${prefix}${start + k}@example.com`,
      confirmedAt,
      createdAt: new Date(),
    }));
    db.insert(subscribers).values(rows).run();
  }
}

const rowsIn = (db: HeraldDb, table: typeof outbox | typeof notifyJobs) => db.select({ n: count() }).from(table).get()!.n;

/** Runs rounds until every job is expanded and nothing is queued. */
async function deliverAll(worker: DeliveryWorker, db: HeraldDb) {
  for (let round = 0; round < 10_000; round++) {
    await worker.runOnce();
    const pending = db.get<{ n: number }>(sql`SELECT (SELECT count(*) FROM notify_jobs WHERE expanded_at IS NULL AND dropped_at IS NULL) + (SELECT count(*) FROM outbox WHERE status = 'queued') AS n`)!.n;
    if (pending === 0) return;
  }
  throw new Error('never finished delivering');
}

const dbBytes = (db: HeraldDb) => {
  const pages = db.$client.pragma('page_count', { simple: true }) as number;
  const size = db.$client.pragma('page_size', { simple: true }) as number;
  return pages * size;
};

describe('notify jobs', () => {
  it('the update’s transaction writes one job row, with 3 or 5,000 subscribers, and no outbox row', () => {
    for (const n of [3, 5000]) {
      const ctx = freshContext();
      addSubscribers(ctx.db, n);
      const before = { outbox: rowsIn(ctx.db, outbox), jobs: rowsIn(ctx.db, notifyJobs) };
      const id = createIncident(ctx, { title: `With ${n}`, impact: 'minor', message: 'x' });
      expect({ outbox: rowsIn(ctx.db, outbox), jobs: rowsIn(ctx.db, notifyJobs) }).toEqual({ outbox: before.outbox, jobs: before.jobs + 1 });
      const job = ctx.db.select().from(notifyJobs).get()!;
      expect(job).toMatchObject({ incidentId: id, expandedThrough: 0, recipients: 0, sent: 0, expandedAt: null });
      expect(job.lastSubscriberId).toBe(ctx.db.get<{ id: number }>(sql`SELECT max(id) AS id FROM subscribers`)!.id);
      postUpdate(ctx, id, { status: 'identified', message: 'y', notify: false });
      expect(rowsIn(ctx.db, notifyJobs)).toBe(before.jobs + 1); // not notifying writes no job
    }
  });

  it('resumes after a crash between expansion batches: everyone once, nobody twice', async () => {
    const ctx = freshContext();
    addSubscribers(ctx.db, 230);
    // Two follow only dns: this webmail incident is not theirs.
    const [a, b] = ctx.db.select({ id: subscribers.id }).from(subscribers).limit(2).all();
    ctx.db.insert(subscriberComponents).values([{ subscriberId: a.id, componentId: 'dns' }, { subscriberId: b.id, componentId: 'dns' }]).run();
    createIncident(ctx, { title: 'Crash mid-expansion', impact: 'major', message: 'x', components: [{ id: 'webmail', status: 'major_outage' }] });

    // The first worker expands one batch, sends part of it, and dies (its connection closed, nothing more recorded).
    expect(expandNext(ctx.db, 100)).toMatchObject({ rows: 98, done: false });
    const firstTransport = memoryTransport();
    const first = workerFor(ctx.db, ctx.path, ctx.authored, firstTransport, 100);
    await first.runOnce(); // one round: sends what is due (and may expand more)
    workers.splice(workers.indexOf(first), 1);
    const job = ctx.db.select().from(notifyJobs).get()!;
    expect(job.expandedThrough).toBeGreaterThan(0);
    ctx.db.$client.close();

    // Another process opens the database and carries on from the job's cursor.
    const db = openDatabase(ctx.path);
    const secondTransport = memoryTransport();
    await deliverAll(workerFor(db, ctx.path, ctx.authored, secondTransport, 100), db);
    const everyone = [...firstTransport.to, ...secondTransport.to];
    expect(everyone).toHaveLength(228);
    expect(new Set(everyone).size).toBe(228);
    expect(everyone).not.toContain('s0@example.com');
    expect(db.select().from(notifyJobs).get()).toMatchObject({ recipients: 228, sent: 228, expandedThrough: job.lastSubscriberId });
    expect(db.select().from(notifyJobs).get()!.expandedAt).toBeInstanceOf(Date);
    expect(rowsIn(db, outbox)).toBe(0);
    expect(outboxCounts(db)).toEqual({ queued: 0, sent: 228, failed: 0 });
    db.$client.close();
  });

  it('two workers expanding the same job never expand a subscriber twice', () => {
    const ctx = freshContext();
    addSubscribers(ctx.db, 500);
    createIncident(ctx, { title: 'Two workers', impact: 'minor', message: 'x' });
    const other = openDatabase(ctx.path);
    let expansion;
    for (let turn = 0; (expansion = expandNext(turn % 2 ? other : ctx.db, 70)) && !expansion.done; turn++);
    expect(rowsIn(ctx.db, outbox)).toBe(500);
    expect(ctx.db.get<{ n: number }>(sql`SELECT count(DISTINCT subscriber_id) AS n FROM outbox`)!.n).toBe(500);
    other.$client.close();
  });

  it('does not tell subscribers who join or confirm after the update was posted', async () => {
    const ctx = freshContext();
    addSubscribers(ctx.db, 3, 'early');
    addSubscribers(ctx.db, 1, 'waiting', null); // subscribed, not confirmed yet
    createIncident(ctx, { title: 'Before they came', impact: 'minor', message: 'x' });
    // Afterwards: one confirms, one new subscriber joins confirmed, before the worker runs.
    const waiting = ctx.db.select().from(subscribers).all().find((s) => s.address === 'waiting0@example.com')!;
    await new Promise((r) => setTimeout(r, 5));
    confirmSubscriber(ctx.db, waiting);
    addSubscribers(ctx.db, 1, 'late');
    const transport = memoryTransport();
    await deliverAll(workerFor(ctx.db, ctx.path, ctx.authored, transport), ctx.db);
    expect(transport.to.sort()).toEqual(['early0@example.com', 'early1@example.com', 'early2@example.com']);
    // The next update reaches all five.
    createIncident(ctx, { title: 'After', impact: 'minor', message: 'y' });
    transport.to.length = 0;
    await deliverAll(workerFor(ctx.db, ctx.path, ctx.authored, transport), ctx.db);
    expect(transport.to).toHaveLength(5);
  });

  it('a delivered update to 20,000 subscribers grows the database by far less than a row per recipient', async () => {
    const n = 20_000;
    // What a row per recipient costs: the old outbox kept one for 30 days.
    const old = freshContext();
    addSubscribers(old.db, n);
    const oldBefore = dbBytes(old.db);
    old.db.run(sql`
      INSERT INTO outbox (subscriber_id, event, incident_id, update_id, status, attempts, next_attempt_at, sent_at, created_at)
      SELECT id, 'update:1', '2026-12-01-benchmark-incident', 1, 'sent', 1, 0, 0, 0 FROM subscribers`);
    const perRowBytes = dbBytes(old.db) - oldBefore;
    old.db.$client.close();

    const ctx = freshContext();
    addSubscribers(ctx.db, n);
    const before = dbBytes(ctx.db);
    createIncident(ctx, { title: 'Benchmark incident', impact: 'major', message: 'Mail is **delayed**.' });
    const transport = memoryTransport();
    const worker = workerFor(ctx.db, ctx.path, ctx.authored, transport);
    await deliverAll(worker, ctx.db);
    purgeExpired(ctx.db, { trashDays: 7, auditDays: 180 });
    const growth = dbBytes(ctx.db) - before;
    expect(transport.to).toHaveLength(n);
    expect(recentJobs(ctx.db)[0]).toMatchObject({ job: { recipients: n, sent: n }, queued: 0, failed: 0 });
    expect(rowsIn(ctx.db, outbox)).toBe(0);
    console.log(`notify storage at ${n}: ${(growth / 1024).toFixed(0)} KiB for a delivered update; a row per recipient: ${(perRowBytes / 1024).toFixed(0)} KiB`);
    expect(perRowBytes).toBeGreaterThan(n * 60);
    expect(growth).toBeLessThan(perRowBytes / 4);
    expect(growth).toBeLessThan(1024 * 1024);

    // The next update reuses the pages the first one freed.
    const second = dbBytes(ctx.db);
    createIncident(ctx, { title: 'Second', impact: 'minor', message: 'Again.' });
    await deliverAll(worker, ctx.db);
    expect(dbBytes(ctx.db) - second).toBeLessThan(64 * 1024);
  }, 120_000);
});
