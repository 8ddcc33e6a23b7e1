// Content changes without a restart: a postmortem published from git (a new
// markdown file) is on the page within moments, a broken file leaves the last
// good content up and says what is wrong (console, /healthz, `herald reload`),
// and SIGHUP and `herald reload` work when the watcher is off.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { logInAsOwner, root, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

const postmortem = (title: string) => `---
title: ${title}
impact: minor
components:
  webmail: degraded_performance
started: 2026-11-20T09:00:00Z
---

## 2026-11-20T09:10:00Z investigating
Webmail is slow to open folders.

## 2026-11-20T10:00:00Z resolved
A cache node was replaced; folders open at their usual speed.
`;

function reload(server: RunningServer, contentDir: string) {
  return spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'reload'], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, CONTENT_DIR: contentDir },
  });
}

const pageText = async (server: RunningServer, path: string) => (await fetch(server.url + path)).text();
const health = async (server: RunningServer) => (await (await fetch(`${server.url}/healthz`)).json()) as { status: string; content: string };

test.describe('watching the folder (the default)', () => {
  let contentDir: string;
  let server: RunningServer;
  test.beforeAll(async () => {
    contentDir = join(mkdtempSync(join(tmpdir(), 'herald-content-')), 'content');
    cpSync(join(root, 'content'), contentDir, { recursive: true });
    server = await startServer({ CONTENT_DIR: contentDir, HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
  });
  test.afterAll(async () => server?.stop());

  test('a markdown file added to content/ is on the page and its own address, without a restart', async () => {
    const before = server.process.pid;
    writeFileSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'), postmortem('Folders slow to open in webmail'));
    await expect.poll(() => pageText(server, '/history/2026-11'), { timeout: 10_000 }).toContain('Folders slow to open in webmail');
    expect(await pageText(server, '/incidents/2026-11-20-slow-folders')).toContain('A cache node was replaced');
    expect(server.process.pid).toBe(before);
    expect(server.output()).toMatch(/content reloaded \(a file changed\)/);
  });

  test('a broken file keeps the last good content up and says which file and field, in the console, /healthz and the CLI', async ({ page }) => {
    writeFileSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'), postmortem('Folders slow to open in webmail, edited').replace('impact: minor', 'impact: enormous'));
    await expect.poll(async () => (await health(server)).status, { timeout: 10_000 }).toBe('degraded');
    const healthz = await health(server);
    expect(healthz.content).toContain('content/incidents/2026-11-20-slow-folders.md: impact');
    // The page still shows the file as it was when last good.
    const history = await pageText(server, '/history/2026-11');
    expect(history).toContain('Folders slow to open in webmail');
    expect(history).not.toContain('edited');

    await logInAsOwner(page, server);
    const alert = page.getByRole('alert').filter({ hasText: 'was not taken in' });
    await expect(alert).toContainText('content/incidents/2026-11-20-slow-folders.md: impact');

    const cli = reload(server, contentDir);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('content/incidents/2026-11-20-slow-folders.md: impact');

    // Fixed: taken in, and the warnings go.
    writeFileSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'), postmortem('Folders slow to open in webmail, edited'));
    await expect.poll(async () => (await health(server)).status, { timeout: 10_000 }).toBe('ok');
    expect(await pageText(server, '/history/2026-11')).toContain('Folders slow to open in webmail, edited');
    await page.reload();
    await expect(page.getByRole('alert').filter({ hasText: 'was not taken in' })).toHaveCount(0);
  });

  test('a file removed from content/ leaves the page', async () => {
    rmSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'));
    await expect.poll(async () => (await fetch(`${server.url}/incidents/2026-11-20-slow-folders`)).status, { timeout: 10_000 }).toBe(404);
  });
});

test.describe('without the watcher (CONTENT_WATCH=0)', () => {
  let contentDir: string;
  let server: RunningServer;
  test.beforeAll(async () => {
    contentDir = join(mkdtempSync(join(tmpdir(), 'herald-content-')), 'content');
    cpSync(join(root, 'content'), contentDir, { recursive: true });
    server = await startServer({ CONTENT_DIR: contentDir, CONTENT_WATCH: '0', HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
  });
  test.afterAll(async () => server?.stop());

  test('herald reload takes a new file in and says so', async () => {
    writeFileSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'), postmortem('Reloaded by the CLI'));
    // Not watching: nothing changes by itself.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await pageText(server, '/history/2026-11')).not.toContain('Reloaded by the CLI');
    const cli = reload(server, contentDir);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('The server serves');
    await expect.poll(() => pageText(server, '/history/2026-11'), { timeout: 5_000 }).toContain('Reloaded by the CLI');
  });

  test('SIGHUP (systemctl reload) takes a change in', async () => {
    writeFileSync(join(contentDir, 'incidents', '2026-11-20-slow-folders.md'), postmortem('Reloaded by SIGHUP'));
    server.process.kill('SIGHUP');
    await expect.poll(() => pageText(server, '/history/2026-11'), { timeout: 5_000 }).toContain('Reloaded by SIGHUP');
    expect(server.process.exitCode).toBeNull();
    expect(server.output()).toMatch(/content reloaded \(SIGHUP\)/);
  });

  test('a reload is in the audit log', async ({ page }) => {
    await logInAsOwner(page, server);
    await page.goto(`${server.url}/admin/audit`);
    await expect(page.getByText('content.reload').first()).toBeVisible();
  });
});
