// A promised next update through the built server: staff choose "next update
// in 30 minutes" in the console; customers read the promise on the home page,
// the incident page and the JSON API; once it has passed, every console page
// says the incident is overdue while /healthz and the public page do not.
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { herald, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
});
test.afterAll(async () => server.stop());

test('the promise is shown to customers, and staff see it overdue once it passes', async ({ page }) => {
  await logInAsOwner(page, server);

  await page.goto(`${server.url}/admin/incidents/new`);
  await page.getByLabel('Title').fill('Webmail logins failing');
  await page.getByLabel('Impact').selectOption('major');
  await page.getByLabel('First update').fill('We are looking into failed logins.');
  await page.getByLabel('Next update').selectOption({ label: 'In 30 minutes' });
  const before = Date.now();
  await page.getByRole('button', { name: 'Post incident' }).click();
  await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
  const slug = new URL(page.url()).pathname.split('/').at(-1)!;
  await expect(page.getByText('Customers were promised the next update by')).toBeVisible();
  await expect(page.getByRole('region', { name: /Overdue/ })).toHaveCount(0);

  const api = await (await fetch(`${server.url}/api/v2/incidents/unresolved.json`)).json();
  const promised = new Date(api.incidents[0].next_update_at).getTime();
  expect(promised - before).toBeGreaterThanOrEqual(30 * 60_000 - 1000);
  expect(promised - before).toBeLessThan(31 * 60_000);
  const datetime = new Date(promised).toISOString();

  await page.goto(`${server.url}/`);
  const card = page.locator('.card', { hasText: 'Webmail logins failing' });
  await expect(card.locator('.next-update time')).toHaveAttribute('datetime', datetime);
  await page.goto(`${server.url}/incidents/${slug}`);
  await expect(page.locator('dd.next-update time')).toHaveAttribute('datetime', datetime);

  // The clock moves past the promise (the test moves the promise instead).
  const db = new Database(server.db);
  db.prepare('UPDATE incident_updates SET next_update_by = ? WHERE incident_id = ?').run(Date.now() - 60_000, slug);
  db.close();

  for (const path of ['/admin', '/admin/components', `/admin/incidents/${slug}`]) {
    await page.goto(`${server.url}${path}`);
    const overdue = page.getByRole('region', { name: 'Overdue: customers were promised an update' });
    await expect(overdue.getByRole('link', { name: 'Webmail logins failing' })).toHaveAttribute('href', `/admin/incidents/${slug}#post-update`);
  }
  await expect(page.getByText('it is overdue.')).toBeVisible();
  expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
  const home = await (await fetch(`${server.url}/`)).text();
  expect(home).toContain('next update by');
  expect(home).not.toMatch(/overdue/i);

  // Posting an update keeps the promise: the banner is gone.
  await page.getByLabel('Status').selectOption('identified');
  await page.getByLabel('Message').fill('Found the cause.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await expect(page.getByRole('status')).toHaveText('Update posted.');
  await expect(page.getByRole('region', { name: /Overdue/ })).toHaveCount(0);
});

test('the HTTP API takes next_update, refuses one it cannot keep with a 422 naming the field, and reads it back', async () => {
  const token = herald(server.db, 'token', 'create', '--name', 'pager', '--scope', 'write');
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const refused = await post('/api/admin/incidents', { title: 'DNS errors', impact: 'minor', message: 'Looking.', next_update: 'soon' });
  expect(refused.status).toBe(422);
  expect((await refused.json()).error.field).toBe('next_update');
  const created = await post('/api/admin/incidents', { title: 'DNS errors', impact: 'minor', message: 'Looking.', next_update: '2h' });
  expect(created.status).toBe(201);
  const incident = await created.json();
  expect(new Date(incident.next_update_at).getTime() - Date.now()).toBeGreaterThan(119 * 60_000);
  expect(incident.overdue).toBe(false);
  expect(incident.updates[0].next_update_at).toBe(incident.next_update_at);
  const closing = await post(`/api/admin/incidents/${incident.id}/updates`, { status: 'resolved', message: 'Fixed.', next_update: 30 });
  expect(closing.status).toBe(422);
  expect((await closing.json()).error.message).toMatch(/closed incident promises no next update/);
});
