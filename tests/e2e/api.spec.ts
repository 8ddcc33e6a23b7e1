// The token API under /api/admin, against the built server: authentication,
// the incident and maintenance life cycle as visitors then see it, and bad
// input answered in JSON with the right status, never a 500.
import { request as httpRequest } from 'node:http';
import type { APIResponse } from '@playwright/test';
import { createApiToken, listApiTokens, revokeApiToken } from '../../src/lib/server/accounts/api-tokens';
import { readAudit } from '../../src/lib/server/accounts/audit';
import { openDatabase, type HeraldDb } from '../../src/lib/server/db';
import { database, expect, test } from './fixtures';

const tester = { label: 'e2e', userId: null };
let db: HeraldDb;
let write: { id: number; secret: string };
let read: { id: number; secret: string };

test.beforeAll(() => {
  db = openDatabase(database());
  write = createApiToken(db, tester, { name: 'e2e-write', scope: 'write' });
  read = createApiToken(db, tester, { name: 'e2e-read', scope: 'read' });
});

test.afterAll(() => db.$client.close());

const auth = (secret: string) => ({ Authorization: `Bearer ${secret}` });
const as = (secret = write.secret) => ({ headers: auth(secret) });
const send = (data: unknown, secret = write.secret) => ({ headers: auth(secret), data });

/** The JSON error body, checked for its shape. */
async function errorOf(response: APIResponse, status: number) {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()['content-type']).toContain('application/json');
  const body = await response.json();
  expect(typeof body.error.message).toBe('string');
  return body.error as { message: string; field?: string };
}

