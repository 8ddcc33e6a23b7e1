// `herald worker` killed with SIGKILL in the middle of a batch, then started
// again: every subscriber still gets the update, and the only duplicates are
// the messages acknowledged but not yet recorded plus those in flight at the
// crash (RECORD_EVERY + DEFAULT_CONCURRENCY), as docs/integrators.md promises; the
// same when it dies while an update's notify job is still being expanded.
// Chat posts are recorded one by one, so their bound is the posts in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyJobs, subscribers } from '../../src/db/schema';
import { DEFAULT_CONCURRENCY, RECORD_EVERY } from '../../src/lib/server/subscribers/delivery';
import { outboxCounts } from '../../src/lib/server/subscribers/outbox';
import { projectRoot } from '../../src/lib/server/paths';
import { createIncident } from '../../src/lib/server/publishing/staff-actions';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startChatReceivers } from '../helpers/chat-receivers';
import { freshContext } from '../helpers/temp-db';

const children: ChildProcess[] = [];
let sink: SmtpSink | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await sink?.close();
});

function worker(db: string, smtpUrl: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [join(projectRoot, 'bin/herald.mjs'), 'worker'], {
    env: { ...process.env, HERALD_DB: db, SMTP_URL: smtpUrl, OUTBOX_LEASE_SECONDS: '1', SITE_URL: 'https://status.example.com', ...env },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

const count = 150;
const bound = RECORD_EVERY + DEFAULT_CONCURRENCY;

/** A fresh database with `count` confirmed subscribers, and a slow SMTP sink to crash the worker against. */
async function subscribedContext() {
  const smtp = (sink = await startSmtpSink({ delayMs: 40 }));
  const ctx = freshContext();
  const now = new Date();
  ctx.db
    .insert(subscribers)
    .values(Array.from({ length: count }, (_, n) => ({ kind: 'email' as const, address: `s${n}@example.com`, confirmedAt: now, createdAt: now })))
    .run();
  return { ctx, smtp };
}

/** Waits until every subscriber has a message, then checks what came twice stays within the documented bound. */
async function expectEveryoneOnceWithinBound() {
  const deadline = Date.now() + 45_000;
  const recipients = () => new Set(sink!.messages.flatMap((m) => [m.to].flat().flatMap((t) => t?.value.map((v) => v.address) ?? [])));
  while (recipients().size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(recipients().size).toBe(count);
  await new Promise((r) => setTimeout(r, 1500)); // anything else still coming would be a duplicate
  const duplicates = sink!.messages.length - count;
  expect(duplicates).toBeGreaterThanOrEqual(0);
  expect(duplicates).toBeLessThanOrEqual(bound);
}

describe('herald worker', () => {
  it('loses no notification when killed mid-batch and restarted, and resends at most the documented bound', async () => {
    const { ctx, smtp } = await subscribedContext();
    createIncident(ctx, { title: 'Crash test', impact: 'minor', message: 'Delivered despite a crash.' });

    // Killed well past the bound: had the worker recorded nothing, every
    // message before the crash would go again and the duplicates would exceed it.
    const killAfter = bound + 30;
    const first = worker(ctx.path, smtp.url);
    await smtp.waitFor(killAfter, 30_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const beforeRestart = smtp.messages.length;
    expect(beforeRestart).toBeLessThan(count);
    expect(outboxCounts(ctx.db).sent).toBeGreaterThan(0);

    worker(ctx.path, smtp.url);
    await expectEveryoneOnceWithinBound();
    expect(outboxCounts(ctx.db)).toMatchObject({ queued: 0, sent: count, failed: 0 });
  }, 90_000);

  it('killed between expansion batches, resumes from the job’s cursor: nobody skipped, duplicates within the bound', async () => {
    const { ctx, smtp } = await subscribedContext();
    createIncident(ctx, { title: 'Crash mid-expansion', impact: 'minor', message: 'Expanded ten at a time.' });
    // Ten subscribers per expansion step, eight steps a round: the job is still expanding when the worker dies.
    const env = { OUTBOX_EXPAND_BATCH: '10' };
    const first = worker(ctx.path, smtp.url, env);
    await smtp.waitFor(30, 30_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const job = ctx.db.select().from(notifyJobs).get()!;
    expect(job.expandedThrough).toBeGreaterThan(0);
    expect(job.expandedThrough).toBeLessThan(job.lastSubscriberId);
    expect(job.expandedAt).toBeNull();

    worker(ctx.path, smtp.url, env);
    await expectEveryoneOnceWithinBound();
    expect(ctx.db.select().from(notifyJobs).get()).toMatchObject({ recipients: count, sent: count });
    expect(outboxCounts(ctx.db)).toMatchObject({ queued: 0, sent: count, failed: 0 });
  }, 90_000);

  it('posts to every chat channel once across a SIGKILL: at most the posts in flight come twice', async () => {
    const receivers = await startChatReceivers({ delayMs: 40 });
    const ctx = freshContext();
    const now = new Date();
    const channels = 60;
    const urls = Array.from({ length: channels }, (_, n) => receivers.urlFor((['slack', 'discord', 'mattermost'] as const)[n % 3]));
    ctx.db
      .insert(subscribers)
      .values(urls.map((url, n) => ({ kind: 'chat' as const, address: `chat:test-${n}`, secret: url, platform: (['slack', 'discord', 'mattermost'] as const)[n % 3], label: `test ${n}`, confirmedAt: now, createdAt: now })))
      .run();
    createIncident(ctx, { title: 'Chat crash test', impact: 'minor', message: 'Posted despite a crash.' });
    const env = { WEBHOOK_ALLOW_PRIVATE: '1' };
    const first = worker(ctx.path, 'smtp://127.0.0.1:9', env);
    await receivers.waitFor(() => receivers.posts.length >= 20, 30_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(receivers.posts.length).toBeLessThan(channels);
    worker(ctx.path, 'smtp://127.0.0.1:9', env);
    await receivers.waitFor(() => urls.every((u) => receivers.postsTo(u).length >= 1), 45_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything else still coming would be a duplicate
    const duplicates = receivers.posts.length - channels;
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(DEFAULT_CONCURRENCY);
    expect(receivers.problems).toEqual([]);
    expect(outboxCounts(ctx.db)).toMatchObject({ queued: 0, sent: channels, failed: 0 });
    await receivers.close();
  }, 90_000);
});
