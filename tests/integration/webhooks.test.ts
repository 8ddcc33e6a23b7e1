// Webhooks below the web layer: the URL check (no loopback, private or
// link-local targets unless allowed), signed deliveries to a real HTTP
// receiver on loopback, retries through the outbox, 410 unsubscribing, and
// the address check repeated at send time.
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox, subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { outboxCounts } from '../../src/lib/server/subscribers/outbox';
import { contentFolder } from '../../src/lib/server/paths';
import { createIncident, postUpdate, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { checkWebhookUrl, sealStoredSecrets, signatureHeader, signWebhook, subscribeWebhook } from '../../src/lib/server/subscribers/webhooks';
import { openSecret, sealSecret } from '../../src/lib/server/secrets';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';
import { startWebhookReceiver, verifyHeraldSignature, type WebhookReceiver } from '../helpers/webhook-receiver';

const page = readContentFolder(contentFolder).page;
const receivers: WebhookReceiver[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const r of receivers.splice(0)) await r.close();
});

async function setup({ allowPrivate = true } = {}) {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const ctx = freshContext();
  const config = loadConfig({
    HERALD_DB: ctx.path,
    SITE_URL: 'https://status.example.com',
    MAIL_DIR: `${ctx.path}.mail`,
    MAIL_RETRY_MIN_SECONDS: '0.05',
    WEBHOOK_ALLOW_PRIVATE: allowPrivate ? '1' : '0',
  });
  const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
  workers.push(worker);
  return { ctx, receiver, worker, config };
}

/** Runs the worker until `done` holds (retries wait a few tens of milliseconds). */
async function deliverUntil(worker: DeliveryWorker, done: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('gave up waiting for deliveries');
    await worker.runOnce();
    await new Promise((r) => setTimeout(r, 30));
  }
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return (error as ActionError).message;
};

describe('webhook URLs', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://10.1.2.3/hook',
    'http://172.20.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'http://[::127.0.0.1]/hook',
    'http://[::ffff:0:127.0.0.1]/hook',
    'http://[64:ff9b::127.0.0.1]/hook',
    'http://[2002:7f00:1::]/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
  ])('refuses %s, which is not on the public internet', async (url) => {
    expect(await refusal(checkWebhookUrl(url, false))).toMatch(/not a public address/);
  });

  it.each([
    ['ftp://example.com/x', /https:\/\/ or http:\/\//],
    ['javascript:alert(1)', /https:\/\/ or http:\/\//],
    ['not a url', /not a URL/],
    ['https://user:pw@example.com/x', /user name or password/],
    ['', /required/],
  ])('refuses %s with a clear message', async (url, message) => {
    expect(await refusal(checkWebhookUrl(url, false))).toMatch(message);
  });

  it('accepts a public address, and a private one only when allowed', async () => {
    expect(await checkWebhookUrl('https://93.184.215.14/hooks#frag', false)).toBe('https://93.184.215.14/hooks');
    expect(await checkWebhookUrl('http://127.0.0.1:9/hook', true)).toBe('http://127.0.0.1:9/hook');
  });

  it('refuses the same URL twice instead of handing out a new secret', async () => {
    const { ctx, receiver } = await setup();
    const input = { url: `${receiver.url}/a`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true };
    expect(await subscribeWebhook(ctx.db, input)).not.toBeNull();
    expect(await refusal(subscribeWebhook(ctx.db, input))).toMatch(/already subscribed/);
  });
});

