// Visitors read the page on phones, in the dark, with screen readers: every
// public page passes axe's WCAG A/AA checks (contrast included) at 360 px, in
// light and dark, with no sideways scrolling.
import AxeBuilder from '@axe-core/playwright';
import { database, expect, test } from './fixtures';
import { herald } from './server';

const pages = [
  '/',
  '/history',
  '/incidents/2026-09-19-database-corruption-outage',
  '/incidents/2026-12-06-database-server-upgrade',
  '/components/webmail',
  '/subscribe',
  '/subscribe/webhook',
  '/subscribe/chat',
  '/no-such-page',
];

test.beforeAll(() => {
  // An open incident, so the busiest version of the page is checked.
  herald(database(), 'incident', 'create', '--title', 'Webmail slow for some', '--impact', 'minor', '--component', 'webmail', '--message', 'Looking into it.');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`in ${colorScheme} mode`, () => {
    test.use({ viewport: { width: 360, height: 740 }, colorScheme });

    test('public pages have no WCAG A/AA violations and no sideways scrolling', async ({ page }) => {
      for (const path of pages) {
        await page.goto(path);
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
        expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), path).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
      }
    });
  });
}
