// npm run bench:notify: one update to 100,000 confirmed subscribers.
// Three processes, so no figure pays for another's work: the SMTP sink
// (smtp-server) in a child of its own; Herald's delivery worker in another
// child, started as `herald worker` starts it (startDeliveryWorker on the
// database file); and this process, which posts the update and then runs the
// baseline, a bare pooled nodemailer loop sending Herald's own rendering of
// the update to the same sink. Prints the update's transaction time, each
// delivery rate with the CPU time of the sender and of the sink, their ratio,
// the worker's event-loop delay, and the database bytes the delivered update
// left behind (after retention has run).
// BENCH_SUBSCRIBERS shrinks the run (default 100000).
// Then chat: an incident and two quick updates to BENCH_CHANNELS chat channels
// (default 1000, spread over the five platforms) at receivers in a child of
// their own that answer 429 to any webhook posted to faster than its platform
// allows, beside a bare loop posting the same messages unpaced.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { Agent, request } from 'node:http';
import { notifyJobs, outbox, subscribers } from '../src/db/schema';
import { chatPlatforms } from '../src/db/constants';
import { postUpdate } from '../src/lib/server/publishing/staff-actions';
import { startChatReceivers } from '../tests/helpers/chat-receivers';
import { loadConfig } from '../src/lib/config';
import { readContentFolder } from '../src/lib/content/index';
import { updateMail } from '../src/lib/mail/messages';
import { syncCatalog } from '../src/lib/server/publishing/content-sync';
import { openDatabase, type HeraldDb } from '../src/lib/server/db';
import { startDeliveryWorker } from '../src/lib/server/subscribers/delivery';
import { readLiveLog } from '../src/lib/server/read-model';
import { contentFolder } from '../src/lib/server/paths';
import { purgeExpired } from '../src/lib/server/storage/retention';
import { createIncident } from '../src/lib/server/publishing/staff-actions';
import { mergeTimeline } from '../src/lib/timeline';

type Cpu = { user: number; system: number };
type Report = { cpu: Cpu; received?: number; limited?: number; problems?: number; loop?: { p50: number; p99: number; max: number } };

const role = process.argv[2];

/** A child answers `report` with its CPU time (and what else it knows), over IPC. */
function answerReports(extra: () => Omit<Report, 'cpu'>) {
  process.on('message', (message: { type: string }) => {
    if (message.type === 'report') process.send!({ type: 'report', cpu: process.cpuUsage(), ...extra() });
    if (message.type === 'exit') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0)); // the bench is gone
}

function child(name: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [name], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function once<T>(process: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve(message as T);
    };
    process.on('message', listener);
  });
}

async function report(process: ChildProcess): Promise<Report> {
  const answer = once<Report>(process, 'report');
  process.send({ type: 'report' });
  return answer;
}

const cpuSeconds = (after: Cpu, before: Cpu) => (after.user - before.user + after.system - before.system) / 1e6;
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dbBytes = (db: HeraldDb) => (db.$client.pragma('page_count', { simple: true }) as number) * (db.$client.pragma('page_size', { simple: true }) as number);

