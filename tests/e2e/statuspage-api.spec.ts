// The Statuspage-compatible public API, badges and calendar, against the built
// server with a database holding every case a client meets: groups and an
// ungrouped component, null descriptions, markdown and live incidents,
// resolved and unresolved, every maintenance state and a cancelled window.
// The zod schemas are written from Statuspage's public v2 shapes and are
// strict: a missing or an extra field fails, but for Herald's one documented
// extension, an incident's next_update_at (Statuspage clients ignore unknown fields).
import ICAL from 'ical.js';
import { z } from 'astro/zod';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures';
import { herald, startServer, type RunningServer } from './server';

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/, 'ISO 8601 with an offset');
const componentStatus = z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']);
const page = z.object({ id: z.string().min(1), name: z.string(), url: z.string().url(), time_zone: z.string(), updated_at: iso }).strict();
const component = z
  .object({
    id: z.string(),
    name: z.string(),
    status: componentStatus,
    created_at: iso,
    updated_at: iso,
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z.string().nullable(),
    group_id: z.string().nullable(),
    page_id: z.string(),
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
    components: z.array(z.string()).optional(),
  })
  .strict()
  .refine((c) => c.group === (c.components !== undefined), 'groups, and only groups, list their components');
const update = z
  .object({
    id: z.string(),
    status: z.string(),
    body: z.string(),
    incident_id: z.string(),
    created_at: iso,
    updated_at: iso,
    display_at: iso,
    affected_components: z.array(z.object({ code: z.string(), name: z.string(), old_status: componentStatus, new_status: componentStatus }).strict()).nullable(),
    deliver_notifications: z.boolean(),
    custom_tweet: z.string().nullable(),
    tweet_id: z.string().nullable(),
  })
  .strict();
