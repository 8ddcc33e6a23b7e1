// Notifications end to end below the web layer: subscribe, confirm, post,
// deliver to a real SMTP server on loopback, thread, unsubscribe, survive an
// SMTP outage, and give up on permanent rejections.
import { desc, eq, isNotNull } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyJobs, outbox, subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { formatWindow } from '../../src/lib/time';
import { readContentFolder } from '../../src/lib/content/index';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { contentFolder } from '../../src/lib/server/paths';
import { retryNow } from '../../src/lib/server/subscribers/outbox';
import { readIncident } from '../../src/lib/server/read-model';
import { automaticMessages, createIncident, postUpdate, postWindowUpdates, resolveIncident, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { confirmSubscriber, deleteSubscriber, liftSuppression, listSuppressions, subscribeEmail, subscriberFromLink, subscribeLimits } from '../../src/lib/server/subscribers/subscriptions';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { freshContext } from '../helpers/temp-db';

const page = readContentFolder(contentFolder).page;
const sinks: SmtpSink[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of sinks.splice(0)) await s.close();
});

async function setup(sinkOptions = {}) {
  const sink = await startSmtpSink(sinkOptions);
  sinks.push(sink);
  const ctx = freshContext();
  const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url, MAIL_RETRY_MIN_SECONDS: '0.05' });
  const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
  workers.push(worker);
  return { ctx, sink, worker, config };
}