describe('webhook deliveries', () => {
  it('POSTs each update once, signed with the subscriber’s secret, to those it concerns', async () => {
    const { ctx, receiver, worker } = await setup();
    const all = (await subscribeWebhook(ctx.db, { url: `${receiver.url}/all`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true }))!;
    const dns = (await subscribeWebhook(ctx.db, { url: `${receiver.url}/dns`, componentIds: ['dns'], clientAddress: '192.0.2.1', allowPrivate: true }))!;
    const id = createIncident(ctx, {
      title: 'Webmail <b>down</b>',
      impact: 'major',
      message: 'We are **investigating**.',
      components: [{ id: 'webmail', status: 'major_outage' }],
    });
    postUpdate(ctx, id, { status: 'identified', message: 'A bad deploy.' });
    await deliverUntil(worker, () => receiver.received.length >= 2);
    await worker.runOnce();

    expect(receiver.received.map((r) => r.path)).toEqual(['/all', '/all']);
    const [first, second] = receiver.received;
    for (const hook of receiver.received) {
      expect(verifyHeraldSignature(all.secret, hook.headers[signatureHeader.toLowerCase()] as string, hook.body)).toBe(true);
      // The other subscriber's secret, or a changed body, does not verify.
      expect(verifyHeraldSignature(dns.secret, hook.headers[signatureHeader.toLowerCase()] as string, hook.body)).toBe(false);
      expect(verifyHeraldSignature(all.secret, hook.headers[signatureHeader.toLowerCase()] as string, hook.body.replace('Webmail', 'W3bmail'))).toBe(false);
      expect(hook.headers['content-type']).toBe('application/json');
    }
    expect(first.json).toMatchObject({
      event: 'incident.updated',
      page: { name: 'Example Mail', url: 'https://status.example.com' },
      incident: { id, name: 'Webmail <b>down</b>', kind: 'incident', impact: 'major', url: `https://status.example.com/incidents/${id}`, components: [{ id: 'webmail', name: 'Web interface', status: 'major_outage' }] },
      update: { status: 'investigating', body: 'We are **investigating**.' },
    });
    expect(second.json.update).toMatchObject({ status: 'identified', body: 'A bad deploy.' });
    expect(first.headers['herald-delivery']).toBe(first.json.delivery_id);
    expect(first.json.delivery_id).not.toBe(second.json.delivery_id);
    expect(outboxCounts(ctx.db)).toMatchObject({ queued: 0, sent: 2, failed: 0 });
  });

  it('a stale or forged signature does not verify', () => {
    const body = '{"event":"incident.updated"}';
    const now = Date.now();
    const fresh = signWebhook('s3cret', Math.floor(now / 1000), body);
    expect(verifyHeraldSignature('s3cret', fresh, body, now)).toBe(true);
    expect(verifyHeraldSignature('s3cret', signWebhook('s3cret', Math.floor(now / 1000) - 600, body), body, now)).toBe(false);
    expect(verifyHeraldSignature('s3cret', 't=abc,v1=00', body, now)).toBe(false);
    expect(verifyHeraldSignature('s3cret', undefined, body, now)).toBe(false);
  });

  it('retries a receiver that is failing or away, and delivers once when it is back', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/flaky`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    receiver.answers.push(503, 429, 500);
    createIncident(ctx, { title: 'Flaky receiver', impact: 'minor', message: 'Hello.' });
    await deliverUntil(worker, () => outboxCounts(ctx.db).sent === 1);
    expect(receiver.received.map((r) => r.status)).toEqual([503, 429, 500, 200]);
    // Every attempt carries the same delivery id, so the receiver can tell a retry.
    expect(new Set(receiver.received.map((r) => r.json.delivery_id)).size).toBe(1);
    await worker.runOnce();
    expect(receiver.received).toHaveLength(4);
  });

  it('keeps the delivery while the receiver is not listening at all', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/gone-away`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    await receiver.close();
    receivers.splice(receivers.indexOf(receiver), 1);
    createIncident(ctx, { title: 'Nobody home', impact: 'minor', message: 'Hello?' });
    await worker.runOnce();
    const [row] = ctx.db.select().from(outbox).all();
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.lastError).toMatch(/ECONNREFUSED/);
  });

  it('marks a 4xx refusal failed with the reason, without retrying', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/strict`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    receiver.answers.push(400);
    createIncident(ctx, { title: 'Refused', impact: 'minor', message: 'No.' });
    await deliverUntil(worker, () => outboxCounts(ctx.db).failed === 1);
    await worker.runOnce();
    expect(receiver.received).toHaveLength(1);
    expect(ctx.db.select().from(outbox).get()?.lastError).toBe('HTTP 400');
  });

  it('does not follow redirects', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/moved`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    receiver.answers.push(302);
    createIncident(ctx, { title: 'Redirected', impact: 'minor', message: 'Elsewhere.' });
    await deliverUntil(worker, () => outboxCounts(ctx.db).failed === 1);
    expect(receiver.received).toHaveLength(1);
    expect(ctx.db.select().from(outbox).get()?.lastError).toMatch(/HTTP 302 \(redirects are not followed\)/);
  });

  it('410 Gone unsubscribes the URL', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/retired`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    receiver.answers.push(410);
    createIncident(ctx, { title: 'Gone', impact: 'minor', message: 'Bye.' });
    await deliverUntil(worker, () => receiver.received.length === 1);
    await worker.runOnce();
    expect(ctx.db.select().from(subscribers).all()).toHaveLength(0);
    expect(ctx.db.select().from(outbox).all()).toHaveLength(0);
  });

  it('checks the address again at send time: a private target is refused and nothing is sent', async () => {
    const { ctx, receiver, worker } = await setup({ allowPrivate: false });
    // As if its DNS had pointed elsewhere when it subscribed.
    ctx.db.insert(subscribers).values({ kind: 'webhook', address: `${receiver.url}/inside`, secret: 'x', confirmedAt: new Date(), createdAt: new Date() }).run();
    createIncident(ctx, { title: 'Rebinding', impact: 'minor', message: 'Sneaky.' });
    await worker.runOnce();
    expect(receiver.received).toHaveLength(0);
    const row = ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).get();
    expect(row?.lastError).toMatch(/127\.0\.0\.1, which is not a public address/);
  });

  it('announces a window that starts and ends by the clock, once each, and nothing for quiet or long-past windows', async () => {
    const { ctx, receiver, worker } = await setup();
    await subscribeWebhook(ctx.db, { url: `${receiver.url}/clock`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true });
    const t0 = new Date();
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
    const hours = (n: number) => minutes(n * 60);
    const id = scheduleMaintenance(ctx, { title: 'Clockwork', message: 'Planned.', scheduledFor: hours(48), scheduledUntil: hours(49), components: ['webmail'] }, t0);
    scheduleMaintenance(ctx, { title: 'Quiet', message: 'Shh.', scheduledFor: hours(48), scheduledUntil: hours(49), notify: false }, t0);
    scheduleMaintenance(ctx, { title: 'Soon', message: 'In an hour.', scheduledFor: hours(1), scheduledUntil: hours(1.5) }, t0);
    scheduleMaintenance(ctx, { title: 'Long ago', message: 'Old.', scheduledFor: hours(-10), scheduledUntil: hours(-9) }, hours(-100));
    const events = () => receiver.received.map((r) => `${r.json.event} ${r.json.incident.name}`);

    // Each moment twice, and the worker twice at each: nothing is announced twice.
    for (const at of [minutes(2), minutes(4), hours(1.1), hours(1.6), hours(23), hours(24.1), hours(24.2), hours(48.1), hours(48.2), hours(49.1), hours(49.2), hours(60)]) {
      await worker.runOnce(at);
      await worker.runOnce(at); // what the first round queued
    }
    const clockwork = events().filter((e) => e.endsWith('Clockwork'));
    expect(clockwork).toEqual(['maintenance.updated Clockwork', 'maintenance.reminder Clockwork', 'maintenance.started Clockwork', 'maintenance.completed Clockwork']);
    // Announced an hour ahead: no separate reminder. Long past: nothing. Quiet: nothing.
    expect(events().filter((e) => e.endsWith('Soon'))).toEqual(['maintenance.updated Soon', 'maintenance.started Soon', 'maintenance.completed Soon']);
    expect(events().filter((e) => /Quiet|Long ago/.test(e))).toEqual(['maintenance.updated Long ago']);
    const last = receiver.received.filter((r) => r.json.incident.id === id).at(-1)!;
    expect(last.json).toMatchObject({ event: 'maintenance.completed', update: null, incident: { id, status: 'completed', scheduled_until: hours(49).toISOString() } });
  });
});

describe('webhook secrets at rest', () => {
  const key = Buffer.alloc(32, 3);

  it('are stored sealed with SECRETS_KEY, never as they are, and still sign deliveries', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const ctx = freshContext();
    const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', MAIL_DIR: `${ctx.path}.mail`, WEBHOOK_ALLOW_PRIVATE: '1', SECRETS_KEY: key.toString('hex') });
    const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
    workers.push(worker);
    const made = (await subscribeWebhook(ctx.db, { url: `${receiver.url}/sealed`, componentIds: [], clientAddress: '192.0.2.1', allowPrivate: true, secretsKey: key }))!;
    const stored = ctx.db.select().from(subscribers).get()!.secret!;
    expect(stored).toMatch(/^sealed:v1:/);
    expect(stored).not.toContain(made.secret);
    ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(ctx.path).includes(Buffer.from(made.secret))).toBe(false);

    createIncident(ctx, { title: 'Sealed', impact: 'minor', message: 'x' });
    await deliverUntil(worker, () => receiver.received.length === 1);
    expect(verifyHeraldSignature(made.secret, receiver.received[0].headers['herald-signature'] as string, receiver.received[0].body)).toBe(true);
  });

  it('a sealed secret without the key fails that delivery with a reason that says so', async () => {
    const { ctx, receiver, worker } = await setup();
    ctx.db.insert(subscribers).values({ kind: 'webhook', address: `${receiver.url}/x`, secret: sealSecret('s3cret', key), confirmedAt: new Date(), createdAt: new Date() }).run();
    createIncident(ctx, { title: 'No key', impact: 'minor', message: 'x' });
    await worker.runOnce();
    expect(receiver.received).toHaveLength(0);
    expect(ctx.db.select().from(outbox).get()?.lastError).toMatch(/set SECRETS_KEY/);
  });

  it('secrets stored before the key was set are sealed at start', () => {
    const ctx = freshContext();
    ctx.db.insert(subscribers).values({ kind: 'webhook', address: 'https://example.com/h', secret: 'plain-secret', confirmedAt: new Date(), createdAt: new Date() }).run();
    expect(sealStoredSecrets(ctx.db, null)).toEqual({ sealed: 0, plain: 1 });
    expect(sealStoredSecrets(ctx.db, key)).toEqual({ sealed: 1, plain: 0 });
    const stored = ctx.db.select().from(subscribers).get()!.secret!;
    expect(openSecret(stored, key)).toBe('plain-secret');
    expect(() => openSecret(stored, Buffer.alloc(32, 4))).toThrow(/not the key it was sealed with/);
  });
});
