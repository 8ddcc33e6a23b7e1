// A promised next update: staff say when the next update is due; customers
// read the promise (page, API, feed, mail) and never "overdue"; when it
// passes with no update, the staff who posted it and STAFF_ALERT_EMAILS are
// mailed once, through a real SMTP server on loopback.
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditLog, incidentUpdates } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { buildFeed } from '../../src/lib/feed';
import { updateMail } from '../../src/lib/mail/messages';
import { statuspageDocuments } from '../../src/lib/statuspage';
import { createStaff } from '../../src/lib/server/accounts/accounts';
import { systemActor } from '../../src/lib/server/accounts/audit';
import { contentFolder } from '../../src/lib/server/paths';
import { createIncident, postUpdate, resolveIncident } from '../../src/lib/server/publishing/staff-actions';
import { readIncident, readLapsedPromises } from '../../src/lib/server/read-model';
import { trashIncident, trashUpdate } from '../../src/lib/server/storage';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { ActionError } from '../../src/lib/server/validate';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { freshContext } from '../helpers/temp-db';

const page = readContentFolder(contentFolder).page;
const sinks: SmtpSink[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of sinks.splice(0)) await s.close();
  vi.restoreAllMocks();
});

const t0 = new Date('2026-12-02T14:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function setup(env: Record<string, string> = {}, port?: number) {
  const sink = port === undefined ? await startSmtpSink() : null;
  if (sink) sinks.push(sink);
  const ctx = freshContext();
  const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: `smtp://127.0.0.1:${port ?? sink!.port}`, ...env });
  const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
  workers.push(worker);
  const staff = await createStaff(ctx.db, systemActor, { email: 'jane@example.com', role: 'editor', password: 'a long enough password' });
  const jane = { ...ctx, actor: { label: staff.email, userId: staff.id } };
  return { ctx, jane, sink, worker, config };
}

/** One housekeeping round at `at` (the worker does it at most once a minute of its own clock). */
const housekeepingAt = async (worker: DeliveryWorker, at: Date) => {
  (worker as unknown as { lastHousekeeping: number }).lastHousekeeping = 0;
  await worker.runOnce(at);
};