const incidentFields = {
  id: z.string(),
  name: z.string(),
  created_at: iso,
  updated_at: iso,
  monitoring_at: iso.nullable(),
  resolved_at: iso.nullable(),
  shortlink: z.string().url(),
  started_at: iso,
  page_id: z.string(),
  incident_updates: z.array(update),
  components: z.array(component),
  next_update_at: iso.nullable(),
};
const incident = z
  .object({ ...incidentFields, status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']), impact: z.enum(['none', 'minor', 'major', 'critical']) })
  .strict();
const maintenance = z
  .object({
    ...incidentFields,
    status: z.enum(['scheduled', 'in_progress', 'verifying', 'completed']),
    impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    scheduled_for: iso.nullable(),
    scheduled_until: iso.nullable(),
  })
  .strict();
const status = z.object({ indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']), description: z.string() }).strict();

const schemas = {
  'summary.json': z.object({ page, components: z.array(component), incidents: z.array(incident), scheduled_maintenances: z.array(maintenance), status }).strict(),
  'status.json': z.object({ page, status }).strict(),
  'components.json': z.object({ page, components: z.array(component) }).strict(),
  'incidents.json': z.object({ page, incidents: z.array(incident).max(50) }).strict(),
  'incidents/unresolved.json': z.object({ page, incidents: z.array(incident) }).strict(),
  'scheduled-maintenances.json': z.object({ page, scheduled_maintenances: z.array(maintenance).max(50) }).strict(),
  'scheduled-maintenances/upcoming.json': z.object({ page, scheduled_maintenances: z.array(maintenance) }).strict(),
  'scheduled-maintenances/active.json': z.object({ page, scheduled_maintenances: z.array(maintenance) }).strict(),
};

let server: RunningServer;
const slugs: Record<string, string> = {};
const t0 = Math.floor(Date.now() / 60_000) * 60_000; // whole minutes: iCalendar times carry seconds
const at = (hours: number) => new Date(t0 + hours * 3600_000).toISOString();
const windows = { scheduled: { from: at(30), until: at(32) } };
const cli = (...args: string[]) => herald(server.db, ...args).split('\n')[0];

test.beforeAll(async () => {
  server = await startServer({ SITE_URL: 'https://status.example.com' });
  const db = new Database(server.db);
  db.prepare("INSERT INTO components (id, name, description, group_id, position, status, listed, source, created_at, updated_at) VALUES ('billing-api', 'Billing API', NULL, NULL, 99, 'degraded_performance', 1, 'console', ?, ?)").run(Date.now(), Date.now());
  db.close();
  slugs.open = cli('incident', 'create', '--title', 'Webmail logins failing', '--impact', 'major', '--component', 'webmail:major_outage', '--message', 'Looking **now**.');
  cli('incident', 'update', slugs.open, '--status', 'monitoring', '--message', 'A fix is out.', '--component', 'webmail:degraded_performance');
  slugs.fixed = cli('incident', 'create', '--title', 'DNS slow', '--impact', 'minor', '--component', 'dns:degraded_performance', '--message', 'Slow lookups.');
  cli('incident', 'resolve', slugs.fixed, '--message', 'Fast again.');
  slugs.scheduled = cli('maintenance', 'schedule', '--title', 'Storage move', '--from', windows.scheduled.from, '--until', windows.scheduled.until, '--message', 'Planned.', '--component', 'imap-pop');
  slugs.running = cli('maintenance', 'schedule', '--title', 'Kernel updates', '--from', at(-1), '--until', at(2), '--message', 'Rolling reboots.', '--component', 'smtp-submission');
  // Begun by staff, so the restart below finds nothing for the clock to move.
  cli('maintenance', 'update', slugs.running, '--status', 'in_progress', '--message', 'Rebooting the first half.');
  // Left to the clock: a window that began and ended with no staff update.
  slugs.byClock = cli('maintenance', 'schedule', '--title', 'Certificate rotation', '--from', at(-3), '--until', at(-2), '--message', 'Rotating.', '--component', 'inbound');
  slugs.verifying = cli('maintenance', 'schedule', '--title', 'Index rebuild', '--from', at(-2), '--until', at(1), '--message', 'Rebuilding.');
  cli('maintenance', 'update', slugs.verifying, '--status', 'verifying', '--message', 'Checking results.');
  slugs.done = cli('maintenance', 'schedule', '--title', 'Router swap', '--from', at(-5), '--until', at(-4), '--message', 'Swapping.');
  cli('maintenance', 'complete', slugs.done, '--message', 'Done.');
  slugs.cancelled = cli('maintenance', 'schedule', '--title', 'Disk firmware', '--from', at(48), '--until', at(49), '--message', 'Firmware.');
  cli('maintenance', 'complete', slugs.cancelled, '--message', 'Called off: the vendor withdrew the firmware.');
});
test.afterAll(async () => {
  await server?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${server.url}/api/v2/${path}`);
  expect(response.status, path).toBe(200);
  return { response, body: await response.json() };
};

for (const [path, schema] of Object.entries(schemas)) {
  test(`/api/v2/${path} answers in Statuspage's exact shape, readable from any origin`, async () => {
    const { response, body } = await get(path);
    const parsed = schema.safeParse(body);
    expect(parsed.success ? 'ok' : JSON.stringify(parsed.error.issues.slice(0, 5), null, 1)).toBe('ok');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}(-br|-gz)?"$/);
    const again = await fetch(`${server.url}/api/v2/${path}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
}

// The example content's maintenance has a fixed window; the clock that reads it does not stop.
const exampleMaintenance = {
  id: '2026-12-06-database-server-upgrade',
  from: Date.parse('2026-12-06T02:00:00Z'),
  until: Date.parse('2026-12-06T03:30:00Z'),
  unlessStarted() {
    return Date.now() < this.from ? [this.id] : [];
  },
  unlessEnded() {
    return Date.now() < this.until ? [this.id] : [];
  },
};

test('the summary holds what a client needs, with markdown and live incidents alike', async () => {
  const { body } = await get('summary.json');
  expect(body.page).toMatchObject({ name: 'Example Mail', url: 'https://status.example.com', time_zone: 'UTC' });
  const ids = body.components.map((c: { id: string }) => c.id);
  const group = body.components.find((c: { id: string }) => c.id === 'mail-access');
  expect(group).toMatchObject({ group: true, components: ['webmail', 'imap-pop', 'smtp-submission'], status: 'degraded_performance' });
  for (const child of group.components) expect(ids.indexOf(child)).toBeGreaterThan(ids.indexOf('mail-access'));
  expect(body.components.find((c: { id: string }) => c.id === 'billing-api')).toMatchObject({ group_id: null, description: null, status: 'degraded_performance' });
  expect(body.components.find((c: { id: string }) => c.id === 'smtp-submission').status).toBe('under_maintenance');
  expect(body.components.map((c: { position: number }) => c.position)).toEqual(body.components.map((_: unknown, n: number) => n + 1));

  expect(body.incidents.map((i: { id: string }) => i.id)).toEqual([slugs.open]);
  const open = body.incidents[0];
  expect(open).toMatchObject({ name: 'Webmail logins failing', status: 'monitoring', impact: 'major', shortlink: `https://status.example.com/incidents/${slugs.open}`, resolved_at: null });
  expect(open.monitoring_at).not.toBeNull();
  expect(open.incident_updates.map((u: { status: string }) => u.status)).toEqual(['monitoring', 'investigating']);
  expect(open.incident_updates[1]).toMatchObject({ body: 'Looking **now**.', deliver_notifications: true, affected_components: [{ code: 'webmail', name: 'Web interface', old_status: 'operational', new_status: 'major_outage' }] });
  expect(open.incident_updates[0].affected_components).toEqual([{ code: 'webmail', name: 'Web interface', old_status: 'major_outage', new_status: 'degraded_performance' }]);
  expect(open.components.map((c: { id: string }) => c.id)).toEqual(['webmail']);

  expect(body.scheduled_maintenances.map((m: { id: string }) => m.id).sort()).toEqual([slugs.running, slugs.scheduled, slugs.verifying, ...exampleMaintenance.unlessEnded()].sort());
  expect(body.status).toEqual({ indicator: 'major', description: 'Major Service Outage' });

  // A markdown incident: the same shape, its file name as its id, its updates never notified.
  const { body: all } = await get('incidents.json');
  const authored = all.incidents.find((i: { id: string }) => i.id === '2026-09-19-database-corruption-outage');
  expect(authored.status).toMatch(/resolved|postmortem/);
  expect(authored.incident_updates.every((u: { deliver_notifications: boolean }) => !u.deliver_notifications)).toBe(true);
  // The file's components: set by its first update, returned to operational by the one that resolves it.
  type Change = { code: string; old_status: string; new_status: string };
  const changes = authored.incident_updates.map((u: { status: string; affected_components: Change[] | null }) => [u.status, u.affected_components?.map((c) => `${c.code} ${c.old_status}>${c.new_status}`) ?? null]);
  expect(changes.at(-1)).toEqual(['investigating', expect.arrayContaining(['webmail operational>major_outage', 'inbound operational>partial_outage'])]);
  expect(changes.find(([status]: [string]) => status === 'resolved')).toEqual(['resolved', expect.arrayContaining(['webmail major_outage>operational', 'inbound partial_outage>operational'])]);
  expect(changes.filter(([, list]: [string, unknown]) => list !== null)).toHaveLength(2);
  expect(all.incidents.some((i: { id: string }) => i.id === slugs.fixed)).toBe(true);
  expect(all.incidents.every((i: { impact: string }) => i.impact !== 'maintenance')).toBe(true);
});

test('maintenance lists split by state: upcoming, active, and all with their windows', async () => {
  const { body: upcoming } = await get('scheduled-maintenances/upcoming.json');
  expect(upcoming.scheduled_maintenances.map((m: { id: string }) => m.id)).toEqual([slugs.scheduled, ...exampleMaintenance.unlessStarted()]);
  const { body: active } = await get('scheduled-maintenances/active.json');
  expect(active.scheduled_maintenances.map((m: { id: string; status: string }) => `${m.id} ${m.status}`).sort()).toEqual([`${slugs.running} in_progress`, `${slugs.verifying} verifying`].sort());
  const { body: all } = await get('scheduled-maintenances.json');
  const byId = new Map(all.scheduled_maintenances.map((m: { id: string }) => [m.id, m]));
  expect(byId.get(slugs.done)).toMatchObject({ status: 'completed', impact: 'maintenance' });
  const storage = byId.get(slugs.scheduled) as { scheduled_for: string; scheduled_until: string };
  expect(Date.parse(storage.scheduled_for)).toBe(Date.parse(windows.scheduled.from));
  expect(Date.parse(storage.scheduled_until)).toBe(Date.parse(windows.scheduled.until));
});

test('ids are stable across a restart, and the API is as fresh as the page after a write', async () => {
  const before = (await get('summary.json')).body;
  const all = (await get('incidents.json')).body;
  const db = server.db;
  await server.stop();
  server = await startServer({ SITE_URL: 'https://status.example.com', HERALD_DB: db });
  expect((await get('summary.json')).body).toEqual(before);
  expect((await get('incidents.json')).body).toEqual(all);
  expect(before.page.id).toMatch(/^[0-9a-z]{12}$/);

  // The restarted worker posts what the clock did to the window nobody updated, as Statuspage does.
  type Update = { status: string; body: string; affected_components: { code: string; old_status: string; new_status: string }[] | null };
  const byClock = async () =>
    ((await get('scheduled-maintenances.json')).body.scheduled_maintenances.find((m: { id: string }) => m.id === slugs.byClock) as { status: string; incident_updates: Update[] });
  await expect.poll(async () => (await byClock()).incident_updates.length, { timeout: 10_000 }).toBe(3);
  const rotated = await byClock();
  expect(rotated.status).toBe('completed');
  expect(rotated.incident_updates.map((u) => [u.status, u.body, u.affected_components?.map((c) => `${c.code} ${c.old_status}>${c.new_status}`) ?? null])).toEqual([
    ['completed', 'The maintenance has ended, as scheduled.', ['inbound under_maintenance>operational']],
    ['in_progress', 'The maintenance has begun, as scheduled.', ['inbound operational>under_maintenance']],
    ['scheduled', 'Rotating.', null],
  ]);

  cli('incident', 'resolve', slugs.open, '--message', 'Fixed.');
  expect((await get('incidents/unresolved.json')).body.incidents).toEqual([]);
  // The resolving update says what it changed: the component is back to operational.
  const resolved = (await get('incidents.json')).body.incidents.find((i: { id: string }) => i.id === slugs.open);
  expect(resolved.incident_updates[0]).toMatchObject({
    status: 'resolved',
    affected_components: [{ code: 'webmail', name: 'Web interface', old_status: 'degraded_performance', new_status: 'operational' }],
  });
  // Still degraded: the console-made component. Under maintenance: one running window.
  expect((await get('status.json')).body.status).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });
});

test('badges: overall and per component, titled for screen readers, embeddable, cacheable briefly', async () => {
  const overall = await fetch(`${server.url}/badge.svg`);
  expect(overall.status).toBe(200);
  expect(overall.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
  expect(overall.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=60, stale-if-error=86400');
  expect(overall.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  const svg = await overall.text();
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-label="Example Mail status: [^"]+"><title>Example Mail status: /);
  const component = await (await fetch(`${server.url}/components/billing-api/badge.svg`)).text();
  expect(component).toContain('<title>Billing API: Degraded performance</title>');
  expect(component).toContain('>degraded performance</text>');
  expect((await fetch(`${server.url}/components/nope/badge.svg`)).status).toBe(404);
});

test('the maintenance calendar parses as iCalendar, keeps UIDs across updates and marks cancelled windows', async () => {
  const response = await fetch(`${server.url}/maintenance.ics`);
  expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  const text = await response.text();
  expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
  const events = () => new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const byUid = new Map(events().map((e) => [e.uid, e]));
  const uid = (slug: string) => `maintenance-${slug}@status.example.com`;
  for (const slug of [slugs.scheduled, slugs.running, slugs.verifying, slugs.done, slugs.cancelled, '2026-12-06-database-server-upgrade']) expect(byUid.has(uid(slug))).toBe(true);
  const storage = byUid.get(uid(slugs.scheduled))!;
  expect(storage.summary).toBe('Storage move');
  expect(storage.startDate.toJSDate().getTime()).toBe(Date.parse(windows.scheduled.from));
  expect(storage.endDate.toJSDate().getTime()).toBe(Date.parse(windows.scheduled.until));
  expect(storage.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
  const cancelled = byUid.get(uid(slugs.cancelled))!;
  expect(cancelled.component.getFirstPropertyValue('status')).toBe('CANCELLED');
  expect(cancelled.summary).toBe('Cancelled: Disk firmware');
  expect(cancelled.description).toContain('Called off: the vendor withdrew the firmware.');
  expect(byUid.get(uid(slugs.done))!.component.getFirstPropertyValue('status')).toBe('CONFIRMED');

  // An update changes the event in place: same UID, a higher SEQUENCE.
  const sequence = storage.sequence;
  cli('maintenance', 'update', slugs.scheduled, '--status', 'scheduled', '--message', 'Moved, same window; now, with a comma; and semicolons.');
  const updated = new ICAL.Component(ICAL.parse(await (await fetch(`${server.url}/maintenance.ics`)).text())).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)).find((e) => e.uid === uid(slugs.scheduled))!;
  expect(updated.sequence).toBe(sequence + 1);
  expect(updated.description).toContain('Moved, same window; now, with a comma; and semicolons.');
});
