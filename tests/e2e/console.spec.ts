// Staff run an incident from the console on a phone-sized screen; visitors see
// every step on their next request.
import { admin, expect, logIn, test } from './fixtures';

test.use({ viewport: { width: 360, height: 740 } });

test.describe.serial('the console', () => {
  let slug = '';

  test('the first owner logs in with the password printed at start', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
    await expect(page.getByText(`Logged in as ${admin.email}`)).toBeVisible();
    // Nothing sideways-scrolls at 360 px.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
  });

  test('a failed submit keeps what was typed and shows the error next to the field', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.goto('/admin/incidents/new');
    await page.getByLabel('Impact').selectOption('major');
    await page.getByLabel('Web interface').selectOption('major_outage');
    await page.getByLabel('First update').fill('Logins **fail** for everyone.');
    await page.getByRole('button', { name: 'Post incident' }).click();
    const title = page.locator('.field', { has: page.getByLabel('Title') });
    await expect(title.locator('.field-error')).toHaveText('title is required');
    await expect(page.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('First update')).toHaveValue('Logins **fail** for everyone.');
    await expect(page.getByLabel('Impact')).toHaveValue('major');
    await expect(page.getByLabel('Web interface')).toHaveValue('major_outage');
    // Preview renders as the public page does, sanitized, and posts nothing.
    await page.getByLabel('First update').fill('Logins **fail**. <script>alert(1)</script><img src="https://tracker.example/x.png">');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await expect(preview.locator('strong')).toHaveText('fail');
    await expect(preview.locator('script')).toHaveCount(0);
    // The image is shown through Herald's own proxy, never from the tracker's host.
    await expect(preview.locator('img')).toHaveAttribute('src', /^\/img\//);
    expect(await preview.innerHTML()).not.toContain('tracker.example');
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
  });

  test('create an incident: it is on the public page at once', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.getByRole('link', { name: 'New incident' }).first().click();
    await page.getByLabel('Title').fill('Webmail logins failing');
    await page.getByLabel('Impact').selectOption('major');
    await page.getByLabel('Web interface').selectOption('major_outage');
    await page.getByLabel('First update').fill('We are **investigating** failed logins to webmail.');
    await page.getByRole('button', { name: 'Post incident' }).click();
    await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
    slug = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(slug).toMatch(/^\d{4}-\d{2}-\d{2}-webmail-logins-failing$/);

    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('Major Service Outage');
    await expect(page.locator('section[aria-labelledby="active-incidents"]')).toContainText('Webmail logins failing');
    await expect(page.locator('.component', { hasText: 'Web interface' })).toContainText('Major outage');
  });

  test('post updates, correct one, resolve: the banner is operational again', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.goto(`/admin/incidents/${slug}`);
    await page.getByLabel('Status').selectOption('identified');
    await page.getByLabel('Message').fill('A certificate expred on the login servers.');
    await page.getByText('Change component statuses').click();
    await page.getByRole('combobox', { name: /Web interface/ }).selectOption('partial_outage');
    await page.getByRole('button', { name: 'Post update' }).click();
    await expect(page.getByRole('status')).toHaveText('Update posted.');

    // Fix the typo after posting: shown corrected, the original kept in the audit log.
    await page.getByRole('link', { name: 'Correct this update' }).first().click();
    await page.getByLabel('Message').fill('A certificate expired on the login servers.');
    await page.getByRole('button', { name: 'Save correction' }).click();
    await expect(page.getByRole('status')).toContainText('Correction saved');

    await page.goto(`/incidents/${slug}`);
    await expect(page.locator('.timeline > li').first()).toContainText('A certificate expired');
    await expect(page.locator('.timeline > li').first()).toContainText('corrected');

    await page.goto('/admin/audit');
    const correction = page.locator('tr', { hasText: 'update.correct' });
    await correction.getByText('Show').click();
    await expect(correction).toContainText('expred');
    await expect(correction).toContainText(admin.email);

    await page.goto(`/admin/incidents/${slug}`);
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByLabel('Message').fill('Certificates renewed; logins work again.');
    await page.getByText('Change component statuses').click();
    await page.getByRole('combobox', { name: /Web interface/ }).selectOption('operational');
    await page.getByRole('button', { name: 'Post update' }).click();
    await expect(page.getByRole('status')).toHaveText('Update posted.');

    await page.goto(`/incidents/${slug}`);
    await expect(page.locator('.timeline .update-head')).toHaveText([/Resolved/, /Identified/, /Investigating/]);
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
  });

  test('a postmortem follows the resolution', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.goto(`/admin/incidents/${slug}`);
    await expect(page.getByLabel('Status')).toHaveValue('postmortem');
    await page.getByLabel('Message').fill('## What happened\n\nThe renewal job had been failing silently for a month.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.goto(`/incidents/${slug}`);
    await expect(page.locator('.timeline .update-head').first()).toContainText('Postmortem');
    await expect(page.locator('.timeline > li').first()).toContainText('failing silently');
  });

  test('a markdown-authored incident receives a live update; its file is shown read-only', async ({ page }) => {
    const authored = '2026-11-13-imap-connections-dropping';
    await logIn(page, admin.email, admin.password());
    await page.goto(`/admin/incidents/${authored}`);
    await expect(page.getByText('content/incidents/2026-11-13-imap-connections-dropping.md').first()).toBeVisible();
    await page.getByText('The file, read-only').click();
    await expect(page.locator('pre.source')).toContainText('title:');
    await expect(page.getByRole('button', { name: 'Save details' })).toHaveCount(0);
    await page.getByLabel('Status').selectOption('postmortem');
    await page.getByLabel('Message').fill('A follow-up: the load balancer firmware is now patched.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await expect(page.getByRole('status')).toHaveText('Update posted.');
    await page.goto(`/incidents/${authored}`);
    await expect(page.locator('.timeline > li').first()).toContainText('load balancer firmware is now patched');
  });

  test('maintenance: schedule, start, verify, complete', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.goto('/admin/maintenance/new');
    await page.getByLabel('Title').fill('Spam filter upgrade');
    await page.getByLabel('Starts').fill('2030-01-10T02:00');
    await page.getByLabel('Ends').fill('2030-01-10T01:00');
    await page.getByLabel('Inbound delivery').check();
    await page.getByLabel('Announcement').fill('Inbound mail may be delayed by a few minutes.');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await expect(page.locator('#scheduledUntil-error')).toHaveText('the window must end after it starts');
    await expect(page.getByLabel('Title')).toHaveValue('Spam filter upgrade');
    await expect(page.getByLabel('Inbound delivery')).toBeChecked();
    await page.getByLabel('Ends').fill('2030-01-10T04:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
    const maintenance = new URL(page.url()).pathname;

    await page.goto('/');
    await expect(page.locator('body')).toContainText('Spam filter upgrade');

    // Days before its window, the form offers another word about the plan, not "in progress".
    await page.goto(maintenance);
    await expect(page.getByLabel('Status')).toHaveValue('scheduled');
    for (const [status, label] of [['in_progress', 'In progress'], ['verifying', 'Verifying'], ['completed', 'Completed']] as const) {
      await page.goto(maintenance);
      if (status === 'in_progress') await page.getByLabel('Status').selectOption(status);
      await expect(page.getByLabel('Status')).toHaveValue(status);
      await page.getByLabel('Message').fill(`Now ${label.toLowerCase()}.`);
      await page.getByRole('button', { name: 'Post update' }).click();
      await expect(page.locator('.lede')).toContainText(label);
    }
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
  });

  test('components: create, rename, group and set status', async ({ page }) => {
    await logIn(page, admin.email, admin.password());
    await page.goto('/admin/components');
    await page.getByLabel('New group').fill('Mobile');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Mobile apps');
    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'Mobile' });
    await page.getByRole('button', { name: 'Create component' }).click();
    await expect(page.getByRole('status')).toHaveText('Component created.');
    await page.getByLabel('Name', { exact: true }).fill('iOS and Android apps');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByLabel('Status').selectOption('degraded_performance');
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.goto('/');
    const apps = page.locator('.component', { hasText: 'iOS and Android apps' });
    await expect(apps).toContainText('Degraded performance');
    // Hidden again: it leaves the public page, its history stays.
    await page.goto('/admin/components/mobile-apps');
    await page.getByLabel('Status').selectOption('operational');
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByLabel('Shown on the public page').uncheck();
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
    await expect(page.locator('.component', { hasText: 'iOS and Android apps' })).toHaveCount(0);
  });
});

