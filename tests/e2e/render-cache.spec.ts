// The render cache: public answers come from memory, in the encoding the
// client accepts, until the content changes. A write through the CLI (another
// process), the API or the console is on the very next request; the delivery
// worker's own writes (sending mail) do not throw pages out.
import { request as httpRequest } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { expect, test } from './fixtures';
import { herald, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0', MAIL_RETRY_MIN_SECONDS: '0.2' });
});
test.afterAll(async () => server?.stop());

/** A raw GET: headers and the bytes as sent, not decoded. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    const { port } = new URL(server.url);
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `check` within one clock minute (entries also expire when the minute turns). */
async function withinOneMinute(check: () => Promise<void>) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const minute = Math.floor(Date.now() / 60_000);
    await check();
    if (Math.floor(Date.now() / 60_000) === minute) return;
  }
}

test('answers from memory in the accepted encoding, each with its own strong ETag', async () => {
  await withinOneMinute(async () => {
    await get('/');
    const br = await get('/', { 'Accept-Encoding': 'gzip, deflate, br' });
    const gzip = await get('/', { 'Accept-Encoding': 'gzip' });
    const plain = await get('/');
    expect([br, gzip, plain].map((r) => r.headers['x-herald-cache'])).toEqual(['hit', 'hit', 'hit']);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const r of [br, gzip, plain]) expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(new Set([br, gzip, plain].map((r) => r.headers['etag'])).size).toBe(3);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
    const head = await get('/', { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(head.body.length).toBe(0);
    expect(head.headers['etag']).toBe(br.headers['etag']);
    const again = await get('/', { 'Accept-Encoding': 'br', 'If-None-Match': br.headers['etag'] });
    expect(again.status).toBe(304);
    // A query string changes nothing on a shared page: it cannot force a render or flush the cache.
    expect((await get(`/?nocache=${Date.now()}`)).headers['x-herald-cache']).toBe('hit');
  });
});

test('a write from the CLI, the API or the console is on the very next request', async ({ page }) => {
  const db = openDatabase(server.db);
  const token = createApiToken(db, { label: 'cache-test', userId: null }, { name: 'cache', scope: 'write' });
  db.$client.close();
  const warm = async () => {
    await get('/');
    expect((await get('/')).headers['x-herald-cache']).toBe('hit');
  };

  await warm();
  herald(server.db, 'incident', 'create', '--title', 'Written by the CLI', '--impact', 'minor', '--message', 'x');
  let next = await get('/');
  expect(next.headers['x-herald-cache']).toBe('miss');
  expect(next.body.toString()).toContain('Written by the CLI');

  await warm();
  const api = await fetch(`${server.url}/api/admin/incidents`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token.secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Written through the API', impact: 'minor', message: 'y' }),
  });
  expect(api.status).toBe(201);
  next = await get('/');
  expect(next.body.toString()).toContain('Written through the API');
  const summary = await get('/api/v2/summary.json');
  expect(summary.body.toString()).toContain('Written through the API');

  await warm();
  const password = /password:\s+(\S+)/.exec(server.output())![1];
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.goto(`${server.url}/admin/incidents/new`);
  await page.getByLabel('Title').fill('Written in the console');
  await page.getByLabel('First update').fill('z');
  await page.getByRole('button', { name: 'Post incident' }).click();
  await expect(page.getByText('Posted. It is on the public page now.')).toBeVisible();
  expect((await get('/')).body.toString()).toContain('Written in the console');
});

test('mail going out does not throw the page out of the cache', async () => {
  const raw = new Database(server.db);
  const insert = raw.prepare("INSERT INTO subscribers (kind, address, confirmed_at, created_at) VALUES ('email', ?, ?, ?)");
  for (let n = 0; n < 20; n++) insert.run(`reader${n}@example.com`, Date.now(), Date.now());
  raw.close();
  const mailDir = join(dirname(server.db), 'mail');
  const mails = () => (existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')).length : 0);
  await withinOneMinute(async () => {
    const before = mails();
    herald(server.db, 'incident', 'create', '--title', `Twenty people told ${Date.now()}`, '--impact', 'minor', '--message', 'x');
    await get('/');
    expect((await get('/')).headers['x-herald-cache']).toBe('hit');
    await expect.poll(() => mails() - before, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    expect((await get('/')).headers['x-herald-cache']).toBe('hit');
  });
});
