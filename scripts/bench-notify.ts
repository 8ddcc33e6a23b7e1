// npm run bench:notify: one update to 100,000 confirmed subscribers.
// Prints the time to queue it, Herald's delivery rate into a local SMTP sink,
// a bare nodemailer pooled loop sending as many messages to the same sink in
// the same run (the baseline), their ratio, and how long the event loop was
// blocked while Herald delivered (the server shares that loop).
// BENCH_SUBSCRIBERS and BENCH_MESSAGES shrink the run (defaults 100000).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { subscribers } from '../src/db/schema';
import { loadConfig } from '../src/lib/config';
import { readContentFolder } from '../src/lib/content/index';
import { syncCatalog } from '../src/lib/server/catalog-sync';
import { openDatabase } from '../src/lib/server/db';
import { DeliveryWorker, mailTransport } from '../src/lib/server/delivery';
import { readLiveLog } from '../src/lib/server/live-log';
import { outboxCounts } from '../src/lib/server/outbox';
import { contentFolder } from '../src/lib/server/paths';
import { createIncident } from '../src/lib/server/staff-actions';
import { updateMail } from '../src/lib/mail/messages';
import { mergeTimeline } from '../src/lib/timeline';

const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const messageCount = Math.min(Number(process.env.BENCH_MESSAGES ?? subscriberCount), subscriberCount);

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
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
const port = (sink.server.address() as { port: number }).port;
const smtpUrl = `smtp://127.0.0.1:${port}/?ignoreTLS=true`;

async function until(count: number) {
  while (received < count) await new Promise((r) => setTimeout(r, 5));
}
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

// Herald: subscribers, one update, the worker.
const folder = mkdtempSync(join(tmpdir(), 'herald-bench-'));
const config = loadConfig({ HERALD_DB: join(folder, 'herald.db'), SMTP_URL: smtpUrl, SITE_URL: 'https://status.example.com' });
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

const enqueueStart = process.hrtime.bigint();
createIncident({ db, authored: content.authored }, { title: 'Benchmark incident', impact: 'major', message: 'Mail is **delayed**. We are on it.' });
const enqueueSeconds = seconds(enqueueStart);
const queued = outboxCounts(db).queued;

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const worker = new DeliveryWorker({ db, authored: content.authored, page: content.page, config, transport: mailTransport(config.mail), idleMs: 5 });
loopDelay.enable();
const heraldStart = process.hrtime.bigint();
worker.start();
await until(messageCount);
const heraldSeconds = seconds(heraldStart);
loopDelay.disable();
await worker.stop();

// Baseline: the same messages (Herald's own rendering of this update, headers
// and all) through a bare pooled nodemailer loop, 5 at a time like the worker.
received = 0;
const incident = mergeTimeline(content.authored, readLiveLog(db), new Date()).find((i) => i.title === 'Benchmark incident')!;
const sample = updateMail(
  { pageName: content.page.name, siteUrl: config.siteUrl, timeZone: content.page.time_zone },
  incident,
  incident.updates[0],
  1,
  { id: 1, address: 's0@example.com' },
  { manage: 'https://status.example.com/subscribe/manage?s=1&t=x', unsubscribe: 'https://status.example.com/unsubscribe?s=1&t=x' },
);
const bare = nodemailer.createTransport(`${smtpUrl}&pool=true&maxConnections=5`);
const bareStart = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: 5 }, async () => {
    while (next < messageCount) {
      const n = next++;
      await bare.sendMail({ ...sample, from: config.mail.from, to: `s${n}@example.com`, messageId: `<bare.${n}@example.com>` });
    }
  }),
);
await until(messageCount);
const bareSeconds = seconds(bareStart);
bare.close();
sink.close();

const heraldRate = messageCount / heraldSeconds;
const bareRate = messageCount / bareSeconds;
const ms = (ns: number) => (ns / 1e6).toFixed(1);
console.log(`subscribers                 ${subscriberCount.toLocaleString('en')}`);
console.log(`queue one update            ${enqueueSeconds.toFixed(3)} s for ${queued.toLocaleString('en')} rows (target < 2 s)`);
console.log(`Herald delivery             ${messageCount.toLocaleString('en')} messages in ${heraldSeconds.toFixed(1)} s = ${heraldRate.toFixed(0)} msg/s`);
console.log(`bare nodemailer pool        ${messageCount.toLocaleString('en')} messages in ${bareSeconds.toFixed(1)} s = ${bareRate.toFixed(0)} msg/s`);
console.log(`ratio Herald / bare         ${(heraldRate / bareRate).toFixed(2)} (target >= 0.8)`);
console.log(`event loop delay during it  p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms`);
process.exit(0);