test('two staff posting to the same incident at once both land, in time order', async ({ page, browser }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/incidents/new');
  await page.getByLabel('Title').fill('Calendar sync slow');
  await page.getByLabel('First update').fill('Looking into slow calendar sync.');
  await page.getByRole('button', { name: 'Post incident' }).click();
  const incident = new URL(page.url()).pathname;

  // A second owner session in another browser, as a colleague would have.
  const colleague = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  await logIn(colleague, admin.email, admin.password());
  for (const [who, text] of [[page, 'First note from Ana.'], [colleague, 'Second note from Bo.']] as const) {
    await who.goto(incident);
    await who.getByLabel('Status').selectOption('identified');
    await who.getByLabel('Message').fill(text);
  }
  await Promise.all([
    page.getByRole('button', { name: 'Post update' }).click(),
    colleague.getByRole('button', { name: 'Post update' }).click(),
  ]);
  await expect(page.getByRole('status')).toHaveText('Update posted.');
  await expect(colleague.getByRole('status')).toHaveText('Update posted.');

  await page.goto(incident.replace('/admin', ''));
  const bodies = await page.locator('.timeline > li').allTextContents();
  expect(bodies).toHaveLength(3);
  expect(bodies.filter((b) => /First note from Ana|Second note from Bo/.test(b))).toHaveLength(2);
  // Newest first, and the times never go backwards down the list.
  const times = await page.locator('.timeline li time:first-of-type').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
  expect([...times].sort((a, b) => b - a)).toEqual(times);

  await page.goto(incident);
  await page.getByLabel('Status').selectOption('resolved');
  await page.getByLabel('Message').fill('Sync is fast again.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await expect(page.getByRole('status')).toHaveText('Update posted.');
});
