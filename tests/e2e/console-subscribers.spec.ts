// Staff see subscribers masked; an owner may reveal them (audited); failed
// notifications can be sent again from the outbox view; each update's
// notification shows its counts, and its failures can be sent again.
import { openDatabase } from '../../src/lib/server/db';
import { eq } from 'drizzle-orm';
import { notifyJobs, outbox, subscribers, suppressedAddresses } from '../../src/db/schema';
import { createIncident, resolveIncident } from '../../src/lib/server/publishing/staff-actions';
import { admin, database, expect, logIn, test } from './fixtures';

test('addresses are masked, revealed only to an owner, and the reveal is audited', async ({ page }) => {
  const db = openDatabase(database());
  const now = new Date();
  const jane = db.insert(subscribers).values({ kind: 'email', address: 'jane.doe@example.com', confirmedAt: now, createdAt: now }).returning().get();
  db.insert(outbox).values({ subscriberId: jane.id, event: 'confirm:1', status: 'failed', attempts: 3, lastError: 'gave up: 451 try later', nextAttemptAt: now, createdAt: now }).run();

  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/subscribers');
  const people = page.locator('#people ~ .table-scroll');
  await expect(people).toContainText('j***@example.com');
  await expect(page.locator('body')).not.toContainText('jane.doe@example.com');
  await expect(page.locator('#outbox ~ .table-scroll').first()).toContainText('451 try later');

  await page.getByRole('button', { name: /Show full addresses/ }).click();
  await expect(people).toContainText('jane.doe@example.com');
  await page.goto('/admin/audit');
  await expect(page.locator('tr', { hasText: 'subscribers.reveal' }).first()).toContainText(admin.email);

  // Retry: the in-process worker sends it (to a file, on this server) within a round or two.
  await page.goto('/admin/subscribers');
  await page.getByRole('button', { name: 'Retry all failed now' }).click();
  await expect(page.getByRole('status')).toContainText('1 failed messages queued');
  await expect(async () => {
    await page.goto('/admin/subscribers');
    await expect(page.locator('#outbox ~ p').first()).toContainText('0 failed');
  }).toPass({ timeout: 10_000 });
  db.delete(subscribers).run();
});

test('an update’s notification shows recipients, sent and failed counts, and its failures can be sent again', async ({ page }) => {
  const db = openDatabase(database());
  const now = new Date();
  db.insert(subscribers).values({ kind: 'email', address: 'counted@example.com', confirmedAt: now, createdAt: now }).run();
  const id = createIncident({ db, authored: [] }, { title: 'Counted notification', impact: 'minor', message: 'Counted.' });
  const job = db.select().from(notifyJobs).where(eq(notifyJobs.incidentId, id)).get()!;
  await logIn(page, admin.email, admin.password());
  const row = page.locator('#notifications ~ .table-scroll tr', { has: page.locator(`a[href="/admin/incidents/${id}"]`) });
  // The in-process worker expands and sends it; the sent messages are counted, their rows gone.
  const delivered = () => db.select().from(notifyJobs).where(eq(notifyJobs.id, job.id)).get()!;
  await expect.poll(() => delivered().expandedAt !== null && delivered().sent === delivered().recipients, { timeout: 10_000 }).toBe(true);
  const sent = delivered().sent;
  expect(sent).toBeGreaterThanOrEqual(1);
  expect(db.select().from(outbox).where(eq(outbox.jobId, job.id)).all()).toEqual([]);
  await page.goto('/admin/subscribers');
  await expect(row.locator('td').nth(2)).toHaveText(String(sent));
  await expect(row.locator('td').nth(3)).toHaveText(String(sent));

  // A recipient the mail server refused for good: kept with its reason, and sent again on request.
  const other = db.insert(subscribers).values({ kind: 'email', address: 'refused@example.com', confirmedAt: now, createdAt: now }).returning().get();
  db.insert(outbox)
    .values({ subscriberId: other.id, event: job.event, incidentId: id, updateId: job.updateId, jobId: job.id, status: 'failed', attempts: 1, lastError: '552 mailbox full', nextAttemptAt: now, createdAt: now })
    .run();
  await page.goto('/admin/subscribers');
  await expect(row.locator('td').nth(5)).toHaveText('1');
  await row.getByRole('button', { name: 'Retry failed now' }).click();
  await expect(page.getByRole('status')).toContainText('1 failed messages of that notification queued');
  await expect(async () => {
    await page.goto('/admin/subscribers');
    await expect(row.locator('td').nth(3)).toHaveText(String(sent + 1));
    await expect(row.locator('td').nth(5)).toHaveText('0');
  }).toPass({ timeout: 10_000 });
  db.delete(subscribers).run();
  // The server is shared with later suites, which expect an operational page.
  resolveIncident({ db, authored: [] }, id, 'Counted and done.');
});

test('an address the mail server refused for good is shown suppressed with its reason, and an owner lifts it (audited)', async ({ page }) => {
  const db = openDatabase(database());
  const now = new Date();
  db.insert(suppressedAddresses).values({ address: 'bounced@example.com', reason: '550 5.1.1 <b***@example.com>: no such user', createdAt: now }).run();
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/subscribers');
  const table = page.locator('#suppressed ~ .table-scroll').first();
  const row = table.locator('tr', { hasText: 'b***@example.com' });
  await expect(row).toContainText('550 5.1.1');
  await expect(page.locator('body')).not.toContainText('bounced@example.com');
  await expect(page.locator('.lede')).toContainText('1 suppressed');

  await row.getByRole('button', { name: 'Lift the suppression of b***@example.com' }).click();
  await expect(page.getByRole('status')).toContainText('b***@example.com may be mailed again');
  await expect(page.locator('#suppressed ~ p.muted').nth(1)).toHaveText('No address is suppressed.');
  expect(db.select().from(suppressedAddresses).all()).toEqual([]);
  await page.goto('/admin/audit');
  await expect(page.locator('tr', { hasText: 'subscribers.lift-suppression' }).first()).toContainText('b***@example.com');
});