const linkIn = (mail: ParsedMail, path: string) => {
  const match = new RegExp(`https://status\\.example\\.com${path}\\?s=(\\d+)&t=([\\w-]+)`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return { s: match[1], t: match[2] };
};

/** A header as sent (mailparser digests List-* headers into another shape). */
const rawHeader = (mail: ParsedMail, name: string) =>
  mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');

async function subscribed(setupResult: Awaited<ReturnType<typeof setup>>, email: string, componentIds: string[] = []) {
  const { ctx, sink, worker } = setupResult;
  const before = sink.messages.length;
  expect(subscribeEmail(ctx.db, { email, componentIds, clientAddress: '192.0.2.1' })).toBe('sent');
  await worker.runOnce();
  await sink.waitFor(before + 1);
  const confirmation = sink.to(email).at(-1)!;
  expect(confirmation.subject).toBe('[Example Mail status] Confirm your subscription');
  const { s, t } = linkIn(confirmation, '/subscribe/confirm');
  const subscriber = subscriberFromLink(ctx.db, 'confirm', s, t)!;
  expect(subscriber.address).toBe(email);
  confirmSubscriber(ctx.db, subscriber);
  return subscriber;
}

describe('email notifications', () => {
  it('double opt-in: nothing is sent to an address before it confirms', async () => {
    const env = await setup();
    subscribeEmail(env.ctx.db, { email: 'new@example.com', componentIds: [], clientAddress: '192.0.2.1' });
    createIncident(env.ctx, { title: 'Webmail down', impact: 'major', message: 'Looking.' });
    await env.worker.runOnce();
    await env.sink.waitFor(1);
    expect(env.sink.to('new@example.com').map((m) => m.subject)).toEqual(['[Example Mail status] Confirm your subscription']);
  });

  it('sends each update once, threaded, with one-click unsubscribe, to those it concerns', async () => {
    const env = await setup();
    const all = await subscribed(env, 'all@example.com');
    await subscribed(env, 'dns@example.com', ['dns']);
    const id = createIncident(env.ctx, {
      title: 'Webmail logins failing',
      impact: 'major',
      message: 'We are **investigating**. ![graph](https://tracker.example/x.png)',
      components: [{ id: 'webmail', status: 'major_outage' }],
    });
    // Queued in the same transaction as the incident: one job, expanded by the worker.
    expect(env.ctx.db.select().from(notifyJobs).where(eq(notifyJobs.incidentId, id)).all()).toHaveLength(1);
    const updateId = postUpdate(env.ctx, id, { status: 'identified', message: 'Found it.' });
    postUpdate(env.ctx, id, { status: 'monitoring', message: 'Quiet fix, no mail.', notify: false });
    await env.worker.runOnce();
    await env.sink.waitFor(4);
    await env.worker.runOnce();

    const [first, second] = env.sink.to('all@example.com').slice(1);
    expect(env.sink.to('all@example.com')).toHaveLength(3);
    expect(env.sink.to('dns@example.com')).toHaveLength(1); // just the confirmation: webmail is not theirs
    expect(first.subject).toBe('[Example Mail status] Webmail logins failing — Investigating');
    expect(second.subject).toBe('[Example Mail status] Webmail logins failing — Identified');
    expect(first.text).toContain('We are **investigating**.');
    expect(first.html).toContain('<strong>investigating</strong>');
    expect(first.html).not.toMatch(/<img/i);
    // A remote image would tell its host who opened the mail: it is only ever a link.
    expect(first.html).not.toMatch(/src="https:\/\/tracker/);
    expect(first.messageId).toBe(`<incident.${id}.${all.id}@status.example.com>`);
    expect(second.messageId).toBe(`<update.${updateId}.${all.id}@status.example.com>`);
    expect(second.inReplyTo).toBe(first.messageId);
    expect(second.references).toBe(first.messageId);
    expect(rawHeader(first, 'list-unsubscribe')).toMatch(/^<https:\/\/status\.example\.com\/unsubscribe\?s=\d+&t=[\w-]+>$/);
    expect(rawHeader(first, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    // A dns incident reaches both.
    createIncident(env.ctx, { title: 'DNS slow', impact: 'minor', message: 'Slow lookups.', components: [{ id: 'dns', status: 'degraded_performance' }] });
    await env.worker.runOnce();
    await env.sink.waitFor(6);
    expect(env.sink.to('dns@example.com').at(-1)!.subject).toBe('[Example Mail status] DNS slow — Investigating');
  });

  it('after unsubscribing, nothing more arrives', async () => {
    const env = await setup();
    const subscriber = await subscribed(env, 'leaving@example.com');
    const id = createIncident(env.ctx, { title: 'Queue slow', impact: 'minor', message: 'Slow.' });
    deleteSubscriber(env.ctx.db, subscriber.id);
    postUpdate(env.ctx, id, { status: 'resolved', message: 'Fine.' });
    await env.worker.runOnce();
    await new Promise((r) => setTimeout(r, 200));
    expect(env.sink.to('leaving@example.com')).toHaveLength(1);
    expect(env.ctx.db.select().from(outbox).all()).toHaveLength(0);
  });

  it('keeps what it could not send while the mail server is down, and sends it once when it is back', async () => {
    const env = await setup();
    await subscribed(env, 'patient@example.com');
    const port = env.sink.port;
    await sinks.pop()!.close();
    createIncident(env.ctx, { title: 'Everything down', impact: 'critical', message: 'Down.' });
    await env.worker.runOnce();
    const [row] = env.ctx.db.select().from(outbox).where(eq(outbox.status, 'queued')).all();
    expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(row.attempts).toBe(1);

    const back = await startSmtpSink({ port });
    sinks.push(back);
    await new Promise((r) => setTimeout(r, 120));
    await env.worker.runOnce();
    await back.waitFor(1);
    await env.worker.runOnce();
    expect(back.to('patient@example.com').map((m) => m.subject)).toEqual(['[Example Mail status] Everything down — Investigating']);
    // The confirmation keeps its row; the update's delivery is counted on its job, its row gone.
    expect(env.ctx.db.select().from(outbox).where(eq(outbox.status, 'sent')).all()).toHaveLength(1);
    expect(env.ctx.db.select().from(outbox).where(eq(outbox.status, 'queued')).all()).toHaveLength(0);
    expect(env.ctx.db.select({ sent: notifyJobs.sent }).from(notifyJobs).all()).toEqual([{ sent: 1 }]);
  });

  it('marks a permanent rejection failed with the reason, and does not retry it', async () => {
    const env = await setup();
    await subscribed(env, 'gone@example.com');
    const rejecting = await startSmtpSink({ rejectWith: 550 });
    sinks.push(rejecting);
    const config = loadConfig({ HERALD_DB: env.ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: rejecting.url });
    const worker = new DeliveryWorker({ ...env.ctx, config, page, transport: mailTransport(config.mail) });
    workers.push(worker);
    createIncident(env.ctx, { title: 'Bounce test', impact: 'minor', message: 'x' });
    await worker.runOnce();
    const [row] = env.ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).all();
    expect(row.lastError).toMatch(/550/);
    // The server quoted the address; what Herald keeps is masked like the console's view.
    expect(row.lastError).toContain('g***@example.com');
    expect(row.lastError).not.toContain('gone@example.com');
    expect(await worker.runOnce()).toBe(0);
  });

  it('mails when a maintenance window nears, starts and ends by the clock, in its thread', async () => {
    const env = await setup();
    await subscribed(env, 'ops@example.com');
    const t0 = new Date();
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
    const hours = (n: number) => minutes(n * 60);
    scheduleMaintenance(env.ctx, { title: 'Storage move', message: 'Planned.', scheduledFor: hours(48), scheduledUntil: hours(49) }, t0);
    for (const at of [minutes(2), hours(23), hours(24.1), hours(48.1), hours(49.1)]) {
      await env.worker.runOnce(at);
      await env.worker.runOnce(at);
    }
    await env.sink.waitFor(5);
    // Only this window's mails: the example content's own maintenance may fall inside these days too.
    const mails = env.sink.to('ops@example.com').filter((m) => m.subject?.includes('Storage move'));
    expect(mails.map((m) => m.subject)).toEqual([
      '[Example Mail status] Storage move — Scheduled',
      '[Example Mail status] Storage move — Starts soon',
      '[Example Mail status] Storage move — In progress',
      '[Example Mail status] Storage move — Completed',
    ]);
    for (const m of mails.slice(1)) expect(m.inReplyTo).toBe(mails[0].messageId);

    // The start and end are on the timeline as Herald's own updates, at the window's times, notifying nobody twice.
    const id = env.ctx.db.select({ id: notifyJobs.incidentId }).from(notifyJobs).get()!.id;
    const { incident } = readIncident(env.ctx, id, hours(49.1))!;
    expect(incident.updates.map((u) => [u.status, u.automatic, u.at.toISOString(), u.notified])).toEqual([
      ['completed', true, hours(49).toISOString(), false],
      ['in_progress', true, hours(48).toISOString(), false],
      ['scheduled', false, t0.toISOString(), true],
    ]);
    expect(incident.updates[0].body).toBe(automaticMessages.completed);
    // Once closed, the worker no longer watches it: another round posts nothing more.
    await env.worker.runOnce(hours(50.2));
    expect(readIncident(env.ctx, id, hours(50.2))!.incident.updates).toHaveLength(3);
  });

  it('posts no automatic update when staff moved the maintenance themselves, and each automatic one only once', async () => {
    const ctx = freshContext();
    const t0 = new Date();
    const hours = (n: number) => new Date(t0.getTime() + n * 3_600_000);
    const staffRun = scheduleMaintenance(ctx, { title: 'Staff run', message: 'Planned.', scheduledFor: hours(1), scheduledUntil: hours(2) }, t0);
    postUpdate(ctx, staffRun, { status: 'in_progress', message: 'Starting now.' }, hours(1));
    const byClock = scheduleMaintenance(ctx, { title: 'By the clock', message: 'Planned.', scheduledFor: hours(1), scheduledUntil: hours(2) }, t0);
    const read = (id: string, at: Date) => readIncident(ctx, id, at)!.incident;
    expect(postWindowUpdates(ctx, read(staffRun, hours(3)), hours(3))).toEqual([]);
    expect(postWindowUpdates(ctx, read(byClock, hours(0.5)), hours(0.5))).toEqual([]);
    expect(postWindowUpdates(ctx, read(byClock, hours(1.5)), hours(1.5))).toEqual(['in_progress']);
    expect(read(byClock, hours(1.6)).status).toBe('in_progress');
    // Past the end before the worker looked again: it still ends by the window.
    expect(read(byClock, hours(2.5)).status).toBe('completed');
    const stale = read(byClock, hours(1.5));
    expect(postWindowUpdates(ctx, read(byClock, hours(2.5)), hours(2.5))).toEqual(['completed']);
    // A second worker holding an older read posts nothing twice.
    expect(postWindowUpdates(ctx, stale, hours(2.6))).toEqual([]);
    expect(read(byClock, hours(3)).updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
  });

  it('maintenance mails say when the window is, in the page zone and UTC, and every mail names components as the page does', async () => {
    const sink = await startSmtpSink();
    sinks.push(sink);
    const ctx = freshContext();
    const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url });
    const berlin = { ...page, time_zone: 'Europe/Berlin' };
    const worker = new DeliveryWorker({ ...ctx, config, page: berlin, transport: mailTransport(config.mail), idleMs: 20 });
    workers.push(worker);
    const t0 = new Date();
    ctx.db.insert(subscribers).values({ kind: 'email', address: 'ops@example.com', confirmedAt: t0, createdAt: t0 }).run();
    // A window starting at 23:30 UTC on a whole half hour, two days ahead: the next day in Berlin.
    const start = new Date(Math.ceil(t0.getTime() / 86_400_000) * 86_400_000 + 86_400_000 + 23.5 * 3_600_000);
    const end = new Date(start.getTime() + 2 * 3_600_000);
    const hoursFromStart = (n: number) => new Date(start.getTime() + n * 3_600_000);
    scheduleMaintenance(ctx, { title: 'Storage move', message: 'Planned.', scheduledFor: start, scheduledUntil: end, components: ['webmail'] }, t0);
    for (const at of [t0, hoursFromStart(-23.9), hoursFromStart(0.1), hoursFromStart(2.1)]) {
      await worker.runOnce(at);
      await worker.runOnce(at);
    }
    await sink.waitFor(4);
    const mails = sink.messages.filter((m) => m.subject?.includes('Storage move'));
    const window = formatWindow(start, end, 'Europe/Berlin');
    expect(window).toMatch(/^\d+ \w+ \d{4}, 00:30 to 02:30 CES?T \(\d+ \w+ \d{4}, 23:30 to \d+ \w+ \d{4}, 01:30 UTC\)$/);
    expect(mails.map((m) => m.subject)).toEqual([
      '[Example Mail status] Storage move — Scheduled',
      '[Example Mail status] Storage move — Starts soon',
      '[Example Mail status] Storage move — In progress',
      '[Example Mail status] Storage move — Completed',
    ]);
    for (const mail of mails) {
      expect(mail.text).toContain(`When: ${window}`);
      expect(mail.html).toContain(`When: ${window}`);
      expect(mail.text).toMatch(/Affected: Web interface(: |\n)/);
      expect(`${mail.text}${mail.html}`).not.toMatch(/webmail:/);
    }

    // An incident's mail names its components too.
    const base = sink.messages.length;
    const id = createIncident(ctx, { title: 'Webmail down', impact: 'major', message: 'Looking.', components: [{ id: 'webmail', status: 'major_outage' }] });
    while ((await worker.runOnce()) > 0);
    await sink.waitFor(base + 1);
    expect(sink.messages[base].text).toContain('Affected: Web interface: major outage');
    expect(sink.messages[base].text).toContain('Changed: Web interface: operational → major outage');
    expect(sink.messages[base].text).not.toContain('When:');
    // Better, then resolved: the resolution says the worst it got and what resolving changed.
    postUpdate(ctx, id, { status: 'monitoring', message: 'Mostly back.', components: [{ id: 'webmail', status: 'degraded_performance' }] });
    while ((await worker.runOnce()) > 0);
    resolveIncident(ctx, id, 'All good.');
    while ((await worker.runOnce()) > 0);
    await sink.waitFor(base + 3);
    const [better, resolved] = sink.messages.slice(base + 1);
    expect(better.text).toContain('Affected: Web interface: degraded performance');
    expect(better.text).toContain('Changed: Web interface: major outage → degraded performance');
    expect(resolved.text).toContain('Affected: Web interface: major outage at worst');
    expect(resolved.text).toContain('Changed: Web interface: degraded performance → operational');
    expect(resolved.html).toContain('Web interface: major outage at worst');
  });

  it('suppresses an address the mail server refuses for good: later updates skip it, others still get them, an owner can lift it', async () => {
    const sink = await startSmtpSink({ rejectRecipients: { 'gone@example.com': 550 } });
    sinks.push(sink);
    const ctx = freshContext();
    const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url });
    const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
    workers.push(worker);
    const now = new Date();
    for (const address of ['gone@example.com', 'stays@example.com']) {
      ctx.db.insert(subscribers).values({ kind: 'email', address, confirmedAt: now, createdAt: now }).run();
    }
    const drain = async () => {
      while ((await worker.runOnce()) > 0);
    };
    const id = createIncident(ctx, { title: 'First', impact: 'minor', message: 'One.' });
    await drain();
    const [suppression] = listSuppressions(ctx.db, { reveal: true });
    expect(suppression.address).toBe('gone@example.com');
    expect(suppression.reason).toMatch(/550 5\.1\.1 <g\*\*\*@example\.com>: no such user/);
    expect(listSuppressions(ctx.db, { reveal: false })[0].address).toBe('g***@example.com');

    // The next update makes no row for the suppressed address and reaches the other one.
    postUpdate(ctx, id, { status: 'identified', message: 'Two.' });
    await drain();
    const job = ctx.db.select().from(notifyJobs).orderBy(desc(notifyJobs.id)).get()!;
    expect({ recipients: job.recipients, sent: job.sent }).toEqual({ recipients: 1, sent: 1 });
    expect(sink.recipients.filter((r) => r === 'stays@example.com')).toHaveLength(2);
    // A new subscription does not mail it either (and the visitor sees the usual answer).
    expect(subscribeEmail(ctx.db, { email: 'Gone@Example.com', componentIds: [], clientAddress: '192.0.2.7' })).toBe('sent');
    await drain();
    expect(sink.recipients).toEqual(['stays@example.com', 'stays@example.com']);

    // Lifted: mailed again (and, the server still refusing, suppressed again).
    expect(liftSuppression(ctx.db, suppression.id)).toBe('gone@example.com');
    postUpdate(ctx, id, { status: 'monitoring', message: 'Three.' });
    await drain();
    expect(ctx.db.select().from(notifyJobs).orderBy(desc(notifyJobs.id)).get()!.recipients).toBe(2);
    expect(listSuppressions(ctx.db, { reveal: true }).map((x) => x.address)).toEqual(['gone@example.com']);
  });

  it('does not suppress anyone when the mail server refuses the content (5.7.1) or Herald\'s own login (535)', async () => {
    const env = await setup();
    await subscribed(env, 'fine@example.com');
    const refusing = await startSmtpSink({ refuseLogin: true });
    sinks.push(refusing);
    const url = new URL(refusing.url);
    url.username = 'herald';
    url.password = 'wrong';
    const config = loadConfig({ HERALD_DB: env.ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: url.toString(), MAIL_RETRY_MIN_SECONDS: '60' });
    const worker = new DeliveryWorker({ ...env.ctx, config, page, transport: mailTransport(config.mail) });
    workers.push(worker);
    createIncident(env.ctx, { title: 'Login refused', impact: 'minor', message: 'x' });
    await worker.runOnce();
    await worker.runOnce();
    // A wrong SMTP password is staff's to fix: the message waits to be retried, nobody is suppressed.
    const [row] = env.ctx.db.select().from(outbox).where(isNotNull(outbox.jobId)).all();
    expect(row.status).toBe('queued');
    expect(row.lastError).toMatch(/535/);
    expect(listSuppressions(env.ctx.db, { reveal: true })).toEqual([]);

    // A spam filter refusing the message: that message failed, the address stays.
    const filtering = await startSmtpSink({ refuseContent: true });
    sinks.push(filtering);
    const filtered = loadConfig({ HERALD_DB: env.ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: filtering.url });
    const second = new DeliveryWorker({ ...env.ctx, config: filtered, page, transport: mailTransport(filtered.mail) });
    workers.push(second);
    retryNow(env.ctx.db, [row.id]);
    await second.runOnce();
    const after = env.ctx.db.select().from(outbox).where(eq(outbox.id, row.id)).get()!;
    expect(after.status).toBe('failed');
    expect(after.lastError).toMatch(/554 5\.7\.1/);
    expect(listSuppressions(env.ctx.db, { reveal: true })).toEqual([]);
  });

  it('mails an internationalised domain at its canonical form, and counts the per-address limit on that form', async () => {
    const env = await setup();
    const variants = ['Jane@Bücher.example', 'jane@xn--bcher-kva.example', 'JANE@BÜCHER.EXAMPLE', 'jane@ｂücher.example', 'Jane@bücher.example'];
    for (const email of variants) expect(subscribeEmail(env.ctx.db, { email, componentIds: [], clientAddress: '192.0.2.9' })).toBe('sent');
    for (let i = 0; i < 3; i++) await env.worker.runOnce();
    await env.sink.waitFor(subscribeLimits.perAddress);
    await new Promise((r) => setTimeout(r, 200));
    // One stored address, mailed where it is stored, no more than the limit allows.
    expect(env.ctx.db.select({ address: subscribers.address }).from(subscribers).all()).toEqual([{ address: 'jane@xn--bcher-kva.example' }]);
    // (smtp-server shows a punycode domain decoded; the header line is as Herald wrote it.)
    expect(env.sink.recipients).toEqual(Array(subscribeLimits.perAddress).fill('jane@bücher.example'));
    expect(env.sink.messages.map((m) => rawHeader(m, 'to'))).toEqual(Array(subscribeLimits.perAddress).fill('jane@xn--bcher-kva.example'));
  });

  it('refuses addresses the mail library would read as another one, before anything is stored or sent', async () => {
    const env = await setup();
    for (const email of ['g1:victim@example.org', 'javascript:alert(1)@example.com', '<script>x</script>@example.com', 'Victim <victim@example.org>', 'victim@example.org (me)', '@route:victim@example.org']) {
      expect(() => subscribeEmail(env.ctx.db, { email, componentIds: [], clientAddress: '192.0.2.10' })).toThrow(/is not an email address/);
    }
    await env.worker.runOnce();
    expect(env.ctx.db.select().from(subscribers).all()).toEqual([]);
    expect(env.sink.recipients).toEqual([]);
  });

  it('never mails an address stored before the addr-spec rule: it is suppressed with the reason', async () => {
    const env = await setup();
    const now = new Date();
    env.ctx.db.insert(subscribers).values({ kind: 'email', address: 'g1:victim@example.org', confirmedAt: now, createdAt: now }).run();
    createIncident(env.ctx, { title: 'Old address', impact: 'minor', message: 'x' });
    while ((await env.worker.runOnce()) > 0);
    expect(env.sink.recipients).toEqual([]);
    const [row] = env.ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).all();
    expect(row.lastError).toMatch(/not sent: the address is suppressed \(not a valid address: ":" cannot appear before the @\)/);
    expect(listSuppressions(env.ctx.db, { reveal: true }).map((x) => x.address)).toEqual(['g1:victim@example.org']);
  });
});
