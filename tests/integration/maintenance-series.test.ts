// Recurring maintenance on a real SQLite file with the real migrations: the
// windows a series makes (in the page's zone, across both daylight-saving
// changes), each made once; the mails each window sends through a real SMTP
// server; and /maintenance.ics as ical.js expands it, against what Herald shows.
import ICAL from 'ical.js';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { incidents } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { parseIncidentFile } from '../../src/lib/content/incident-file';
import { isCancelledMaintenance, maintenanceCalendar } from '../../src/lib/icalendar';
import type { Incident } from '../../src/lib/model';
import { describeRule, occurrenceStarts } from '../../src/lib/recurrence';
import { contentFolder } from '../../src/lib/server/paths';
import { makeOccurrences, seriesHorizonMs, syncContent } from '../../src/lib/server/publishing';
import { editIncident, endSeries, postUpdate, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { readAllMaintenance, readMaintenanceSeries, readSeries } from '../../src/lib/server/read-model';
import type { Runtime } from '../../src/lib/server/runtime';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { subscribers } from '../../src/db/schema';
import { ActionError } from '../../src/lib/server/validate';
import { restoreFromTrash, trashIncident } from '../../src/lib/server/storage';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { freshContext } from '../helpers/temp-db';

const content = readContentFolder(contentFolder);
const berlin = { ...content.page, time_zone: 'Europe/Berlin' };
const day = 86_400_000;
const hour = 3_600_000;
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

/** A fresh database whose page is in Berlin, as the console, API and CLI would act on it. */
function berlinContext() {
  const ctx = freshContext();
  return { ...ctx, content: { page: berlin, templates: content.templates } };
}

const windowsOf = (ctx: ReturnType<typeof berlinContext>, seriesId: string) =>
  ctx.db.select().from(incidents).where(eq(incidents.seriesId, seriesId)).all().sort((a, b) => a.scheduledFor!.getTime() - b.scheduledFor!.getTime());

// Sundays 02:00 to 03:00 in Berlin from 14 March 2027: across 28 March (no 02:00 that night) and 31 October (02:00 twice).
const first = new Date('2027-03-14T01:00:00Z');
const t0 = new Date('2027-03-01T09:00:00Z');

const sinks: SmtpSink[] = [];
const workers: DeliveryWorker[] = [];
/** A Berlin page with one confirmed subscriber, its delivery worker sending to a real SMTP server on loopback. */
async function mailingSetup(env: Record<string, string> = {}) {
  const sink = await startSmtpSink();
  sinks.push(sink);
  const ctx = berlinContext();
  const config = loadConfig({ HERALD_DB: ctx.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url, ...env });
  const worker = new DeliveryWorker({ ...ctx, config, page: berlin, transport: mailTransport(config.mail), idleMs: 20 });
  workers.push(worker);
  ctx.db.insert(subscribers).values({ kind: 'email', address: 'ops@example.com', confirmedAt: t0, createdAt: t0 }).run();
  return { sink, ctx, worker };
}
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of sinks.splice(0)) await s.close();
});

