// The server backs itself up soon after start, into the folder beside its
// database, and a refused backup (the file Herald writes when the database
// fails its check, see tests/integration/backup.test.ts) turns /healthz to
// "degraded" and puts a banner on every console page.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from './fixtures';
import { startServer } from './server';

test('a verified backup appears beside the database; a refusal shows on /healthz and in the console', async ({ page }) => {
  const server = await startServer();
  try {
    const backups = join(dirname(server.db), 'backups');
    await expect.poll(() => (existsSync(backups) ? readdirSync(backups).filter((f) => /^herald-.*\.db$/.test(f)).length : 0), { timeout: 20_000 }).toBe(1);
    const healthy = await (await fetch(`${server.url}/healthz`)).json();
    expect(healthy).toMatchObject({ status: 'ok', database: 'ok', backup: expect.stringMatching(/^verified backup herald-/) });

    writeFileSync(join(backups, 'last-backup.json'), JSON.stringify({ at: new Date().toISOString(), ok: false, message: 'the database failed its integrity check (row 7 missing from index)' }));
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'degraded', backup: expect.stringContaining('failed its integrity check') });

    const password = /password:\s+(\S+)/.exec(server.output())![1];
    await page.goto(`${server.url}/admin/login`);
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Backups are failing.' })).toContainText('Backups are failing. the database failed its integrity check');
  } finally {
    await server.stop();
  }
});