async function main() {
  const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
  const sink = child('sink');
  const { port } = await once<{ port: number }>(sink, 'ready');
  const smtpUrl = `smtp://127.0.0.1:${port}/?ignoreTLS=true`;
  const until = async (count: number) => {
    while (((await report(sink)).received ?? 0) < count) await sleep(50);
  };

  // The database: the catalog and the subscribers.
  const folder = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const env = { ...process.env, HERALD_DB: join(folder, 'herald.db'), SMTP_URL: smtpUrl, SITE_URL: 'https://status.example.com' };
  const config = loadConfig(env);
  const db = openDatabase(config.databasePath);
  const content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  const now = new Date();
  db.transaction((tx) => {
    for (let start = 0; start < subscriberCount; start += 5000) {
      const rows = [];
      for (let n = start; n < Math.min(start + 5000, subscriberCount); n++) rows.push({ kind: 'email' as const, address: `s${n}@example.com`, confirmedAt: now, createdAt: now });
      tx.insert(subscribers).values(rows).run();
    }
  });
  db.$client.pragma('wal_checkpoint(TRUNCATE)');

  // Herald: the worker waits in its own process; the update is posted here, as the API would.
  const worker = child('worker', env);
  await once(worker, 'ready');
  const bytesBefore = dbBytes(db);
  const [workerBefore, sinkBefore] = [await report(worker), await report(sink)];
  const postStart = process.hrtime.bigint();
  createIncident({ db, authored: content.authored }, { title: 'Benchmark incident', impact: 'major', message: 'Mail is **delayed**. We are on it.' });
  const postSeconds = seconds(postStart);
  const outboxRowsAfterPost = db.select().from(outbox).all().length;
  const heraldStart = process.hrtime.bigint();
  await until(subscriberCount);
  const heraldSeconds = seconds(heraldStart);
  const [workerAfter, sinkAfter] = [await report(worker), await report(sink)];
  // Recorded: every delivery counted on the job, no row left; then retention as the server runs it daily.
  while ((db.select({ sent: notifyJobs.sent }).from(notifyJobs).get()?.sent ?? 0) < subscriberCount) await sleep(50);
  worker.send({ type: 'exit' });
  purgeExpired(db, config.retention);
  const bytesPerUpdate = dbBytes(db) - bytesBefore;

  // Baseline: the same messages (Herald's own rendering of this update,
  // headers and all) through a bare pooled nodemailer loop, 5 at a time like the worker.
  sink.send({ type: 'reset' });
  const incident = mergeTimeline(content.authored, readLiveLog(db), new Date()).find((i) => i.title === 'Benchmark incident')!;
  const sample = updateMail(
    { pageName: content.page.name, siteUrl: config.siteUrl, timeZone: content.page.time_zone, componentNames: new Map(), locale: content.page.default_language, defaultLocale: content.page.default_language },
    incident,
    incident.updates[0],
    1,
    { id: 1, address: 's0@example.com' },
    { manage: 'https://status.example.com/subscribe/manage?s=1&t=x', unsubscribe: 'https://status.example.com/unsubscribe?s=1&t=x' },
  );
  const bare = nodemailer.createTransport(`${smtpUrl}&pool=true&maxConnections=5`);
  const [bareCpuBefore, sinkBareBefore] = [process.cpuUsage(), await report(sink)];
  const bareStart = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (next < subscriberCount) {
        const n = next++;
        await bare.sendMail({ ...sample, from: config.mail.from, to: `s${n}@example.com`, messageId: `<bare.${n}@example.com>` });
      }
    }),
  );
  await until(subscriberCount);
  const bareSeconds = seconds(bareStart);
  const [bareCpu, sinkBareAfter] = [process.cpuUsage(bareCpuBefore), await report(sink)];
  bare.close();
  sink.send({ type: 'exit' });

  const heraldRate = subscriberCount / heraldSeconds;
  const bareRate = subscriberCount / bareSeconds;
  const n = subscriberCount.toLocaleString('en');
  const loop = workerAfter.loop!;
  const cpu = (s: number, wall: number) => `${s.toFixed(1)} s CPU (${((100 * s) / wall).toFixed(0)}% of a core)`;
  console.log(`subscribers                   ${n}`);
  console.log(`post the update (API side)    ${(postSeconds * 1000).toFixed(1)} ms for the staff action and its transaction; ${outboxRowsAfterPost} outbox rows, 1 notify job (target < 50 ms)`);
  console.log(`Herald delivery               ${n} messages in ${heraldSeconds.toFixed(1)} s = ${heraldRate.toFixed(0)} msg/s, posted to the last message received`);
  console.log(`  worker process              ${cpu(cpuSeconds(workerAfter.cpu, workerBefore.cpu), heraldSeconds)}; event loop p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`);
  console.log(`  sink process                ${cpu(cpuSeconds(sinkAfter.cpu, sinkBefore.cpu), heraldSeconds)}`);
  console.log(`bare nodemailer pool          ${n} messages in ${bareSeconds.toFixed(1)} s = ${bareRate.toFixed(0)} msg/s`);
  console.log(`  sending process             ${cpu((bareCpu.user + bareCpu.system) / 1e6, bareSeconds)}`);
  console.log(`  sink process                ${cpu(cpuSeconds(sinkBareAfter.cpu, sinkBareBefore.cpu), bareSeconds)}`);
  console.log(`ratio Herald / bare           ${(heraldRate / bareRate).toFixed(2)} (target >= 0.8)`);
  console.log(`database per delivered update ${(bytesPerUpdate / 1024).toFixed(0)} KiB after delivery and retention (page_count x page_size; target < 1 MiB)`);
  await chatBench(folder);
  process.exit(0);
}

