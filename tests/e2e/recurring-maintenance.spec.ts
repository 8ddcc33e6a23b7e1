// Recurring maintenance against the built server, as staff and subscribers'
// calendars meet it: a series scheduled from the console (a refused rule keeps
// what was typed), each window on the page with what the rule says, the series
// ended from one window; the same through the HTTP API and the CLI; and
// /maintenance.ics carrying the series as one event with its RRULE.
import ICAL from 'ical.js';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { expect, test } from './fixtures';
import { herald, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ SITE_URL: 'https://status.example.com' });
});
test.afterAll(async () => server?.stop());

const day = 86_400_000;
/** 02:00 UTC (the example page's zone), `days` from now: within the fortnight Herald plans ahead. */
function at2(days: number): Date {
  const d = new Date(Date.now() + days * day);
  d.setUTCHours(2, 0, 0, 0);
  return d;
}
const localInput = (d: Date) => d.toISOString().slice(0, 16);

test('the console schedules a series, shows each window with its rule, and ends it with one window', async ({ page }) => {
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/admin/maintenance/new`);
  const first = at2(2);
  await page.getByLabel('Title').fill('Nightly index rebuild');
  await page.getByLabel('Starts').fill(localInput(first));
  await page.getByLabel('Ends').fill(localInput(new Date(first.getTime() + 3_600_000)));
  await page.getByLabel('Repeats (optional)').fill('FREQ=DAILY');
  await page.getByLabel('Address book').check();
  await page.getByLabel('Announcement').fill('Search may return stale results for an hour.');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.locator('#recurrence-error')).toHaveText('end the series with COUNT=<n> or UNTIL=<date>');
  await expect(page.getByLabel('Title')).toHaveValue('Nightly index rebuild');
  await expect(page.getByLabel('Repeats (optional)')).toHaveValue('FREQ=DAILY');
  await page.getByLabel('Repeats (optional)').fill('FREQ=DAILY;COUNT=4');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
  const seriesId = new URL(page.url()).pathname.split('/').pop()!;

  // Four windows, each an entry of its own on the page, each saying how the series repeats.
  await page.goto(server.url);
  const cards = page.locator('section[aria-labelledby="maintenance"] article', { hasText: 'Nightly index rebuild' });
  await expect(cards).toHaveCount(4);
  await page.goto(`${server.url}/incidents/${seriesId}`);
  await expect(page.locator('.facts')).toContainText('every day, 4 times');

  // End it with the second window: the two after it are called off.
  const windows = (await (await fetch(`${server.url}/api/v2/scheduled-maintenances/upcoming.json`)).json()).scheduled_maintenances
    .filter((m: { name: string }) => m.name === 'Nightly index rebuild')
    .map((m: { id: string }) => m.id);
  expect(windows).toHaveLength(4);
  await page.goto(`${server.url}/admin/incidents/${windows[1]}`);
  await expect(page.locator('#series + p')).toContainText('every day, 4 times');
  await page.getByLabel('Message for the windows called off').fill('');
  await page.getByRole('button', { name: 'End the series with this window' }).click();
  await expect(page.locator('#seriesMessage-error')).toBeVisible();
  await page.getByLabel('Message for the windows called off').fill('Not needed: the new index builds itself.');
  await page.getByRole('button', { name: 'End the series with this window' }).click();
  await expect(page.getByRole('status')).toContainText('The series ends with this window.');
  await page.goto(server.url);
  await expect(cards).toHaveCount(2);
  await page.goto(`${server.url}/incidents/${windows[3]}`);
  await expect(page.locator('.facts')).toContainText('Completed');
  await expect(page.locator('body')).toContainText('Not needed: the new index builds itself.');
});

test('the HTTP API and the CLI schedule and end a series; the calendar shows it as one event with its rule', async () => {
  const db = openDatabase(server.db);
  const token = createApiToken(db, { label: 'e2e', userId: null }, { name: 'series', scope: 'write' }).secret;
  db.$client.close();
  const api = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const first = at2(3);
  const window = { title: 'Weekly failover drill', message: 'We switch to the standby.', components: ['webmail'], scheduled_for: first.toISOString(), scheduled_until: new Date(first.getTime() + 1_800_000).toISOString() };

  const refused = await api('/api/admin/maintenance', { ...window, recurrence: 'FREQ=HOURLY;COUNT=3' });
  expect(refused.status).toBe(422);
  expect((await refused.json()).error).toMatchObject({ field: 'recurrence', message: 'FREQ must be DAILY, WEEKLY or MONTHLY' });
  const created = await api('/api/admin/maintenance', { ...window, recurrence: 'FREQ=WEEKLY;COUNT=6' });
  expect(created.status).toBe(201);
  const drill = await created.json();
  expect(drill.series).toEqual({ id: drill.id, occurrence_of: first.toISOString() });

  // The calendar: one event with the rule, in the page's zone, expanding to the six windows.
  let ics = '';
  await expect.poll(async () => (ics = await (await fetch(`${server.url}/maintenance.ics`)).text())).toContain('RRULE:FREQ=WEEKLY;COUNT=6');
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  const master = calendar
    .getAllSubcomponents('vevent')
    .map((v) => new ICAL.Event(v))
    .find((e) => e.isRecurring() && e.summary === 'Weekly failover drill')!;
  expect(master.component.getFirstPropertyValue('rrule')!.toString()).toBe('FREQ=WEEKLY;COUNT=6');
  const starts: string[] = [];
  const iterator = master.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) starts.push(next.toJSDate().toISOString());
  expect(starts).toEqual([0, 1, 2, 3, 4, 5].map((n) => new Date(first.getTime() + n * 7 * day).toISOString()));

  // Ending it from its first window calls off the second (already planned: within the fortnight).
  const ended = await api(`/api/admin/maintenance/${drill.id}/end-series`, { message: 'The drill moves to the new runbook.' });
  expect(ended.status).toBe(200);
  const body = await ended.json();
  expect(body.called_off).toHaveLength(1);
  expect(body.called_off[0]).not.toBe(drill.id);
  // The render cache looks for writes every 25 ms: the calendar follows within that.
  await expect.poll(async () => (await fetch(`${server.url}/maintenance.ics`)).text()).toMatch(/RRULE:FREQ=WEEKLY;UNTIL=\d{8}T\d{6}Z/);
  const once = await api('/api/admin/maintenance', { ...window, title: 'One-off drill' });
  const notSeries = await api(`/api/admin/maintenance/${(await once.json()).id}/end-series`, { message: 'x' });
  expect(notSeries.status).toBe(409);
  expect((await notSeries.json()).error.message).toMatch(/is not part of a series/);

  // The CLI: --repeat, then end-series.
  const cliFirst = at2(4);
  const [id] = herald(server.db, 'maintenance', 'schedule', '--title', 'Certificate rotation', '--from', cliFirst.toISOString(), '--until', new Date(cliFirst.getTime() + 3_600_000).toISOString(), '--message', 'Short reconnects.', '--repeat', 'FREQ=DAILY;COUNT=3', '--no-notify').split('\n');
  const out = herald(server.db, 'maintenance', 'end-series', id, '--message', 'Rotation is automatic now.');
  expect(out.split('\n')).toHaveLength(3); // the series ends, two windows called off
  expect(out).toContain(`The series ends with ${id}`);
});
