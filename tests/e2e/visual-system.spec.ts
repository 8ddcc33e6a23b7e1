// One status scale on every surface, and a page that holds at 360 px: against
// the built server with its own database, in light and dark.
import { expect, test } from './fixtures';
import { herald, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
  // A major outage of one component, under a major incident: red, by its words, everywhere it shows.
  herald(server.db, 'incident', 'create', '--title', 'Webmail down', '--impact', 'major', '--component', 'webmail:major_outage', '--message', 'Looking.');
  herald(server.db, 'incident', 'create', '--title', 'IMAP slow', '--impact', 'minor', '--component', 'imap-pop:degraded_performance', '--message', 'Looking.');
});
test.afterAll(async () => server?.stop());

for (const colorScheme of ['light', 'dark'] as const) {
  test(`one status scale on the banner, status words, bars and incident borders (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(server.url);
    const style = (selector: string, property: string) => page.locator(selector).first().evaluate((e, p) => getComputedStyle(e).getPropertyValue(p), property);
    const major = {
      banner: await style('.banner', 'border-left-color'),
      word: await style('.component:has(a[href="/components/webmail"]) .status', 'color'),
      cell: await style('.component:has(a[href="/components/webmail"]) .bar li:last-child', 'background-color'),
      border: await style('.card-incident:has(a:text("Webmail down"))', 'border-left-color'),
      pill: await style('.card-incident:has(a:text("Webmail down")) .pill', 'color'),
    };
    await expect(page.locator('.banner h2')).toHaveText('Major Service Outage');
    // The bar and border share the scale's fill; the words its text colour, the same hue made readable.
    expect(major.banner).toBe(major.cell);
    expect(major.border).toBe(major.cell);
    expect(major.word).toBe(major.pill);
    const degraded = {
      word: await style('.component:has(a[href="/components/imap-pop"]) .status', 'color'),
      cell: await style('.component:has(a[href="/components/imap-pop"]) .bar li:last-child', 'background-color'),
      border: await style('.card-incident:has(a:text("IMAP slow"))', 'border-left-color'),
      pill: await style('.card-incident:has(a:text("IMAP slow")) .pill', 'color'),
    };
    expect(degraded.border).toBe(degraded.cell);
    expect(degraded.word).toBe(degraded.pill);
    expect(new Set([major.cell, degraded.cell, await style('.component:has(a[href="/components/dns"]) .bar li:last-child', 'background-color')]).size).toBe(3);
    // An incident's message is in the text colour, not the impact's.
    expect(await style('.card-incident:has(a:text("Webmail down")) .prose', 'color')).toBe(await style('body', 'color'));
    // Each status word carries an icon too, which screen readers skip (they read the word).
    expect(await page.locator('.component:has(a[href="/components/webmail"]) .status').first().evaluate((e) => getComputedStyle(e, '::before').content)).toMatch(/✕/);
  });
}

test('at 360 px: every name and its status on one line, the header offers Subscribe, nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(server.url);
  for (const head of await page.locator('.component-head').all()) {
    const name = (await head.locator('.component-name').boundingBox())!;
    const status = (await head.locator('.status').boundingBox())!;
    const label = await head.textContent();
    expect(Math.abs(name.y - status.y), label!).toBeLessThan(6);
    expect(status.x, label!).toBeGreaterThan(name.x + 20);
    expect(status.x + status.width, label!).toBeLessThanOrEqual(360);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Subscribe to updates' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Subscribe to updates');
  for (const [name, href] of [['RSS feed', '/feed.xml'], ['calendar', '/maintenance.ics'], ['webhook', '/subscribe/webhook']]) {
    await expect(page.getByRole('main').getByRole('link', { name, exact: true })).toHaveAttribute('href', href);
  }
  await expect(page.getByLabel('Email address')).toBeVisible();
});

test('a component page dates its planned maintenance', async ({ page }) => {
  const from = new Date(Date.now() + 3 * 86_400_000);
  from.setUTCHours(2, 0, 0, 0);
  const until = new Date(from.getTime() + 3_600_000);
  herald(server.db, 'maintenance', 'schedule', '--title', 'Address book reindex', '--from', from.toISOString(), '--until', until.toISOString(), '--component', 'address-book', '--message', 'Reindexing.', '--no-notify');
  await page.goto(`${server.url}/components/address-book`);
  const item = page.locator('li', { has: page.getByRole('link', { name: 'Address book reindex' }) });
  await expect(item.locator('time')).toHaveCount(2);
  expect(await item.locator('time').first().getAttribute('datetime')).toBe(from.toISOString());
});

test("by keyboard: the bar's uptime figure leads to the days, and a day opens with Enter", async ({ page }) => {
  await page.goto(server.url);
  const figure = page.locator('.component', { hasText: 'Web interface' }).getByRole('link', { name: /% uptime/ });
  await figure.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/components\/webmail#days$/);
  const summary = page.locator('#days summary').first();
  await page.keyboard.press('Tab');
  // The first focusable thing after the days' heading is the newest day's summary.
  await expect(summary).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#days details').first()).toHaveAttribute('open', '');
  await expect(page.locator('#days details').first()).toContainText('Major outage:');
});
