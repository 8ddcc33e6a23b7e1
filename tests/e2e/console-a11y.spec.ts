// The console is used from phones in a hurry: every page passes axe's WCAG A/AA
// checks (contrast included) at 360 px, in light and dark, and errors are announced.
import AxeBuilder from '@axe-core/playwright';
import { admin, database, expect, logIn, test } from './fixtures';
import { herald } from './server';

const pages = ['/admin', '/admin/incidents/new', '/admin/incidents/2026-11-13-imap-connections-dropping', '/admin/maintenance/new', '/admin/components', '/admin/components/webmail', '/admin/subscribers', '/admin/users', '/admin/tokens', '/admin/account', '/admin/account/two-factor', '/admin/audit', '/admin/trash', '/admin/templates'];

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`in ${colorScheme} mode`, () => {
    test.use({ viewport: { width: 360, height: 740 }, colorScheme });

    test('console pages have no WCAG A/AA violations and no sideways scrolling', async ({ page }) => {
      await page.goto('/admin/login');
      const login = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      expect(login.violations.map((v) => v.id), '/admin/login').toEqual([]);
      await logIn(page, admin.email, admin.password());
      // Pages look their busiest with something in them: a token (revoke button), a correction.
      await page.goto('/admin/tokens');
      await page.getByLabel('Name').fill(`a11y-${colorScheme}`);
      await page.getByRole('button', { name: 'Create token' }).click();
      const trashed = herald(database(), 'incident', 'create', '--title', `Trashed ${colorScheme}`, '--impact', 'minor', '--message', 'x').split('\n')[0];
      await page.goto(`/admin/incidents/${trashed}`);
      await page.getByRole('button', { name: 'Move to trash' }).last().click();
      for (const path of pages) {
        await page.goto(path);
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
        expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), path).toEqual([]);
        expect(result.passes.map((p) => p.id), path).toEqual(expect.arrayContaining(['color-contrast']));
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, path).toBeLessThanOrEqual(360);
      }
    });
  });
}

test('a form error is announced and the form is usable by keyboard alone', async ({ page }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/incidents/new');
  await page.getByLabel('Title').focus();
  await page.keyboard.press('Enter'); // submits with everything empty
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page.locator('#title-error')).toHaveText('title is required');
  // Tab reaches the submit button, and the focus ring is visible on it.
  const button = page.getByRole('button', { name: 'Post incident' });
  for (let i = 0; i < 40 && !(await button.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(button).toBeFocused();
  const outline = await button.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});
