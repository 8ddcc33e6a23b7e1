// SQL-shaped input (tests/helpers/attack-payloads.ts: sqlPayloads) in titles,
// bodies, component and group names, descriptions, maintenance titles, staff
// names, token names, subscriber addresses, slugs and query parameters. It is
// stored and shown exactly as typed (on the page, in the JSON API), and the
// database is intact afterwards: the same tables, every row accounted for,
// integrity_check ok. Line breaks in a title cannot start a new line of the
// calendar feed either.
import { existsSync } from 'node:fs';
import ICAL from 'ical.js';
import type Database from 'better-sqlite3';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { sqlPayloads } from '../helpers/attack-payloads';
import { formBody, openReadOnly, rawSession, schemaOf, send, snapshot, startAttackServer, type AttackServer } from './attack-helpers';
import { expect, test } from './fixtures';
import { herald } from './server';

test.describe.configure({ mode: 'serial' });

let target: AttackServer;
let db: Database.Database;
let token = '';
const created: { id: string; title: string; body: string }[] = [];
const components: { id: string; name: string; description: string }[] = [];

test.beforeAll(async () => {
  target = await startAttackServer({ HERALD_WORKER: '0' });
  const app = openDatabase(target.server.db);
  token = createApiToken(app, { label: 'injection suite', userId: null }, { name: 'injection-suite', scope: 'write' }).secret;
  app.$client.close();
  db = openReadOnly(target.server.db);
});

test.afterAll(async () => {
  db?.close();
  await target?.server.stop();
});

