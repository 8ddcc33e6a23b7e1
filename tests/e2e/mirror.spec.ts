// MIRROR_DIR: the server keeps a static export fresh by itself. A posted
// incident and its updates are in the folder within seconds, written as whole
// files readable by a web server of another user; pages a write cannot touch
// are left as they are; and the mirror stops with the server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { herald, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let mirror: string;
const read = (file: string) => (existsSync(join(mirror, file)) ? readFileSync(join(mirror, file), 'utf8') : '');

test.beforeAll(async () => {
  mirror = join(mkdtempSync(join(tmpdir(), 'herald-mirror-')), 'mirror');
  server = await startServer({ MIRROR_DIR: mirror, SITE_URL: 'https://status.example.com', HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
});
test.afterAll(async () => server?.stop());

test('the whole site is in the folder soon after start, readable by anyone', async () => {
  test.slow();
  await expect.poll(() => existsSync(join(mirror, 'api/v2/summary.json')), { timeout: 60_000 }).toBe(true);
  expect(read('index.html')).toContain('<html');
  expect(JSON.parse(read('api/v2/summary.json')).page.url).toBe('https://status.example.com');
  expect(statSync(join(mirror, 'index.html')).mode & 0o777).toBe(0o644);
  expect(statSync(join(mirror, 'history')).mode & 0o777).toBe(0o755);
  expect(server.output()).toMatch(/mirror full: \d+ files written/);
});

test('a posted incident and its update are in the mirror within seconds; pages the write cannot touch are not rewritten', async () => {
  const untouched = 'incidents/2026-09-19-database-corruption-outage/index.html';
  const before = statSync(join(mirror, untouched)).mtimeMs;

  const posted = Date.now();
  const slug = herald(server.db, 'incident', 'create', '--title', 'Mirror sees webmail logins failing', '--impact', 'major', '--message', 'We are looking into it.', '--no-notify').split(/\s+/)[0];
  await expect.poll(() => read('index.html'), { timeout: 5_000 }).toContain('Mirror sees webmail logins failing');
  expect(Date.now() - posted).toBeLessThan(5_000);
  await expect.poll(() => read(`incidents/${slug}/index.html`), { timeout: 5_000 }).toContain('We are looking into it.');
  expect(read('api/v2/incidents.json')).toContain('Mirror sees webmail logins failing');
  // Links in the mirror stay inside it.
  expect(read('index.html')).toContain(`href="incidents/${slug}/index.html"`);

  herald(server.db, 'incident', 'update', slug, '--status', 'identified', '--message', 'A certificate expired on the login servers.', '--no-notify');
  await expect.poll(() => read(`incidents/${slug}/index.html`), { timeout: 5_000 }).toContain('A certificate expired on the login servers.');
  expect(read('feed.xml')).toContain('A certificate expired on the login servers.');
  expect(statSync(join(mirror, untouched)).mtimeMs).toBe(before);
  expect(server.output()).toMatch(/mirror update: \d+ files written/);
});

test('the mirror stops with the server', async () => {
  await server.stop();
  const running = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('mirror') && line.includes(mirror));
  expect(running).toEqual([]);
});
