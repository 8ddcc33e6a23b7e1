// A full disk, for real: the database lives on a small tmpfs that a filler
// file then fills to the last byte. Writes fail with SQLITE_FULL; Herald must
// say so plainly everywhere (API, /healthz, console, CLI, log) and lose
// nothing once space is back. Mounting needs root, as CI has.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { herald, root, startServer, type RunningServer } from './server';

const fullMessage = "Nothing was saved: the disk holding Herald's database is full. Free space on it (old backups, logs), then try again.";

/** Writes 1 MiB blocks until the disk refuses another byte. */
function fill(file: string): void {
  const block = Buffer.alloc(1024 * 1024, 1);
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last partial block, byte by byte out of what is left, so not even a page fits.
    for (let size = 512 * 1024; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) writeSync(fd, block.subarray(0, size));
      } catch {
        /* next, smaller */
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('a full disk: JSON 503 from the API, degraded /healthz, a console banner and the form kept, one CLI line; writes resume once space is back', async ({ page }) => {
  test.slow();
  const mount = mkdtempSync(join(tmpdir(), 'herald-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mount]);
  } catch (error) {
    throw new Error(`this test mounts a small tmpfs and needs root (as CI runs): ${(error as Error).message}`);
  }
  let server: RunningServer | null = null;
  try {
    const db = join(mount, 'herald.db');
    server = await startServer({ HERALD_DB: db, BACKUP_INTERVAL_HOURS: '0', SITE_URL: 'http://127.0.0.1' });
    const token = herald(db, 'token', 'create', '--name', 'ops-bot', '--scope', 'write');
    const api = (path: string, body: unknown) =>
      fetch(`${server!.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const health = async () => (await fetch(`${server!.url}/healthz`)).json();
    expect(await health()).toMatchObject({ status: 'ok', storage: 'ok' });

    // Logged in before the disk fills: logging in writes a session.
    const password = /password:\s+(\S+)/.exec(server.output())![1];
    await page.goto(`${server.url}/admin/login`);
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/admin$/);

    const filler = join(mount, 'filler');
    fill(filler);

    // The API: JSON, 503, a reason a script can log, and a hint when to try again.
    const refused = await api('/api/admin/incidents', { title: 'Webmail down', impact: 'major', message: 'Looking into it.' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({ error: { message: fullMessage } });

    // /healthz: still 200 (the page is serving), degraded, with the reason.
    const degraded = await fetch(`${server.url}/healthz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', database: 'ok', storage: expect.stringMatching(/disk holding the database is full/) });

    // The console: a banner on every page, and a form that could not be saved comes back with what was typed.
    await page.goto(`${server.url}/admin/incidents/new`);
    await expect(page.getByRole('alert').filter({ hasText: 'Storage is running out.' })).toBeVisible();
    await page.getByLabel('Title').fill('Typed while the disk was full');
    await page.getByLabel('First update').fill('This text must not be lost.');
    await page.getByRole('button', { name: 'Post incident' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The disk is full');
    await expect(page.locator('textarea').first()).toHaveValue('Typed while the disk was full');
    await expect(page.locator('body')).toContainText('This text must not be lost.');

    // The CLI: one line, no stack trace.
    const cli = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'incident', 'create', '--title', 'From the CLI', '--impact', 'minor', '--message', 'x'], {
      encoding: 'utf8',
      env: { ...process.env, HERALD_DB: db },
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr.trim().split('\n')).toEqual([`herald: ${fullMessage}`]);

    // The public page keeps serving.
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);

    // Space again: the next write goes through and health comes back.
    rmSync(filler);
    const created = await api('/api/admin/incidents', { title: 'Webmail down', impact: 'major', message: 'Looking into it.' });
    expect(created.status).toBe(201);
    expect(await health()).toMatchObject({ status: 'ok', storage: 'ok' });
    await page.goto(`${server.url}/incidents/${(await created.json()).id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Webmail down');

    // The log said it in one line a minute, never with a stack trace.
    const log = server.output();
    expect(log.match(/writes are failing/g)).toHaveLength(1);
    expect(log).not.toMatch(/^\s+at /m);
    expect(log).not.toContain('SQLITE_FULL');
  } finally {
    await server?.stop();
    spawnSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});
