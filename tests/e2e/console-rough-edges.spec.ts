// The console's everyday edges, against the built server with its own
// database: the navigation on one line with Account and Log out in it, a
// prompt to replace the printed password until it is, a component's status set
// from the list, and the next status offered along the life cycle.
import { expect, test } from './fixtures';
import { herald, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('the navigation holds Account and Log out on one line at desktop width; the printed password is to be replaced', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await logInAsOwner(page, server);
  const nav = page.getByRole('navigation', { name: 'Console' });
  const items = nav.locator('li');
  const tops = await items.evaluateAll((lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)));
  expect(new Set(tops).size, `nav item tops: ${tops.join(', ')}`).toBe(1);
  // Log out sits on the line of its neighbours (its text's baseline, not a button's box).
  const linkBox = (await nav.getByRole('link', { name: 'Account' }).boundingBox())!;
  const logOutBox = (await nav.getByRole('button', { name: 'Log out' }).boundingBox())!;
  expect(Math.abs(linkBox.y + linkBox.height / 2 - (logOutBox.y + logOutBox.height / 2))).toBeLessThan(4);

  // Logged in with the printed password: every console page says to choose one's own, until it is done.
  const prompt = page.locator('.banner-danger').filter({ hasText: 'Choose your own password.' });
  await expect(prompt).toBeVisible();
  await nav.getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/admin\/account$/);
  const printed = /password:\s+(\S+)/.exec(server.output())![1];
  await page.getByLabel('Current password').fill(printed);
  await page.getByLabel('New password', { exact: true }).fill('a long passphrase of my own');
  await page.getByLabel('New password again').fill('a long passphrase of my own');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText('Password changed. Your other sessions have ended.');
  await expect(prompt).toHaveCount(0);
  await page.goto(`${server.url}/admin`);
  await expect(prompt).toHaveCount(0);
});

test("a component's status is set from the list, with the incident that still shows it worse said", async ({ page }) => {
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('a long passphrase of my own');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.goto(`${server.url}/admin/components`);
  await page.getByLabel('Status of DNS and custom domains').selectOption('partial_outage');
  await page.getByRole('button', { name: 'Set the status of DNS and custom domains' }).click();
  await expect(page.getByRole('status')).toHaveText('DNS and custom domains is now partial outage.');
  await expect(page.getByRole('row', { name: /DNS and custom domains/ })).toContainText('Partial outage');
  await expect(page.getByLabel('Status of DNS and custom domains')).toHaveValue('partial_outage');
  await page.goto(server.url);
  await expect(page.locator('.component', { hasText: 'DNS and custom domains' }).locator('.status')).toHaveText('Partial outage');

  // An open incident shows it worse: the list says so.
  herald(server.db, 'incident', 'create', '--title', 'DNS down', '--impact', 'critical', '--component', 'dns:major_outage', '--message', 'Looking.');
  await page.goto(`${server.url}/admin/components`);
  await page.getByLabel('Status of DNS and custom domains').selectOption('degraded_performance');
  await page.getByRole('button', { name: 'Set the status of DNS and custom domains' }).click();
  await expect(page.getByRole('status')).toContainText('An open incident or maintenance still shows it as major outage');
});

test('the update form offers the next status along the life cycle', async ({ page }) => {
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('a long passphrase of my own');
  await page.getByRole('button', { name: 'Log in' }).click();
  const [slug] = herald(server.db, 'incident', 'create', '--title', 'Sign-in slow', '--impact', 'minor', '--message', 'Looking.').split('\n');
  for (const [posted, offered] of [['identified', 'monitoring'], ['monitoring', 'resolved'], ['resolved', 'postmortem']] as const) {
    if (posted === 'identified') {
      await page.goto(`${server.url}/admin/incidents/${slug}`);
      await expect(page.getByLabel('Status')).toHaveValue('identified');
    }
    herald(server.db, 'incident', 'update', slug, '--status', posted, '--message', `Now ${posted}.`);
    await page.goto(`${server.url}/admin/incidents/${slug}`);
    await expect(page.getByLabel('Status'), `after ${posted}`).toHaveValue(offered);
  }
  // A maintenance whose window begins in 40 minutes: now "in progress" is the likely next word.
  const soon = new Date(Date.now() + 40 * 60_000);
  const [window] = herald(server.db, 'maintenance', 'schedule', '--title', 'Failover', '--from', soon.toISOString(), '--until', new Date(soon.getTime() + 3_600_000).toISOString(), '--message', 'Soon.', '--no-notify').split('\n');
  await page.goto(`${server.url}/admin/incidents/${window}`);
  await expect(page.getByLabel('Status')).toHaveValue('in_progress');
});
