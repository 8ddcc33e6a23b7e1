// Uptime people can audit, through the built server: a day on the bar leads
// to what made it, staff correct a day with a reason that customers then
// read, and the month's report is on /history with CSV and JSON downloads.
import { expect, test } from '@playwright/test';
import { herald, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
});
test.afterAll(async () => server.stop());

const today = () => new Date().toISOString().slice(0, 10); // the example page's zone is UTC

test('a day opens to what made it, a staff correction is shown with its reason, and the month is reported', async ({ page, browser }) => {
  const [slug] = herald(server.db, 'incident', 'create', '--title', 'Webmail down', '--impact', 'major', '--component', 'webmail:major_outage', '--message', 'Looking.').split('\n');
  await new Promise((r) => setTimeout(r, 1500));
  herald(server.db, 'incident', 'resolve', slug, '--message', 'Fixed.');

  // The home page's bar links today's cell to the day's details.
  await page.goto(`${server.url}/`);
  await expect(page.locator(`.bar a[href="/components/webmail#day-${today()}"]`)).toHaveCount(1);
  await page.getByRole('link', { name: /% uptime/ }).first().click();
  await expect(page).toHaveURL(/\/components\/webmail#days$/);
  const day = page.locator('li', { has: page.locator(`#day-${today()}`) });
  await day.getByText(/: \d+\.\d\d%/).click();
  await expect(day).toContainText('Major outage:');
  await expect(day.getByRole('link', { name: 'Webmail down' })).toHaveAttribute('href', `/incidents/${slug}`);

  // On a phone: the bar shows 30 days, and tapping a day's cell opens that day's details, without a script.
  const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, javaScriptEnabled: false });
  const phone = await phoneContext.newPage();
  await phone.goto(`${server.url}/`);
  const bar = phone.locator('.component', { hasText: 'Web interface' }).locator('ol.bar');
  expect(await bar.locator('li').evaluateAll((cells) => cells.filter((c) => getComputedStyle(c).display !== 'none').length)).toBe(30);
  const legend = phone.locator('.component', { hasText: 'Web interface' }).locator('.bar-legend:visible');
  await expect(legend).toHaveCount(1);
  await expect(legend).toContainText(/30 days ago.*last 30 days:\s+\d+\.\d\d% uptime/);
  await bar.locator(`a[href="/components/webmail#day-${today()}"]`).tap();
  await expect(phone).toHaveURL(new RegExp(`/components/webmail#day-${today()}$`));
  await expect(phone.locator(`#day-${today()}`)).toBeVisible();
  await expect(phone.locator(`#day-${today()}`)).toContainText('Major outage:');
  await phoneContext.close();

  // Staff correct the day: refused without a reason (what was typed kept), then saved.
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/admin/components/webmail`);
  await page.getByLabel(/^Day/).fill(today());
  await page.getByLabel('Uptime that day, %').fill('100');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.locator('.field', { has: page.getByLabel('Reason') }).locator('.field-error')).toHaveText('reason is required');
  await expect(page.getByLabel('Uptime that day, %')).toHaveValue('100');
  await page.getByLabel('Reason').fill('A test of the monitoring, not an outage.');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.getByRole('status')).toHaveText('Correction saved: the public bar shows the day as corrected.');
  await page.goto(`${server.url}/admin/audit`);
  await expect(page.getByText('uptime.correct').first()).toBeVisible();

  await page.goto(`${server.url}/components/webmail`);
  const corrected = page.locator('li', { has: page.locator(`#day-${today()}`) });
  await corrected.getByText('(corrected)').click();
  await expect(corrected).toContainText('Corrected to 100.00% by staff');
  await expect(corrected).toContainText('A test of the monitoring, not an outage.');
  await expect(page.locator('.bar .corrected')).toHaveCount(1);

  // The month's report, on the page and as downloads.
  const month = today().slice(0, 7);
  await page.goto(`${server.url}/history/${month}`);
  const table = page.getByRole('region', { name: /^Uptime in / });
  await expect(table.getByRole('row', { name: /Web interface/ })).toContainText('100.00% (corrected)');
  const csv = await fetch(`${server.url}/history/${month}/uptime.csv`);
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  const lines = (await csv.text()).split('\r\n');
  expect(lines[0]).toMatch(/^month,time_zone,component_id,component,uptime_percent/);
  expect(lines.find((l) => l.includes(',webmail,'))).toMatch(new RegExp(`^${month},UTC,webmail,Web interface,100.00,0,\\d+,\\d+,0,0,\\d+,${today()}$`));
  const json = await (await fetch(`${server.url}/history/${month}/uptime.json`)).json();
  expect(json.components.find((c: { id: string }) => c.id === 'webmail')).toMatchObject({ uptime_percent: 100, corrected_days: [today()] });
  expect((await fetch(`${server.url}/history/2099-01/uptime.json`)).status).toBe(404);
});
