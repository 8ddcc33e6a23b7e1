// Start-up problems stop the built server with one line naming the cause.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { root } from './server';

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
