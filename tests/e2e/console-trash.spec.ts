// Staff move a mistaken incident and a mistaken update to the trash: gone from
// the public page at once, restorable from the Trash page, as they were.
import { admin, database, expect, logIn, test } from './fixtures';
import { herald } from './server';

test('trash an incident and an update, then restore both', async ({ page, request }) => {
  const slug = herald(database(), 'incident', 'create', '--title', 'Posted by mistake', '--impact', 'minor', '--message', 'Oops.').split('\n')[0];
  herald(database(), 'incident', 'update', slug, '--status', 'identified', '--message', 'A second line by mistake.');
  await logIn(page, admin.email, admin.password());

  await page.goto(`/admin/incidents/${slug}`);
  await page.locator('li', { hasText: 'A second line by mistake.' }).getByRole('button', { name: 'Move to trash' }).click();
  await expect(page.getByRole('status')).toContainText('The update is in the trash');
  expect(await (await request.get(`/incidents/${slug}`)).text()).not.toContain('A second line by mistake.');

  await page.getByRole('button', { name: 'Move to trash' }).last().click();
  await expect(page).toHaveURL(/\/admin\/trash\?done=trashed$/);
  await expect(page.getByRole('status')).toContainText('Moved to the trash');
  expect((await request.get(`/incidents/${slug}`)).status()).toBe(404);
  expect(await (await request.get('/')).text()).not.toContain('Posted by mistake');

  await page.getByRole('button', { name: 'Restore Posted by mistake' }).click();
  await expect(page.getByRole('status')).toContainText('Restored');
  await page.getByRole('button', { name: 'Restore A second line by mistake.' }).click();
  await expect(page.getByRole('status')).toContainText('Update restored');
  const restored = await (await request.get(`/incidents/${slug}`)).text();
  expect(restored).toContain('Posted by mistake');
  expect(restored).toContain('A second line by mistake.');
  herald(database(), 'incident', 'resolve', slug, '--message', 'Cleaned up.');
});