/** Three messages (an incident, two updates posted at once after it) to every channel: Herald's worker, then a bare unpaced loop. */
async function chatBench(folder: string) {
  const channelCount = Number(process.env.BENCH_CHANNELS ?? 1000);
  if (channelCount <= 0) return;
  const messages = 3;
  const receivers = child('chat-sink', { ...process.env, BENCH_CHANNELS: String(channelCount) });
  const { urls } = await once<{ urls: string[] }>(receivers, 'ready');
  const env = { ...process.env, HERALD_DB: join(folder, 'chat.db'), SITE_URL: 'https://status.example.com', WEBHOOK_ALLOW_PRIVATE: '1' };
  const db = openDatabase(loadConfig(env).databasePath);
  const content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  const now = new Date();
  db.insert(subscribers)
    .values(urls.map((url, n) => ({ kind: 'chat' as const, address: `chat:bench-${n}`, secret: url, platform: chatPlatforms[n % chatPlatforms.length], label: `bench ${n}`, confirmedAt: now, createdAt: now })))
    .run();
  const worker = child('worker', env);
  await once(worker, 'ready');
  const [workerBefore, sinkBefore] = [await report(worker), await report(receivers)];
  const start = process.hrtime.bigint();
  const ctx = { db, authored: content.authored };
  const id = createIncident(ctx, { title: 'Benchmark chat incident', impact: 'major', message: 'Posting is **delayed**.' });
  postUpdate(ctx, id, { status: 'identified', message: 'Found it.' });
  postUpdate(ctx, id, { status: 'monitoring', message: 'Fixed; watching.' });
  const total = channelCount * messages;
  let sinkAfter = await report(receivers);
  while ((sinkAfter.received ?? 0) < total) {
    await sleep(50);
    sinkAfter = await report(receivers);
  }
  const heraldSeconds = seconds(start);
  const workerAfter = await report(worker);
  worker.send({ type: 'exit' });

  // Baseline: the same three bodies per channel, 5 at a time as fast as they go, over keep-alive.
  receivers.send({ type: 'reset' });
  const body = JSON.stringify({ text: 'Benchmark chat incident', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Benchmark chat incident' } }], embeds: [{ title: 'x' }], attachments: [] });
  const agent = new Agent({ keepAlive: true, maxSockets: 5 });
  const post = (url: string) =>
    new Promise<number>((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const bareBefore = process.cpuUsage();
  const bareStart = process.hrtime.bigint();
  const queue = Array.from({ length: messages }, () => urls).flat();
  let refusedBare = 0;
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) if ((await post(url)) === 429) refusedBare++;
    }),
  );
  const bareSeconds = seconds(bareStart);
  const bareCpu = process.cpuUsage(bareBefore);
  agent.destroy();
  receivers.send({ type: 'exit' });

  const n = channelCount.toLocaleString('en');
  const cpu = (s: number, wall: number) => `${s.toFixed(1)} s CPU (${((100 * s) / wall).toFixed(0)}% of a core)`;
  console.log(`chat channels                 ${n} (${chatPlatforms.map((p) => `${Math.ceil(channelCount / chatPlatforms.length)} ${p}`).join(', ')}), ${messages} messages each`);
  console.log(`Herald chat delivery          ${total.toLocaleString('en')} posts in ${heraldSeconds.toFixed(1)} s = ${(total / heraldSeconds).toFixed(0)} posts/s, the incident posted to the last post accepted`);
  console.log(`  refused by the platforms    ${sinkAfter.limited} posts answered 429 for coming faster than a webhook takes (target 0); ${sinkAfter.problems} payloads off the documented shape (target 0)`);
  console.log(`  worker process              ${cpu(cpuSeconds(workerAfter.cpu, workerBefore.cpu), heraldSeconds)}`);
  console.log(`  receiver process            ${cpu(cpuSeconds(sinkAfter.cpu, sinkBefore.cpu), heraldSeconds)}`);
  console.log(`bare unpaced loop             ${total.toLocaleString('en')} posts in ${bareSeconds.toFixed(1)} s; ${refusedBare.toLocaleString('en')} of them answered 429 (${cpu((bareCpu.user + bareCpu.system) / 1e6, bareSeconds)})`);
  console.log(`ratio Herald / bare time      ${(heraldSeconds / bareSeconds).toFixed(1)}x as long, the price of posting no message a platform would refuse`);
}

async function runChatSink() {
  const receivers = await startChatReceivers({ enforceLimits: true, keepPosts: false });
  const count = Number(process.env.BENCH_CHANNELS ?? 1000);
  const urls = Array.from({ length: count }, (_, n) => receivers.urlFor(chatPlatforms[n % chatPlatforms.length]));
  let offset = 0;
  answerReports(() => ({
    received: receivers.posts.slice(offset).filter((p) => p.status >= 200 && p.status < 300).length,
    limited: receivers.rateLimited(),
    problems: receivers.problems.length,
  }));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset') offset = receivers.posts.length;
  });
  process.send!({ type: 'ready', urls });
}

function runSink() {
  let received = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 50,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  sink.on('error', () => {});
  sink.listen(0, '127.0.0.1', () => process.send!({ type: 'ready', port: (sink.server.address() as { port: number }).port }));
  answerReports(() => ({ received }));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset') received = 0;
  });
}

function runWorker() {
  // As `herald worker` does (src/cli/main.ts), minus the signal handling.
  const config = loadConfig(process.env);
  const db = openDatabase(config.databasePath, { quickCheck: true });
  const content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  startDeliveryWorker(db, content, config);
  answerReports(() => ({ loop: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } }));
  process.send!({ type: 'ready' });
}

if (role === 'sink') runSink();
else if (role === 'chat-sink') await runChatSink();
else if (role === 'worker') runWorker();
else await main();