describe('recurring maintenance', () => {

  it('makes each window a fortnight ahead, at 02:00 on the wall clock across both changes, each once', () => {
    const ctx = berlinContext();
    const id = scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), components: ['webmail'], recurrence: 'RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20271107T020000Z', notify: false }, t0);
    // Scheduled 13 days ahead: the first window, and the next within the fortnight.
    expect(iso(windowsOf(ctx, id).map((w) => w.scheduledFor!))).toEqual(['2027-03-14T01:00:00.000Z']);
    makeOccurrences(ctx, new Date('2027-03-08T00:00:00Z'));
    // 21 March 02:00 CET; 28 March has no 02:00, read as RFC 5545 does (03:00 CEST, one hour after 01:59 CET).
    expect(iso(windowsOf(ctx, id).map((w) => w.scheduledFor!))).toEqual(['2027-03-14T01:00:00.000Z', '2027-03-21T01:00:00.000Z']);
    makeOccurrences(ctx, new Date('2027-03-22T00:00:00Z'));
    makeOccurrences(ctx, new Date('2027-03-22T00:00:00Z'));
    expect(iso(windowsOf(ctx, id).map((w) => w.scheduledFor!))).toEqual(['2027-03-14T01:00:00.000Z', '2027-03-21T01:00:00.000Z', '2027-03-28T01:00:00.000Z', '2027-04-04T00:00:00.000Z']);
    // Through autumn: 24 October 02:00 CEST, 31 October the first 02:00 (CEST), 7 November 02:00 CET, the last (UNTIL).
    for (let at = new Date('2027-04-01T00:00:00Z'); at < new Date('2027-11-30T00:00:00Z'); at = new Date(at.getTime() + 5 * day)) makeOccurrences(ctx, at);
    const windows = windowsOf(ctx, id);
    expect(iso(windows.slice(-3).map((w) => w.scheduledFor!))).toEqual(['2027-10-24T00:00:00.000Z', '2027-10-31T00:00:00.000Z', '2027-11-07T01:00:00.000Z']);
    expect(windows).toHaveLength(occurrenceStarts('FREQ=WEEKLY;BYDAY=SU;UNTIL=20271107T020000Z', first, 'Europe/Berlin').length);
    expect(windows.every((w) => w.scheduledUntil!.getTime() - w.scheduledFor!.getTime() === hour && w.title === 'Weekly patching' && w.seriesId === id)).toBe(true);
    // Each window is a maintenance of its own, on the page with its components.
    const runtime = { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: { ...content, page: berlin } } as unknown as Runtime;
    const shown = readAllMaintenance(runtime, new Date('2027-11-30T00:00:00Z')).filter((m) => m.occurrence?.seriesId === id);
    expect(shown).toHaveLength(windows.length);
    expect(shown.every((m) => m.components.map((c) => c.id).join() === 'webmail' && m.status === 'completed')).toBe(true);
    expect(readMaintenanceSeries(runtime)[0]).toMatchObject({ id, nextStart: null });
  });

  it('refuses a rule it cannot plan with, or a first window the rule does not give, naming the field', () => {
    const ctx = berlinContext();
    const attempt = (recurrence: string, scheduledFor = first) => {
      try {
        scheduleMaintenance(ctx, { title: 'X', message: 'm', scheduledFor, scheduledUntil: new Date(scheduledFor.getTime() + hour), recurrence }, t0);
      } catch (error) {
        expect(error).toBeInstanceOf(ActionError);
        return `${(error as ActionError).field}: ${(error as Error).message}`;
      }
      return 'scheduled';
    };
    expect(attempt('FREQ=WEEKLY;BYDAY=SU')).toBe('recurrence: end the series with COUNT=<n> or UNTIL=<date>');
    expect(attempt('FREQ=YEARLY;COUNT=2')).toBe('recurrence: FREQ must be DAILY, WEEKLY or MONTHLY');
    expect(attempt('every sunday')).toMatch(/^recurrence: not an RRULE/);
    // 14 March 2027 is a Sunday, not a Monday.
    expect(attempt('FREQ=WEEKLY;BYDAY=MO;COUNT=3')).toMatch(/^recurrence: the window's start is not one the rule gives/);
    expect(ctx.db.select().from(incidents).all()).toEqual([]);
  });

  it('announces the series once, then reminds, starts and ends each window by mail; a series scheduled quietly stays quiet', async () => {
    const { sink, ctx, worker } = await mailingSetup();
    scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=2' }, t0);
    scheduleMaintenance(ctx, { title: 'Quiet patching', message: 'Nobody is told.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=2', notify: false }, t0);
    // Through both windows, as the worker's clock would see them (housekeeping runs once a minute of its clock).
    const second = new Date('2027-03-21T01:00:00Z');
    for (const start of [first, second]) {
      for (const at of [new Date(start.getTime() - 23 * hour), new Date(start.getTime() + 0.1 * hour), new Date(start.getTime() + 1.1 * hour)]) {
        await worker.runOnce(at);
        await worker.runOnce(at);
      }
    }
    await sink.waitFor(7);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages.map((m) => m.subject)).toEqual([
      '[Example Mail status] Weekly patching — Scheduled',
      '[Example Mail status] Weekly patching — Starts soon',
      '[Example Mail status] Weekly patching — In progress',
      '[Example Mail status] Weekly patching — Completed',
      '[Example Mail status] Weekly patching — Starts soon',
      '[Example Mail status] Weekly patching — In progress',
      '[Example Mail status] Weekly patching — Completed',
    ]);
    // Each window's mails are in that window's thread.
    expect(sink.messages[4].text).toContain('21 Mar 2027');
  });

  it('ends with a window staff choose: no later window is made, the ones made are called off, only the reminded hear it', async () => {
    const { sink, ctx, worker } = await mailingSetup();
    const id = scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=8' }, t0);
    for (const at of [new Date(first.getTime() - 23 * hour), new Date(first.getTime() + 0.1 * hour), new Date(first.getTime() + 1.1 * hour)]) {
      await worker.runOnce(at);
      await worker.runOnce(at);
    }
    // A day before the second window: it is reminded; the third is made (within the fortnight) but not reminded yet.
    const eve = new Date('2027-03-20T02:00:00Z');
    await worker.runOnce(eve);
    await worker.runOnce(eve);
    await sink.waitFor(5);
    const [, second, third] = windowsOf(ctx, id);
    expect(iso([second.scheduledFor!, third.scheduledFor!])).toEqual(['2027-03-21T01:00:00.000Z', '2027-03-28T01:00:00.000Z']);

    const ended = new Date('2027-03-20T03:00:00Z');
    expect(endSeries(ctx, id, 'The series ended: we patch with the new tooling now.', ended)).toEqual([second.id, third.id]);
    for (let at = ended; at < new Date('2027-05-30T00:00:00Z'); at = new Date(at.getTime() + 5 * day)) {
      await worker.runOnce(at);
      await worker.runOnce(at);
    }
    expect(windowsOf(ctx, id).map((w) => w.id)).toEqual([id, second.id, third.id]);
    const runtime = { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: { ...content, page: berlin } } as unknown as Runtime;
    const shown = readAllMaintenance(runtime, ended).filter((m) => m.occurrence?.seriesId === id);
    expect(shown.filter((m) => m.id !== id).every((m) => isCancelledMaintenance(m))).toBe(true);
    // The rule itself now ends with the first window: what the calendar and the page say.
    const series = readSeries(runtime, id)!;
    expect(occurrenceStarts(series.rule, first, 'Europe/Berlin')).toEqual([first]);
    expect(describeRule(series.rule)).toBe('every week on Sunday until March 14, 2027');
    const ics = maintenanceCalendar({ pageName: 'Example Mail', siteUrl: 'https://status.example.com' }, shown, ended, [series]);
    expect(ics).toContain('RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20270314T010000Z');

    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.map((m) => m.subject).slice(4)).toEqual(['[Example Mail status] Weekly patching — Starts soon', '[Example Mail status] Weekly patching — Cancelled']);
    expect(sink.messages[5].text).toContain('21 Mar 2027');
    expect(sink.messages[5].text).toContain('we patch with the new tooling now');

    // Only a live series ends here, and only one that is a series.
    const once = scheduleMaintenance(ctx, { title: 'Once', message: 'm', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), notify: false }, t0);
    expect(() => endSeries(ctx, once, 'x', ended)).toThrow(/is not part of a series/);
    expect(() => endSeries(ctx, id, '', ended)).toThrow(ActionError);
  });

  it('reminds of each later window even when the reminder period is longer than Herald plans ahead', async () => {
    const { sink, ctx, worker } = await mailingSetup({ MAINTENANCE_REMINDER_HOURS: '720' });
    const id = scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=2' }, t0);
    // The second window is planned 14 days ahead, well inside the 30-day reminder period: reminded of at once.
    const planned = new Date('2027-03-07T02:00:00Z');
    await worker.runOnce(planned);
    await worker.runOnce(planned);
    await sink.waitFor(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(windowsOf(ctx, id)).toHaveLength(2);
    expect(sink.messages.map((m) => m.subject)).toEqual(['[Example Mail status] Weekly patching — Scheduled', '[Example Mail status] Weekly patching — Starts soon']);
    expect(sink.messages[1].text).toContain('21 Mar 2027');
  });

  it('waits while its first window is in the trash, and goes on once it is restored', () => {
    const ctx = berlinContext();
    const id = scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=6', notify: false }, t0);
    trashIncident(ctx, id, t0);
    makeOccurrences(ctx, new Date('2027-03-10T00:00:00Z'));
    expect(windowsOf(ctx, id).map((w) => w.id)).toEqual([id]);
    restoreFromTrash(ctx, 'incident', id, new Date('2027-03-10T00:00:00Z'));
    makeOccurrences(ctx, new Date('2027-03-10T00:00:00Z'));
    expect(iso(windowsOf(ctx, id).map((w) => w.scheduledFor!))).toEqual(['2027-03-14T01:00:00.000Z', '2027-03-21T01:00:00.000Z']);
  });

  it('is one calendar event with its RRULE in the page zone: ical.js expands it to the windows Herald shows, a cancelled one left out and a moved one moved', () => {
    const ctx = berlinContext();
    const id = scheduleMaintenance(ctx, { title: 'Weekly patching', message: 'Rolling restarts.', scheduledFor: first, scheduledUntil: new Date(first.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=12', notify: false }, t0);
    makeOccurrences(ctx, new Date('2027-03-15T00:00:00Z'));
    const now = new Date('2027-03-16T00:00:00Z');
    const windows = windowsOf(ctx, id);
    expect(windows.length).toBeGreaterThanOrEqual(3);
    // Staff call off the second window (completed before it began) and move the third an hour later.
    postUpdate(ctx, windows[1].id, { status: 'completed', message: 'Not needed this week.', notify: false }, new Date('2027-03-15T10:00:00Z'));
    editIncident(ctx, windows[2].id, { scheduledFor: new Date(windows[2].scheduledFor!.getTime() + hour), scheduledUntil: new Date(windows[2].scheduledUntil!.getTime() + hour) }, new Date('2027-03-15T10:00:00Z'));
    const runtime = { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: { ...content, page: berlin } } as unknown as Runtime;
    const maintenance = readAllMaintenance(runtime, now);
    const ics = maintenanceCalendar({ pageName: 'Example Mail', siteUrl: 'https://status.example.com' }, maintenance, now, readMaintenanceSeries(runtime));
    expect(ics).toContain('RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=12');
    expect(ics).toContain('DTSTART;TZID=Europe/Berlin:20270314T020000');
    expect(ics).toContain('BEGIN:VTIMEZONE');

    const calendar = new ICAL.Component(ICAL.parse(ics));
    for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const master = events.find((e) => e.isRecurring())!;
    expect(events.filter((e) => e.uid === master.uid)).toHaveLength(2); // the series and its moved window
    for (const exception of events.filter((e) => e.isRecurrenceException())) master.relateException(exception);
    const expanded: string[] = [];
    const iterator = master.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) expanded.push(master.getOccurrenceDetails(next).startDate.toJSDate().toISOString());

    // What Herald shows: the windows made (not the cancelled one), then what the rule plans beyond them.
    const shown = maintenance.filter((m: Incident) => m.occurrence?.seriesId === id && !isCancelledMaintenance(m)).map((m) => m.scheduledFor!);
    const made = new Set(windows.map((w) => w.occurrenceOf!.getTime()));
    const planned = occurrenceStarts('FREQ=WEEKLY;BYDAY=SU;COUNT=12', first, 'Europe/Berlin').filter((s) => !made.has(s.getTime()));
    expect(expanded).toEqual(iso([...shown, ...planned].sort((a, b) => a.getTime() - b.getTime())));
    expect(expanded).toHaveLength(11);
    expect(expanded).toContain(new Date(windows[2].scheduledFor!.getTime() + hour).toISOString());
    expect(expanded).not.toContain(windows[1].scheduledFor!.toISOString());
    // After the spring change, each start is 02:00 CEST as ical.js reads the VTIMEZONE.
    expect(expanded).toContain('2027-04-04T00:00:00.000Z');
    expect(expanded).toContain('2027-04-11T00:00:00.000Z');
    expect(seriesHorizonMs).toBe(14 * day);
  });

  it('in the calendar, a series across the autumn change keeps the first of the two 02:00s, as Herald does', () => {
    const ctx = berlinContext();
    const autumn = new Date('2027-10-17T00:00:00Z'); // Sunday 02:00 CEST
    const id = scheduleMaintenance(ctx, { title: 'Autumn patching', message: 'm', scheduledFor: autumn, scheduledUntil: new Date(autumn.getTime() + hour), recurrence: 'FREQ=WEEKLY;BYDAY=SU;COUNT=4', notify: false }, new Date('2027-10-10T00:00:00Z'));
    makeOccurrences(ctx, new Date('2027-10-25T00:00:00Z'));
    const runtime = { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: { ...content, page: berlin } } as unknown as Runtime;
    const ics = maintenanceCalendar({ pageName: 'Example Mail', siteUrl: 'https://status.example.com' }, readAllMaintenance(runtime, new Date('2027-10-25T00:00:00Z')), new Date('2027-10-25T00:00:00Z'), readMaintenanceSeries(runtime));
    const calendar = new ICAL.Component(ICAL.parse(ics));
    for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const master = events.find((e) => e.isRecurring())!;
    for (const exception of events.filter((e) => e.isRecurrenceException())) master.relateException(exception);
    const expanded: string[] = [];
    const iterator = master.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) expanded.push(master.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
    expect(expanded).toEqual(['2027-10-17T00:00:00.000Z', '2027-10-24T00:00:00.000Z', '2027-10-31T00:00:00.000Z', '2027-11-07T01:00:00.000Z']);
    expect(expanded).toEqual(iso(occurrenceStarts('FREQ=WEEKLY;BYDAY=SU;COUNT=4', autumn, 'Europe/Berlin')));
    expect(windowsOf(ctx, id)).toHaveLength(4);
  });

  it('a markdown maintenance with recurrence: is a series too; a broken rule fails naming the file and field', () => {
    const file = `---\ntitle: Monthly failover drill\nkind: maintenance\nscheduled_for: 2027-04-06T08:00:00Z\nscheduled_until: 2027-04-06T09:00:00Z\nrecurrence: FREQ=MONTHLY;BYDAY=1TU;COUNT=3\ncomponents:\n  webmail: under_maintenance\n---\n\n## 2027-03-01T09:00:00Z scheduled\n\nWe switch to the standby.\n`;
    const known = new Set(content.catalog.components.map((c) => c.id));
    const drill = parseIncidentFile('2027-04-06-monthly-failover-drill', 'content/incidents/2027-04-06-monthly-failover-drill.md', file, known);
    expect(drill.recurrence).toBe('FREQ=MONTHLY;BYDAY=+1TU;COUNT=3');
    expect(() => parseIncidentFile('x', 'content/incidents/x.md', file.replace('COUNT=3', 'COUNT=0;FREQ'), known)).toThrow(/content\/incidents\/x\.md.*recurrence/);
    expect(() => parseIncidentFile('x', 'content/incidents/x.md', file.replace('kind: maintenance\n', 'impact: minor\n').replace(/scheduled_(for|until).*\n/g, '').replace('scheduled\n', 'investigating\n'), known)).toThrow(/recurrence.*only maintenance repeats/);

    const ctx = berlinContext();
    const withFile = { ...content, page: berlin, authored: [...content.authored, drill] };
    syncContent(ctx.db, withFile);
    makeOccurrences({ db: ctx.db, authored: withFile.authored }, new Date('2027-04-25T00:00:00Z'));
    makeOccurrences({ db: ctx.db, authored: withFile.authored }, new Date('2027-05-20T00:00:00Z'));
    // First Tuesdays at 10:00 Berlin: 4 May and 1 June, as live windows with the file's title and components.
    const windows = windowsOf(ctx, drill.id);
    expect(iso(windows.map((w) => w.scheduledFor!))).toEqual(['2027-05-04T08:00:00.000Z', '2027-06-01T08:00:00.000Z']);
    expect(windows.every((w) => w.title === 'Monthly failover drill')).toBe(true);
    // The file's rule changes (three drills become five) and Herald starts again with it: the series follows, from the last window planned.
    const longer = parseIncidentFile(drill.id, drill.filePath, file.replace('COUNT=3', 'COUNT=5'), known);
    const edited = { ...withFile, authored: [...content.authored, longer] };
    syncContent(ctx.db, edited);
    makeOccurrences({ db: ctx.db, authored: edited.authored }, new Date('2027-06-25T00:00:00Z'));
    makeOccurrences({ db: ctx.db, authored: edited.authored }, new Date('2027-07-25T00:00:00Z'));
    expect(iso(windowsOf(ctx, drill.id).map((w) => w.scheduledFor!))).toEqual(['2027-05-04T08:00:00.000Z', '2027-06-01T08:00:00.000Z', '2027-07-06T08:00:00.000Z', '2027-08-03T08:00:00.000Z']);
    syncContent(ctx.db, edited);
    makeOccurrences({ db: ctx.db, authored: edited.authored }, new Date('2027-09-20T00:00:00Z'));
    expect(windowsOf(ctx, drill.id)).toHaveLength(4);
    // Its windows end with the file, not from the console or the API.
    expect(() => endSeries({ ...ctx, authored: edited.authored }, windows[0].id, 'Stop.', new Date('2027-04-25T00:00:00Z'))).toThrow(/markdown series/);
    // Every other month from now on: May's window, planned by the old rule, is no longer one the rule gives, and is still in the calendar, on its own.
    const sparse = parseIncidentFile(drill.id, drill.filePath, file.replace('COUNT=3', 'INTERVAL=2;COUNT=3'), known);
    const resparse = { ...withFile, authored: [...content.authored, sparse] };
    syncContent(ctx.db, resparse);
    const calendarOf = (c: typeof resparse) => {
      const runtime = { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: c } as unknown as Runtime;
      const at = new Date('2027-04-25T00:00:00Z');
      const ics = maintenanceCalendar({ pageName: 'Example Mail', siteUrl: 'https://status.example.com' }, readAllMaintenance(runtime, at), at, readMaintenanceSeries(runtime));
      return new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    };
    const events = calendarOf(resparse).filter((e) => e.summary === 'Monthly failover drill');
    const may = windowsOf(ctx, drill.id).find((w) => w.scheduledFor!.toISOString() === '2027-05-04T08:00:00.000Z')!;
    expect(events.find((e) => e.uid.startsWith(`maintenance-${may.id}@`))?.startDate.toJSDate().toISOString()).toBe('2027-05-04T08:00:00.000Z');
    // The file stops repeating: no series any more, each window planned so far an event of its own, no UID twice.
    syncContent(ctx.db, { ...content, page: berlin, authored: [...content.authored, parseIncidentFile(drill.id, drill.filePath, file.replace(/recurrence:.*\n/, ''), known)] });
    expect(readMaintenanceSeries({ db: ctx.db } as unknown as Runtime)).toEqual([]);
    const once = calendarOf({ ...content, page: berlin, authored: [...content.authored, parseIncidentFile(drill.id, drill.filePath, file.replace(/recurrence:.*\n/, ''), known)] });
    const uids = once.map((e) => e.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(once.filter((e) => e.summary === 'Monthly failover drill' && !e.isRecurring())).toHaveLength(1 + windowsOf(ctx, drill.id).length);
    // A file whose window is not one its rule gives stops the start, naming the file and field.
    const wrong = parseIncidentFile('2027-04-07-drill', 'content/incidents/2027-04-07-drill.md', file.replace(/2027-04-06/g, '2027-04-07'), known);
    expect(() => syncContent(berlinContext().db, { ...content, page: berlin, authored: [...content.authored, wrong] })).toThrow(/recurrence/);
  });
});
