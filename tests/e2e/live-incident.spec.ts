// Staff post with the CLI on the server's host; visitors see it on the next request.
import { database, expect, test } from './fixtures';
import { herald } from './server';

test.describe.serial('an incident posted with the CLI', () => {
  let slug = '';

  test('appears on the home page and changes the banner', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
    slug = herald(database(), 'incident', 'create', '--title', 'Outbound mail stuck in queue', '--impact', 'major',
      '--component', 'outbound-queue:major_outage', '--status', 'investigating', '--message', 'Mail you send is **not leaving** our servers.').split('\n')[0];
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('Major Service Outage');
    const card = page.locator('section[aria-labelledby="active-incidents"] .card');
    await expect(card).toContainText('Outbound mail stuck in queue');
    await expect(card.locator('strong', { hasText: 'not leaving' })).toBeVisible();
    const queue = page.locator('.component', { hasText: 'Outbound queue' });
    await expect(queue).toContainText('Major outage');
    // Today's cell of its 90-day bar turns red, and the uptime drops below 100%.
    await expect(queue.locator('ol.bar li').last()).toHaveClass('d-major_outage');
    await expect(queue).not.toContainText('100.00% uptime');
  });

  test('shows each update in the timeline and goes back to operational when resolved', async ({ page }) => {
    herald(database(), 'incident', 'update', slug, '--status', 'identified', '--message', 'A full disk on the relay.', '--component', 'outbound-queue:degraded_performance');
    await page.goto(`/incidents/${slug}`);
    await expect(page.locator('.timeline .update-head').first()).toContainText('Identified');
    herald(database(), 'incident', 'resolve', slug, '--message', 'Queue drained.');
    await page.goto(`/incidents/${slug}`);
    await expect(page.locator('.timeline .update-head')).toHaveText([/Resolved/, /Identified/, /Investigating/]);
    // Over: the worst it got, not where it ended; and which update moved it.
    await expect(page.locator('.facts li', { hasText: 'Outbound queue' })).toHaveText(/Outbound queue:\s*Major outage\s*at worst/);
    await expect(page.locator('.timeline > li .changes')).toHaveText([
      /Outbound queue:\s*Degraded performance\s*→\s*to\s*Operational/,
      /Outbound queue:\s*Major outage\s*→\s*to\s*Degraded performance/,
      /Outbound queue:\s*Operational\s*→\s*to\s*Major outage/,
    ]);
    await page.goto('/');
    await expect(page.locator('.banner h2')).toHaveText('All Systems Operational');
    await expect(page.locator('section[aria-labelledby="past-incidents"]')).toContainText('Outbound mail stuck in queue');
  });

  test('a live update joins an incident authored in markdown', async ({ page }) => {
    herald(database(), 'incident', 'update', '2026-11-19-delayed-mail-from-one-provider', '--status', 'postmortem', '--message', 'The provider has published its own report.');
    await page.goto('/incidents/2026-11-19-delayed-mail-from-one-provider');
    await expect(page.locator('.timeline .update-head').first()).toContainText('Postmortem');
    await expect(page.locator('.timeline > li').first()).toContainText('published its own report');
    await expect(page.locator('.timeline > li')).toHaveCount(4);
  });

  test('markdown with scripts never runs them', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const payload = [
      '<script>window.__xss = 1; alert(1)</script>',
      '<img src="x" onerror="window.__xss = 2; alert(2)">',
      '[click me](javascript:alert(3))',
      '<svg onload="alert(4)"></svg>',
    ].join('\n\n');
    const id = herald(database(), 'incident', 'create', '--title', '<script>alert("title")</script>', '--impact', 'minor', '--message', payload).split('\n')[0];
    for (const path of ['/', `/incidents/${id}`]) {
      await page.goto(path);
      // The javascript: link is kept as text in an <a> with no href: clicking it does nothing.
      const link = page.locator('a', { hasText: 'click me' }).first();
      expect(await link.getAttribute('href')).toBeNull();
      await link.click();
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    }
    expect(dialogs).toEqual([]);
    await page.goto(`/incidents/${id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('<script>alert("title")</script>');
    herald(database(), 'incident', 'resolve', id, '--message', 'Test over.');
  });
});