const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('SQL-shaped text is stored as typed through the CLI, the API, the console and the subscribe form, and the tables survive', async ({ page }) => {
  const schema = schemaOf(db);
  const before = snapshot(db);
  const attached = existsSync('/tmp/pwned.db');
  const api = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

  // The CLI.
  const cli = herald(target.server.db, 'incident', 'create', '--title', sqlPayloads[0], '--impact', 'minor', '--message', sqlPayloads[1]).split('\n')[0];
  created.push({ id: cli, title: sqlPayloads[0], body: sqlPayloads[1] });
  // The token API: every payload as a title and, shifted by one, as the body.
  for (const [n, title] of sqlPayloads.entries()) {
    const body = sqlPayloads[(n + 1) % sqlPayloads.length];
    const response = await send(`${target.url}/api/admin/incidents`, { method: 'POST', headers: api, body: JSON.stringify({ title, impact: 'major', message: body, notify: false }) });
    expect(response.status, response.body).toBe(201);
    created.push({ id: JSON.parse(response.body).id, title, body });
  }
  // The console: components, their descriptions, a group, a maintenance window, a staff name, a token name.
  const { cookie, csrf } = await rawSession(target);
  const post = (path: string, fields: [string, string][]) =>
    send(target.url + path, { method: 'POST', headers: { Cookie: cookie, Origin: target.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody([['csrf', csrf], ...fields]) });
  for (const [n, payload] of sqlPayloads.entries()) {
    const name = `S${n} ${payload}`;
    const response = await post('/admin/components', [['intent', 'create-component'], ['name', name], ['description', payload], ['groupId', '']]);
    expect(response.status, response.body.slice(0, 300)).toBe(303);
    components.push({ id: /\/admin\/components\/([^?]+)/.exec(String(response.headers.location))![1], name, description: payload });
  }
  expect((await post('/admin/components', [['intent', 'create-group'], ['groupName', sqlPayloads[2]]])).status).toBe(303);
  expect((await post('/admin/maintenance/new', [['intent', 'schedule'], ['title', sqlPayloads[3]], ['scheduledFor', '2099-03-01T02:00'], ['scheduledUntil', '2099-03-01T03:00'], ['message', sqlPayloads[4]]])).status).toBe(303);
  expect((await post('/admin/users', [['intent', 'create'], ['email', 'bobby@example.com'], ['name', sqlPayloads[2]], ['role', 'editor']])).status).toBe(200);
  expect((await post('/admin/tokens', [['intent', 'create'], ['name', sqlPayloads[5]], ['scope', 'read']])).status).toBe(200);
  // The subscribe form: quotes, dashes and slashes are legal in an address and stored like any other;
  // semicolons, parentheses and quoted names are not addresses Herald mails (a 422, nothing stored).
  const addresses = ["x'or'1'='1@example.com", "a'--@example.com", "1'/*x*/=1@example.com"];
  const refused = ["robert');delete-from-users;--@example.com", '"or"1"="1"--@example.com'];
  const subscribe = (email: string) =>
    send(`${target.url}/subscribe`, { method: 'POST', headers: { Origin: target.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody([['email', email]]) });
  for (const email of addresses) expect((await subscribe(email)).status, email).toBe(200);
  for (const email of refused) expect((await subscribe(email)).status, email).toBe(422);

  // Stored exactly as typed.
  const stored = db.prepare('SELECT title FROM incidents WHERE id = ?');
  for (const c of created) expect((stored.get(c.id) as { title: string }).title).toBe(c.title);
  const storedAddresses = (db.prepare("SELECT address FROM subscribers WHERE kind = 'email'").all() as { address: string }[]).map((r) => r.address);
  expect(storedAddresses.sort()).toEqual([...addresses].sort());
  expect(db.prepare('SELECT name FROM users WHERE email = ?').get('bobby@example.com')).toEqual({ name: sqlPayloads[2] });
  expect(db.prepare('SELECT name FROM api_tokens WHERE name = ?').get(sqlPayloads[5])).toEqual({ name: sqlPayloads[5] });

  // The tables survived: the same schema, nothing gone, only what was added, and a sound file.
  const after = snapshot(db);
  expect(schemaOf(db)).toEqual(schema);
  expect(after.incidents).toBe(Number(before.incidents) + created.length + 1);
  expect(after.components).toBe(Number(before.components) + sqlPayloads.length);
  expect(after.users).toBe(Number(before.users) + 1);
  expect(after.subscribers).toBe(Number(before.subscribers) + addresses.length);
  expect(count('components') - sqlPayloads.length).toBe(Number(before.components));
  expect((db.prepare("SELECT count(*) AS n FROM components WHERE name = 'pwned'").get() as { n: number }).n).toBe(0);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(existsSync('/tmp/pwned.db')).toBe(attached);

  // Shown exactly as typed: on the pages and in the JSON APIs.
  for (const c of created) {
    await page.goto(`${target.url}/incidents/${c.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(c.title);
    await expect(page.locator('.timeline')).toContainText(c.body);
  }
  for (const c of components) {
    await page.goto(`${target.url}/components/${c.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(c.name);
    await expect(page.locator('main')).toContainText(c.description);
  }
  const v2 = await (await send(`${target.url}/api/v2/incidents.json`)).body;
  const listed = new Map((JSON.parse(v2).incidents as { id: string; name: string; incident_updates: { body: string }[] }[]).map((i) => [i.id, i]));
  for (const c of created) {
    expect(listed.get(c.id)?.name).toBe(c.title);
    expect(listed.get(c.id)?.incident_updates.map((u) => u.body)).toEqual([c.body]);
  }
  const v2components = JSON.parse((await send(`${target.url}/api/v2/components.json`)).body).components as { id: string; name: string; description: string }[];
  for (const c of components) expect(v2components.find((x) => x.id === c.id)).toMatchObject({ name: c.name, description: c.description });
  const admin = JSON.parse((await send(`${target.url}/api/admin/incidents/${created[1].id}`, { headers: api })).body);
  expect(admin).toMatchObject({ name: created[1].title, updates: [{ body: created[1].body }] });
});

test('SQL-shaped slugs and query parameters find nothing and break nothing', async () => {
  const schema = schemaOf(db);
  const before = snapshot(db);
  const { cookie } = await rawSession(target);
  const auth = { Authorization: `Bearer ${token}` };
  for (const payload of sqlPayloads) {
    const q = encodeURIComponent(payload);
    const checks: [string, Record<string, string>, number[]][] = [
      [`/incidents/${q}`, {}, [404]],
      [`/components/${q}`, {}, [404]],
      [`/history/${q}`, {}, [404]],
      [`/components/${q}/feed.xml`, {}, [404]],
      [`/components/${q}/badge.svg`, {}, [404]],
      [`/subscribe/manage?s=${q}&t=${q}`, {}, [404]],
      [`/subscribe/confirm?s=1%20OR%201=1&t=${q}`, {}, [404]],
      [`/unsubscribe?s=${q}&t=${q}`, {}, [404]],
      [`/api/v2/incidents.json?id=${q}`, {}, [200]],
      [`/api/admin/incidents/${q}`, auth, [404]],
      [`/api/admin/incidents/${q}/updates`, auth, [404]],
      [`/api/admin/maintenance/${q}`, auth, [404]],
      [`/api/admin/components/${q}`, auth, [404]],
      [`/api/admin/incidents?all=${q}`, auth, [200]],
      [`/admin/incidents/${q}`, { Cookie: cookie }, [404]],
      [`/admin/components/${q}`, { Cookie: cookie }, [404]],
      [`/admin/updates/${q}`, { Cookie: cookie }, [404]],
      [`/admin/audit?before=${q}`, { Cookie: cookie }, [200]],
    ];
    for (const [path, headers, statuses] of checks) {
      const response = await send(target.url + path, { headers });
      expect(statuses, `${path} answered ${response.status}`).toContain(response.status);
    }
    // Updates and edits aimed at SQL-shaped ids change nothing.
    const patch = await send(`${target.url}/api/admin/incidents/${q}`, { method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'resolved', message: payload }) });
    expect(patch.status).toBe(404);
    const component = await send(`${target.url}/api/admin/components/webmail`, { method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ group_id: payload }) });
    expect(component.status).toBe(422);
  }
  expect(snapshot(db)).toEqual(before);
  expect(schemaOf(db)).toEqual(schema);
});

test('a title with line breaks cannot add lines to the calendar feed', async () => {
  const api = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const titles = ['Kernel upgrade\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected', 'Disk swap\rURL:https://evil.example/', 'Reboot\nATTACH:https://evil.example/x'];
  for (const [n, title] of titles.entries()) {
    const response = await send(`${target.url}/api/admin/maintenance`, {
      method: 'POST',
      headers: api,
      body: JSON.stringify({ title, scheduled_for: `2099-04-0${n + 1}T02:00:00Z`, scheduled_until: `2099-04-0${n + 1}T03:00:00Z`, message: `${title}\r\nDESCRIPTION:also injected`, notify: false }),
    });
    expect(response.status, response.body).toBe(201);
  }
  const ics = (await send(`${target.url}/maintenance.ics`)).body;
  // Every line break is CRLF, and no line starts with what a title smuggled in.
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  expect(ics).not.toMatch(/\r\n(URL:https:\/\/evil|ATTACH|SUMMARY:Injected|DESCRIPTION:also)/);
  const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
  for (const title of titles) expect(events.map((e) => e.summary)).toContain(title.replace(/\r\n?/g, '\n'));
});
