// Staff see subscribers masked; an owner may reveal them (audited); failed
// notifications can be sent again from the outbox view.
import { openDatabase } from '../../src/lib/server/db';
import { outbox, subscribers } from '../../src/db/schema';
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