test.describe('authentication', () => {
  test('no token, a garbage token and a revoked token get 401 with WWW-Authenticate', async ({ request }) => {
    const none = await request.get('/api/admin/incidents');
    expect((await errorOf(none, 401)).message).toContain('Authorization: Bearer');
    expect(none.headers()['www-authenticate']).toContain('Bearer');
    await errorOf(await request.get('/api/admin/incidents', as('herald_not-a-real-token')), 401);
    await errorOf(await request.get('/api/admin/incidents', { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401);

    const doomed = createApiToken(db, tester, { name: 'e2e-doomed', scope: 'write' });
    expect((await request.get('/api/admin/incidents', as(doomed.secret))).status()).toBe(200);
    revokeApiToken(db, tester, doomed.id);
    const revoked = await request.get('/api/admin/incidents', as(doomed.secret));
    expect((await errorOf(revoked, 401)).message).toContain('revoked');
  });

  test('a read token reads but may not write', async ({ request }) => {
    expect((await request.get('/api/admin/components', as(read.secret))).status()).toBe(200);
    const post = await request.post('/api/admin/incidents', send({ title: 'Never', impact: 'minor', message: 'x' }, read.secret));
    expect((await errorOf(post, 403)).message).toContain('e2e-read');
    await errorOf(await request.patch('/api/admin/components/webmail', send({ status: 'major_outage' }, read.secret)), 403);
    const listed = await (await request.get('/api/admin/incidents?all=1', as())).json();
    expect(listed.incidents.map((i: { name: string }) => i.name)).not.toContain('Never');
  });

  test('records when a token was last used, and answers no-store', async ({ request }) => {
    const before = Date.now();
    const response = await request.get('/api/admin/components', as(read.secret));
    expect(response.headers()['cache-control']).toBe('no-store');
    const token = listApiTokens(db).find((t) => t.id === read.id)!;
    expect(token.lastUsedAt).not.toBeNull();
    expect(token.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});

test.describe.serial('an incident through the API', () => {
  const title = 'API test: webmail logins failing';
  let location = '';
  let id = '';

  test('POST creates it: 201, Location, and the body in snake_case', async ({ request }) => {
    const response = await request.post('/api/admin/incidents', send({
      title,
      impact: 'major',
      status: 'identified',
      message: 'Logins to the **web interface** fail for some users.',
      components: [{ id: 'webmail', status: 'partial_outage' }],
      notify: false,
    }));
    expect(response.status(), await response.text()).toBe(201);
    location = response.headers()['location'];
    const incident = await response.json();
    id = incident.id;
    expect(location).toBe(`/api/admin/incidents/${id}`);
    expect(id).toMatch(/^\d{4}-\d{2}-\d{2}-api-test-webmail-logins-failing$/);
    expect(incident).toMatchObject({
      name: title,
      status: 'identified',
      impact: 'major',
      resolved_at: null,
      components: [{ id: 'webmail', status: 'partial_outage' }],
      source: 'live',
    });
    expect(incident.shortlink).toMatch(new RegExp(`^https?://.+/incidents/${id}$`));
    expect(new Date(incident.started_at).toISOString()).toBe(incident.started_at);
    expect(incident.updates).toHaveLength(1);
    expect(incident.updates[0]).toMatchObject({ status: 'identified', source: 'live', edited_at: null });
    expect(incident.updates[0].body).toContain('**web interface**');
    // The audit log names the token.
    expect(readAudit(db, 5).find((e) => e.action === 'incident.create' && e.target === id)?.actor).toBe(`token e2e-write (#${write.id})`);
  });

  test('GET reads it back, and lists it among the open incidents', async ({ request }) => {
    const one = await request.get(location, as(read.secret));
    expect(one.status()).toBe(200);
    expect(await one.json()).toMatchObject({ id, name: title, status: 'identified' });
    const open = await (await request.get('/api/admin/incidents', as(read.secret))).json();
    expect(open.incidents.map((i: { id: string }) => i.id)).toContain(id);
  });

  test('the public page shows it on the very next request', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('section[aria-labelledby="active-incidents"]')).toContainText(title);
    await expect(page.locator('.banner h2')).toHaveText('Major Service Outage');
    await expect(page.locator('.component', { hasText: 'Web interface' })).toContainText('Partial outage');
  });

  test('POST an update: 201 with the update, newest first in GET updates', async ({ request }) => {
    const response = await request.post(`${location}/updates`, send({
      status: 'monitoring',
      message: 'A fix is deployed; watching logins.',
      components: [{ id: 'webmail', status: 'degraded_performance' }],
    }));
    expect(response.status(), await response.text()).toBe(201);
    const update = await response.json();
    expect(update).toMatchObject({ status: 'monitoring', body: 'A fix is deployed; watching logins.', source: 'live' });
    expect(update.id).toMatch(new RegExp(`^${id}#\\d+$`));
    expect(response.headers()['location']).toBe(`/api/admin/incidents/${id}/updates`);
    const { updates } = await (await request.get(`${location}/updates`, as())).json();
    expect(updates.map((u: { status: string }) => u.status)).toEqual(['monitoring', 'identified']);
    expect(updates[0].id).toBe(update.id);
    const components = await (await request.get('/api/admin/components/webmail', as())).json();
    expect(components.status).toBe('degraded_performance');
  });

  test('PATCH edits and resolves in one call; the public page no longer lists it as active', async ({ request, page }) => {
    const response = await request.patch(location, send({ impact: 'minor', status: 'resolved', message: 'Logins work again.' }));
    expect(response.status(), await response.text()).toBe(200);
    const incident = await response.json();
    expect(incident).toMatchObject({ status: 'resolved', impact: 'minor' });
    expect(incident.resolved_at).toBe(incident.updates[0].created_at);
    const open = await (await request.get('/api/admin/incidents', as())).json();
    expect(open.incidents.map((i: { id: string }) => i.id)).not.toContain(id);
    const all = await (await request.get('/api/admin/incidents?all=1', as())).json();
    expect(all.incidents.map((i: { id: string }) => i.id)).toContain(id);
    expect(all.incidents.every((i: { kind: string }) => i.kind === 'incident')).toBe(true);

    await page.goto('/');
    await expect(page.locator('section[aria-labelledby="active-incidents"]')).toHaveCount(0);
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
    await expect(page.locator('section[aria-labelledby="past-incidents"]')).toContainText(title);
  });

  test('a failing PATCH changes nothing, not even the part that was valid', async ({ request }) => {
    const response = await request.patch(location, send({ title: 'Renamed by a bad request', status: 'bogus', message: 'x' }));
    expect((await errorOf(response, 422)).field).toBe('status');
    expect((await (await request.get(location, as())).json()).name).toBe(title);
  });
});

test.describe.serial('maintenance through the API', () => {
  const title = 'API test: storage firmware update';
  const start = new Date(Date.now() + 7 * 86_400_000);
  start.setUTCHours(2, 0, 0, 0);
  const end = new Date(start.getTime() + 2 * 3_600_000);
  let location = '';

  test('POST schedules it; GET reads it back; it is upcoming, and only under /maintenance', async ({ request, page }) => {
    const response = await request.post('/api/admin/maintenance', send({
      title,
      scheduled_for: start.toISOString(),
      scheduled_until: end.toISOString(),
      message: 'Firmware on the storage nodes.',
      components: ['imap-pop', 'webmail'],
    }));
    expect(response.status(), await response.text()).toBe(201);
    location = response.headers()['location'];
    const created = await response.json();
    expect(location).toBe(`/api/admin/maintenance/${created.id}`);
    expect(created).toMatchObject({
      kind: 'maintenance',
      name: title,
      status: 'scheduled',
      scheduled_for: start.toISOString(),
      scheduled_until: end.toISOString(),
    });
    expect(created.components.map((c: { id: string }) => c.id).sort()).toEqual(['imap-pop', 'webmail']);

    expect(await (await request.get(location, as(read.secret))).json()).toMatchObject({ id: created.id, name: title });
    const upcoming = await (await request.get('/api/admin/maintenance', as())).json();
    expect(upcoming.maintenance.map((m: { id: string }) => m.id)).toContain(created.id);
    // Maintenance is not an incident, and an incident is not maintenance.
    await errorOf(await request.get(`/api/admin/incidents/${created.id}`, as()), 404);
    await errorOf(await request.get('/api/admin/maintenance/2026-09-19-database-corruption-outage', as()), 404);

    await page.goto('/');
    await expect(page.locator('section[aria-labelledby="maintenance"]')).toContainText(title);
  });

  test('PATCH moves the window and renames it; bad times are 422 naming the field', async ({ request }) => {
    const later = new Date(end.getTime() + 3_600_000);
    const response = await request.patch(location, send({ title: `${title} (extended)`, scheduled_until: later.toISOString() }));
    expect(response.status(), await response.text()).toBe(200);
    expect(await response.json()).toMatchObject({ name: `${title} (extended)`, scheduled_until: later.toISOString() });
    expect((await errorOf(await request.patch(location, send({ scheduled_for: 'next tuesday' })), 422)).field).toBe('scheduled_for');
    const backwards = await request.patch(location, send({ scheduled_until: new Date(start.getTime() - 1).toISOString() }));
    expect((await errorOf(backwards, 422)).field).toBe('scheduled_until');
    const camel = await request.patch(location, send({ scheduledFor: start.toISOString() }));
    expect((await errorOf(camel, 422)).message).toContain('scheduled_for');
  });

  test('PATCH with a status posts an update; completed closes it', async ({ request, page }) => {
    const running = await request.patch(location, send({ status: 'in_progress', message: 'Started early.', notify: false }));
    expect(running.status(), await running.text()).toBe(200);
    expect((await running.json()).status).toBe('in_progress');
    expect((await errorOf(await request.patch(location, send({ status: 'resolved', message: 'x' })), 422)).field).toBe('status');
    const done = await request.patch(location, send({ status: 'completed', message: 'All nodes updated.' }));
    const maintenance = await done.json();
    expect(maintenance.status).toBe('completed');
    expect(maintenance.updates.map((u: { status: string }) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    const upcoming = await (await request.get('/api/admin/maintenance', as())).json();
    expect(upcoming.maintenance.map((m: { id: string }) => m.id)).not.toContain(maintenance.id);
    const all = await (await request.get('/api/admin/maintenance?all=1', as())).json();
    expect(all.maintenance.map((m: { id: string }) => m.id)).toContain(maintenance.id);
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
  });
});

test.describe.serial('components through the API', () => {
  test('GET lists every component with its status', async ({ request }) => {
    const { components } = await (await request.get('/api/admin/components', as(read.secret))).json();
    expect(components).toHaveLength(8);
    expect(components[0]).toMatchObject({ id: 'webmail', name: 'Web interface', group_id: 'mail-access', status: 'operational' });
  });

  test('PATCH status, GET it back, see it on the public page, then restore it', async ({ request, page }) => {
    const response = await request.patch('/api/admin/components/address-book', send({ status: 'degraded_performance' }));
    expect(response.status(), await response.text()).toBe(200);
    expect((await response.json()).status).toBe('degraded_performance');
    expect((await (await request.get('/api/admin/components/address-book', as())).json()).status).toBe('degraded_performance');
    await page.goto('/');
    await expect(page.locator('.component', { hasText: 'Address book' })).toContainText('Degraded performance');

    const restored = await request.patch('/api/admin/components/address-book', send({ status: 'operational' }));
    expect((await restored.json()).status).toBe('operational');
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
  });

  test('PATCH edits only the fields sent', async ({ request }) => {
    const before = await (await request.get('/api/admin/components/address-book', as())).json();
    const edited = await (await request.patch('/api/admin/components/address-book', send({ description: 'Contacts and groups.' }))).json();
    expect(edited).toMatchObject({ name: before.name, group_id: before.group_id, position: before.position, description: 'Contacts and groups.' });
    await request.patch('/api/admin/components/address-book', send({ description: before.description }));
    expect((await errorOf(await request.patch('/api/admin/components/address-book', send({ status: 'on_fire' })), 422)).field).toContain('status');
    expect((await errorOf(await request.patch('/api/admin/components/address-book', send({ group_id: 'nope' })), 422)).field).toBe('group_id');
    expect((await errorOf(await request.patch('/api/admin/components/address-book', send({ position: 'first' })), 422)).field).toBe('position');
    await errorOf(await request.patch('/api/admin/components/no-such-component', send({ status: 'operational' })), 404);
    await errorOf(await request.get('/api/admin/components/no-such-component', as()), 404);
  });
});

test.describe('bad requests are answered in JSON, never with a 500', () => {
  const incident = { title: 'Bad input test', impact: 'minor', message: 'never created' };

  test('400 for malformed JSON or a body that is not an object', async ({ request }) => {
    const post = (data: string) =>
      request.post('/api/admin/incidents', { headers: { ...auth(write.secret), 'Content-Type': 'application/json' }, data: Buffer.from(data) });
    expect((await errorOf(await post('{"title": '), 400)).message).toContain('not valid JSON');
    expect((await errorOf(await post('[1, 2]'), 400)).message).toContain('array');
    await errorOf(await post('null'), 400);
    await errorOf(await post('"title"'), 400);
    await errorOf(await post(''), 400);
  });

  test('413 for a body over 64 KiB, by Content-Length and by the bytes actually sent', async ({ request, baseURL }) => {
    const big = JSON.stringify({ ...incident, message: 'x'.repeat(70 * 1024) });
    expect((await errorOf(await request.post('/api/admin/incidents', send(JSON.parse(big))), 413)).message).toContain('65536');

    // Chunked, so no Content-Length announces the size.
    const { status, body } = await new Promise<{ status: number; body: string }>((done, fail) => {
      const req = httpRequest(`${baseURL}/api/admin/incidents`, {
        method: 'POST',
        headers: { ...auth(write.secret), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode!, body: text }));
      });
      req.on('error', fail);
      for (let i = 0; i < big.length; i += 8192) req.write(big.slice(i, i + 8192));
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.message).toContain('65536');
    const all = await (await request.get('/api/admin/incidents?all=1', as())).json();
    expect(all.incidents.map((i: { name: string }) => i.name)).not.toContain(incident.title);
  });

  test('415 unless the body is sent as application/json', async ({ request }) => {
    const response = await request.post('/api/admin/incidents', {
      headers: { ...auth(write.secret), 'Content-Type': 'application/xml' },
      data: '<incident/>',
    });
    expect((await errorOf(response, 415)).message).toContain('application/json');
  });

  test('422 naming the field for missing or mistyped values', async ({ request }) => {
    const post = (data: unknown) => request.post('/api/admin/incidents', send(data));
    expect((await errorOf(await post({ impact: 'minor', message: 'x' }), 422)).field).toBe('title');
    expect((await errorOf(await post({ ...incident, title: 42 }), 422)).field).toBe('title');
    expect((await errorOf(await post({ ...incident, impact: 'apocalyptic' }), 422)).field).toBe('impact');
    expect((await errorOf(await post({ ...incident, notify: 'yes' }), 422)).field).toBe('notify');
    expect((await errorOf(await post({ ...incident, components: 'webmail' }), 422)).field).toBe('components');
    expect((await errorOf(await post({ ...incident, components: [['webmail']] }), 422)).field).toBe('components');
    expect((await errorOf(await post({ ...incident, components: [{ id: 'no-such', status: 'major_outage' }] }), 422)).field).toBe('components');
    expect((await errorOf(await post({ ...incident, started: 'yesterday' }), 422)).field).toBe('started');
    const maintenance = { title: 'Bad window', scheduled_for: 'soon', scheduled_until: '2099-01-01T00:00:00Z', message: 'x' };
    expect((await errorOf(await request.post('/api/admin/maintenance', send(maintenance)), 422)).field).toBe('scheduled_for');
    expect((await errorOf(await request.post('/api/admin/maintenance', send({ ...maintenance, scheduled_for: '2098-01-01T00:00:00Z', components: [{ id: 'webmail' }] })), 422)).field).toBe('components');
    const all = await (await request.get('/api/admin/incidents?all=1', as())).json();
    expect(all.incidents.map((i: { name: string }) => i.name)).not.toContain(incident.title);
  });

  test('404 for unknown incidents and paths', async ({ request }) => {
    await errorOf(await request.get('/api/admin/incidents/no-such-incident', as()), 404);
    await errorOf(await request.get('/api/admin/incidents/no-such-incident/updates', as()), 404);
    await errorOf(await request.patch('/api/admin/incidents/no-such-incident', send({ title: 'x' })), 404);
    await errorOf(await request.post('/api/admin/incidents/no-such-incident/updates', send({ status: 'resolved', message: 'x' })), 404);
    await errorOf(await request.get('/api/admin/no-such-endpoint', as()), 404);
  });

  test('409 for editing an incident authored in markdown; a live update joins it', async ({ request }) => {
    const path = '/api/admin/incidents/2026-09-19-database-corruption-outage';
    const conflict = await errorOf(await request.patch(path, send({ title: 'Renamed' })), 409);
    expect(conflict.message).toContain('content/incidents/2026-09-19-database-corruption-outage.md');
    const incident = await (await request.get(path, as())).json();
    expect(incident).toMatchObject({ source: 'markdown', name: 'Full outage after corruption of the main database' });
    expect(incident.updates.every((u: { source: string }) => u.source === 'markdown')).toBe(true);

    const other = '/api/admin/incidents/2026-10-08-slow-search-in-web-interface';
    const posted = await request.post(`${other}/updates`, send({ status: 'postmortem', message: 'API test: the index was rebuilt.', notify: false }));
    expect(posted.status(), await posted.text()).toBe(201);
    const joined = await (await request.get(other, as())).json();
    expect(joined).toMatchObject({ source: 'markdown', status: 'postmortem' });
    expect(joined.updates[0]).toMatchObject({ source: 'live', status: 'postmortem', body: 'API test: the index was rebuilt.' });
    expect(joined.updates.at(-1).source).toBe('markdown');
  });

  test('405 with Allow for a method an endpoint does not take; HEAD works like GET', async ({ request }) => {
    const response = await request.put('/api/admin/incidents', send(incident));
    await errorOf(response, 405);
    expect(response.headers()['allow']).toBe('GET, HEAD, POST');
    const head = await request.head('/api/admin/components', as());
    expect(head.status()).toBe(200);
  });
});
