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
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { notifyJobs, outbox, subscribers } from '../src/db/schema';
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
type Report = { cpu: Cpu; received?: number; loop?: { p50: number; p99: number; max: number } };

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
    { pageName: content.page.name, siteUrl: config.siteUrl, timeZone: content.page.time_zone, componentNames: new Map() },
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
  process.exit(0);
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
else if (role === 'worker') runWorker();
else await main();
