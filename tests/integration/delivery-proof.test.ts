// Proof of delivery: for each update, per channel, how many subscribers it
// went to, how many the real SMTP server (and a real webhook receiver)
// accepted, what failed and why, and when the last one went out; live while
// sending, through the report the console and the HTTP API show.
import { afterEach, describe, expect, it } from 'vitest';
import { subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { createIncident } from '../../src/lib/server/publishing/staff-actions';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { acceptedCounts, deliveryReport, setShowsDeliveryCounts, showsDeliveryCounts } from '../../src/lib/server/subscribers/outbox';
import { subscribeWebhook } from '../../src/lib/server/subscribers/webhooks';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { freshContext } from '../helpers/temp-db';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const page = readContentFolder(contentFolder).page;
const peers: (SmtpSink | WebhookReceiver)[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const p of peers.splice(0)) await p.close();
});

describe('proof of delivery', () => {
  it('counts recipients, accepted and failed per channel, with the reasons and the last send, as it goes', async () => {
    const sink = await startSmtpSink({ rejectRecipients: { 'gone@example.com': 550 } });
    const receiver = await startWebhookReceiver();
    peers.push(sink, receiver);
    const ctx = freshContext();
    const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url, WEBHOOK_ALLOW_PRIVATE: '1' });
    const now = new Date();
    ctx.db
      .insert(subscribers)
      .values(['a@example.com', 'b@example.com', 'gone@example.com'].map((address) => ({ kind: 'email' as const, address, confirmedAt: now, createdAt: now })))
      .run();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/hook`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });

    createIncident(ctx, { title: 'Webmail down', impact: 'major', message: 'Looking.' });
    const updateRow = ctx.db.$client.prepare('SELECT max(id) FROM incident_updates').pluck().get() as number;
    const event = `update:${updateRow}`;

    // Posted, not yet picked up by the worker: queued, nothing sent, not finished.
    const queued = deliveryReport(ctx.db, event)!;
    expect(queued).toMatchObject({ expanded: false, finished: false, channels: [], failures: [] });

    const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
    workers.push(worker);
    while (!deliveryReport(ctx.db, event)!.finished) await worker.runOnce();
    await sink.waitFor(2);
    await receiver.waitFor(1);

    const report = deliveryReport(ctx.db, event)!;
    expect(report.expanded).toBe(true);
    expect(report.channels.map(({ lastSentAt, ...c }) => ({ ...c, sentAt: lastSentAt !== null }))).toEqual([
      { channel: 'email', recipients: 3, accepted: 2, failed: 1, queued: 0, sentAt: true },
      { channel: 'webhook', recipients: 1, accepted: 1, failed: 0, queued: 0, sentAt: true },
    ]);
    expect(report.channels[0].lastSentAt!.getTime()).toBeGreaterThanOrEqual(now.getTime());
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].count).toBe(1);
    expect(report.failures[0].reason).toMatch(/no such user/);
    expect(report.failures[0].reason).not.toContain('gone@example.com');
    // What the public page may show, when an owner chooses: accepted, all channels.
    expect(showsDeliveryCounts(ctx.db)).toBe(false);
    setShowsDeliveryCounts(ctx.db, true);
    expect(showsDeliveryCounts(ctx.db)).toBe(true);
    expect(acceptedCounts(ctx.db, [updateRow, updateRow + 99])).toEqual(new Map([[updateRow, 3]]));
  });

  it('has no report for an update posted without notifying', () => {
    const ctx = freshContext();
    const now = new Date();
    ctx.db.insert(subscribers).values({ kind: 'email', address: 'a@example.com', confirmedAt: now, createdAt: now }).run();
    createIncident(ctx, { title: 'Quiet', impact: 'minor', message: 'x', notify: false });
    const row = ctx.db.$client.prepare('SELECT max(id) FROM incident_updates').pluck().get();
    expect(deliveryReport(ctx.db, `update:${row}`)).toBeNull();
  });
});
