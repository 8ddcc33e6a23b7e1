// Proof of delivery through the built server: staff post an update, the
// console's delivery page shows per channel what went out and what failed
// (reloading itself until done), the HTTP API returns the same, and an owner
// may show "Sent to N subscribers" on the public incident page.
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { herald, outboxSettled, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
  // Three confirmed subscribers, one of them at an address stored before Herald checked addresses strictly.
  const db = new Database(server.db);
  const insert = db.prepare("INSERT INTO subscribers (kind, address, confirmed_at, created_at) VALUES ('email', ?, ?, ?)");
  for (const address of ['a@example.com', 'b@example.com', 'Broken <x@example.com>']) insert.run(address, Date.now(), Date.now());
  db.close();
});
test.afterAll(async () => server.stop());

test('the console, the API and (if an owner wants) the public page show what a notification did', async ({ page }) => {
  await logInAsOwner(page, server);

  await page.goto(`${server.url}/admin/incidents/new`);
  await page.getByLabel('Title').fill('Webmail logins failing');
  await page.getByLabel('First update').fill('We are looking into it.');
  await page.getByRole('button', { name: 'Post incident' }).click();
  await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
  const slug = new URL(page.url()).pathname.split('/').at(-1)!;
  await outboxSettled(server.db);

  await page.reload();
  await page.getByRole('link', { name: 'delivery details' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delivery of an update');
  await expect(page.getByText('Notification finished')).toBeVisible();
  // Finished: the page no longer reloads itself.
  await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
  const email = page.getByRole('row', { name: /^Email/ });
  await expect(email.getByRole('cell')).toHaveText(['3', '2', '1', '0', /\d{4}/]);
  await page.getByText('Why 1 failed').click();
  await expect(page.getByText(/not sent: the address is suppressed \(not a valid address/)).toBeVisible();

  const token = herald(server.db, 'token', 'create', '--name', 'reader', '--scope', 'read');
  const updates = await (await fetch(`${server.url}/api/admin/incidents/${slug}/updates`, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(updates.updates[0].delivery).toMatchObject({ finished: true, channels: [{ channel: 'email', recipients: 3, accepted: 2, failed: 1, queued: 0 }] });
  expect(updates.updates[0].delivery.failures[0].count).toBe(1);

  const publicPage = async () => (await fetch(`${server.url}/incidents/${slug}`)).text();
  expect(await publicPage()).not.toContain('Sent to');
  await page.goto(`${server.url}/admin/subscribers#public-counts`);
  await page.getByLabel(/Say under each update how many subscribers/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('The public incident page says how many subscribers each update reached; the subscribe form shows no follower count.');
  expect(await publicPage()).toContain('Sent to 2 subscribers');

  // How many follow is shown only once an owner chooses it.
  const home = async () => (await fetch(`${server.url}/`)).text();
  expect(await home()).not.toContain('follow this page by email');
  await page.goto(`${server.url}/admin/subscribers#public-counts`);
  await page.getByLabel(/Say on the subscribe form how many follow by email/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('The public incident page says how many subscribers each update reached; the subscribe form says how many follow by email.');
  const confirmed = new Database(server.db, { readonly: true }).prepare("SELECT count(*) FROM subscribers WHERE kind = 'email' AND confirmed_at IS NOT NULL").pluck().get() as number;
  await expect.poll(home).toContain(`${confirmed} ${confirmed === 1 ? 'person follows' : 'people follow'} this page by email.`);
});