describe('a promised next update', () => {
  it('is taken as a wait, a number of minutes or a time with a zone, and shown while the incident is open', async () => {
    const { jane } = await setup();
    const id = createIncident(jane, { title: 'Webmail slow', impact: 'minor', message: 'Looking.', nextUpdate: '30m' }, t0);
    expect(readIncident(jane, id, minutes(1))!.incident.nextUpdateBy).toEqual(minutes(30));
    postUpdate(jane, id, { status: 'identified', message: 'Found it.', nextUpdate: 90 }, minutes(10));
    expect(readIncident(jane, id, minutes(11))!.incident.nextUpdateBy).toEqual(minutes(100));
    postUpdate(jane, id, { status: 'monitoring', message: 'Fixed, watching.', nextUpdate: '2026-12-02T17:30:00+01:00' }, minutes(20));
    const incident = readIncident(jane, id, minutes(21))!.incident;
    expect(incident.nextUpdateBy).toEqual(new Date('2026-12-02T16:30:00Z'));
    // Past its time customers still read the promise: "overdue" is for staff.
    expect(readIncident(jane, id, minutes(600))!.incident.nextUpdateBy).toEqual(new Date('2026-12-02T16:30:00Z'));
    // An update with no promise withdraws the last one.
    postUpdate(jane, id, { status: 'monitoring', message: 'Still watching.' }, minutes(30));
    expect(readIncident(jane, id, minutes(31))!.incident.nextUpdateBy).toBeNull();
    // A later update kept the promise; if that update goes to the trash, the kept promise does not come back.
    postUpdate(jane, id, { status: 'monitoring', message: 'Watching.', nextUpdate: '1h' }, minutes(35));
    const newest = postUpdate(jane, id, { status: 'monitoring', message: 'Typo.' }, minutes(36));
    trashUpdate(jane, newest, minutes(37));
    expect(readIncident(jane, id, minutes(38))!.incident.nextUpdateBy).toBeNull();
    postUpdate(jane, id, { status: 'monitoring', message: 'Watching.', nextUpdate: '1h' }, minutes(40));
    resolveIncident(jane, id, 'Resolved.', minutes(50));
    expect(readIncident(jane, id, minutes(51))!.incident.nextUpdateBy).toBeNull();
  });

  it('refuses a promise it cannot keep, naming the field, and saves nothing', async () => {
    const { jane } = await setup();
    const id = createIncident(jane, { title: 'DNS errors', impact: 'major', message: 'Looking.' }, t0);
    const refused = (nextUpdate: unknown, status = 'identified') => {
      try {
        postUpdate(jane, id, { status, message: 'x', nextUpdate }, minutes(5));
      } catch (error) {
        expect(error).toBeInstanceOf(ActionError);
        expect((error as ActionError).field).toBe('nextUpdate');
        return (error as ActionError).message;
      }
      throw new Error(`accepted ${String(nextUpdate)}`);
    };
    expect(refused('soon')).toMatch(/time with a zone .* or a wait such as 30m/);
    expect(refused('2026-12-02T15:00')).toMatch(/time with a zone/); // no zone: refused, not guessed
    expect(refused('2026-12-02T13:00:00Z')).toMatch(/later than this update/);
    expect(refused('8 days')).toMatch(/time with a zone/);
    expect(refused('200h')).toMatch(/at most 7 days/);
    expect(refused(-5)).toMatch(/time with a zone/);
    expect(refused('30m', 'resolved')).toMatch(/closed incident promises no next update/);
    expect(readIncident(jane, id, minutes(6))!.incident.updates).toHaveLength(1);
  });

  it('is in the Statuspage JSON, the feed and the subscribers’ mail, never as "overdue"', async () => {
    const { jane } = await setup();
    const id = createIncident(jane, { title: 'Webmail slow', impact: 'minor', message: 'Looking.', nextUpdate: '30m' }, t0);
    const incident = readIncident(jane, id, minutes(45))!.incident;
    const site = { pageName: 'Example Mail', siteUrl: 'https://status.example.com', timeZone: 'Europe/Berlin', componentNames: new Map<string, string>(), locale: 'en' as const, defaultLocale: 'en' as const };
    const documents = statuspageDocuments({ ...site, sections: [], components: [], incidents: [incident], status: { indicator: 'minor', description: 'Minor' } } as never);
    expect(documents.summary().incidents[0].next_update_at).toBe('2026-12-02T15:30:00.000+01:00');
    const feed = buildFeed({ ...site, description: null, incidents: [incident] });
    expect(feed).toContain('next update by 2 Dec 2026, 15:30 CET (14:30 UTC)');
    const links = { manage: 'https://status.example.com/m', unsubscribe: 'https://status.example.com/u' };
    const mail = updateMail(site, incident, incident.updates[0], 1, { id: 1, address: 'a@example.com' }, links);
    expect(mail.text).toContain('Next update by 2 Dec 2026, 15:30 CET (14:30 UTC)');
    expect(mail.html).toContain('Next update by 2 Dec 2026, 15:30 CET (14:30 UTC)');
    for (const text of [JSON.stringify(documents.summary()), feed, mail.text, mail.html]) expect(text).not.toMatch(/overdue/i);
  });

  it('once it lapses, mails the staff who posted it and STAFF_ALERT_EMAILS once, and a new promise once more', async () => {
    const { ctx, jane, sink, worker } = await setup({ STAFF_ALERT_EMAILS: 'oncall@example.com, Jane@Example.com' });
    const id = createIncident(jane, { title: 'Webmail logins failing', impact: 'major', message: 'Looking.', nextUpdate: '15m' }, t0);
    await housekeepingAt(worker, minutes(14));
    expect(sink!.messages).toHaveLength(0);
    expect(readLapsedPromises(ctx, minutes(14))).toEqual([]);

    await housekeepingAt(worker, minutes(16));
    await sink!.waitFor(2);
    expect(sink!.recipients.sort()).toEqual(['jane@example.com', 'oncall@example.com']);
    const [alert] = sink!.to('jane@example.com');
    expect(alert.subject).toBe('[Example Mail status] Overdue: the update promised by 2 Dec 2026, 14:15 UTC — Webmail logins failing');
    expect(alert.text).toContain(`https://status.example.com/admin/incidents/${id}#post-update`);
    const [lapsed] = readLapsedPromises(ctx, minutes(16));
    expect(lapsed.incident?.id).toBe(id);
    expect(lapsed.alertedAt).not.toBeNull();

    await housekeepingAt(worker, minutes(30));
    await housekeepingAt(worker, minutes(90));
    expect(sink!.messages).toHaveLength(2);
    const audit = ctx.db.select().from(auditLog).where(eq(auditLog.action, 'update.overdue')).all();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ told: 2 });

    // The next update keeps the old promise and makes a new one, which lapses once too.
    postUpdate(jane, id, { status: 'identified', message: 'Found it.', nextUpdate: '30m' }, minutes(100));
    expect(readLapsedPromises(ctx, minutes(110))).toEqual([]);
    await housekeepingAt(worker, minutes(131));
    await housekeepingAt(worker, minutes(140));
    await sink!.waitFor(4);
    expect(sink!.messages).toHaveLength(4);
  });

  it('tells nobody about a promise that no longer stands: kept, resolved or trashed', async () => {
    const { ctx, jane, sink, worker } = await setup({ STAFF_ALERT_EMAILS: 'oncall@example.com' });
    const kept = createIncident(jane, { title: 'A', impact: 'minor', message: 'x', nextUpdate: '15m' }, t0);
    postUpdate(jane, kept, { status: 'identified', message: 'y' }, minutes(10));
    const resolved = createIncident(jane, { title: 'B', impact: 'minor', message: 'x', nextUpdate: '15m' }, t0);
    resolveIncident(jane, resolved, 'Done.', minutes(10));
    const trashed = createIncident(jane, { title: 'C', impact: 'minor', message: 'x', nextUpdate: '15m' }, t0);
    trashIncident(jane, trashed, minutes(10));
    await housekeepingAt(worker, minutes(20));
    await new Promise((r) => setTimeout(r, 200));
    expect(sink!.messages).toHaveLength(0);
    // None of them is watched any more.
    expect(ctx.db.select().from(incidentUpdates).all().filter((u) => u.nextUpdateBy && !u.promiseKeptAt)).toEqual([]);
  });

  it('does not repeat the alert every minute when the mail server refuses one address for good', async () => {
    const sink = await startSmtpSink({ rejectRecipients: { 'gone@example.com': 550 } });
    sinks.push(sink);
    const { jane, worker } = await setup({ STAFF_ALERT_EMAILS: 'gone@example.com' }, sink.port);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    createIncident(jane, { title: 'Webmail down', impact: 'major', message: 'Looking.', nextUpdate: '15m' }, t0);
    await housekeepingAt(worker, minutes(16));
    await housekeepingAt(worker, minutes(17));
    await housekeepingAt(worker, minutes(18));
    expect(sink.recipients).toEqual(['jane@example.com']);
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/refused to tell g\*+@example\.com/);
  });

  it('keeps trying while the mail server is down, and tells staff once it is back', async () => {
    const port = await freePort();
    const { jane, worker } = await setup({}, port);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    createIncident(jane, { title: 'Webmail down', impact: 'major', message: 'Looking.', nextUpdate: '15m' }, t0);
    await housekeepingAt(worker, minutes(16));
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/could not tell staff .* trying again in a minute/);
    const sink = await startSmtpSink({ port });
    sinks.push(sink);
    await housekeepingAt(worker, minutes(17));
    await sink.waitFor(1);
    await housekeepingAt(worker, minutes(18));
    expect(sink.recipients).toEqual(['jane@example.com']);
  });
});
