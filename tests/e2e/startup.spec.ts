// Start-up problems stop the built server with one line naming the cause; a
// current build is started without building again.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, root, startServer } from './server';

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(root, 'scripts/serve.mjs')], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('a bad configuration value stops start-up naming the variable', () => {
  const result = start({ SITE_URL: 'ftp://status.example.com', HERALD_DB: '/tmp/herald-never.db' });
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Herald cannot start: SITE_URL: /);
});

test('an unwritable database path stops start-up in one line', () => {
  const result = start({ HERALD_DB: '/dev/null/herald.db' });
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toMatch(/^Herald cannot start: HERALD_DB: cannot open or create the database at \/dev\/null\/herald\.db/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('npm start skips the build when dist/ was built from the sources as they are, and starts serving', async () => {
  // The suite runs on a fresh build (scripts/test.sh), so the stamp matches.
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'herald-start-'));
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), HERALD_DB: join(folder, 'herald.db'), HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  try {
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status ?? 0, { timeout: 15_000 }).toBe(200);
    expect(output).toContain('the build in dist/ is current');
    expect(output).not.toContain('Building Herald');
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
});

test('LOG_FORMAT=json writes one JSON object per line, from start to stop', async () => {
  const server = await startServer({ LOG_FORMAT: 'json', HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
  await server.stop();
  const lines = server.output().trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(3);
  for (const line of lines) {
    const entry = JSON.parse(line);
    expect(Object.keys(entry)).toEqual(['time', 'level', 'msg']);
    expect(['info', 'warn', 'error']).toContain(entry.level);
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  }
  expect(lines.some((l) => JSON.parse(l).msg.startsWith('database '))).toBe(true);
  expect(lines.some((l) => JSON.parse(l).msg.startsWith('SIGTERM'))).toBe(true);
});

test('a bad LOG_FORMAT stops start-up naming it', () => {
  const result = start({ LOG_FORMAT: 'xml', HERALD_DB: '/tmp/herald-never.db' });
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toBe('Herald cannot start: LOG_FORMAT: must be text or json, got "xml"');
});
