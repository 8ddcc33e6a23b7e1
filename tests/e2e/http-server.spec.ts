// Herald's own HTTP server (src/lib/server/http/server.ts): HEAD like GET on every
// public route type, unknown addresses answered from memory without entering
// the render cache, built files compressed, a taken port, and a drain on
// SIGTERM while clients keep sending on kept-alive connections.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { publicApiPaths } from '../../src/lib/server/http/public-routes';
import { freePort, root, startServer, type RunningServer } from './server';

/** One of each kind of public route (pages, feeds, badges, calendar, JSON API, files). */
const publicRouteTypes = [
  '/',
  '/history',
  '/history/2026-11',
  '/history/2026-11/uptime.json',
  '/history/2026-11/uptime.csv',
  '/incidents/2026-09-19-database-corruption-outage',
  '/components/webmail',
  '/components/webmail/feed.xml',
  '/components/webmail/badge.svg',
  '/feed.xml',
  '/badge.svg',
  '/maintenance.ics',
  ...publicApiPaths,
  '/.well-known/security.txt',
  '/subscribe',
  '/healthz',
  '/favicon.svg',
];

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
});
test.afterAll(async () => server?.stop());

for (const path of publicRouteTypes) {
  test(`HEAD ${path} first, then GET: the full body, and HEAD told its length`, async () => {
    // The server is fresh for this path: HEAD is the first request it sees for it.
    const head = await fetch(server.url + path, { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } });
    expect(head.status).toBe(200);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    for (let i = 0; i < 2; i++) {
      const get = await fetch(server.url + path, { headers: { 'Accept-Encoding': 'identity' } });
      expect(get.status).toBe(200);
      const body = Buffer.from(await get.arrayBuffer());
      expect(body.length).toBeGreaterThan(0);
      if (head.headers.get('content-length')) expect(Number(head.headers.get('content-length'))).toBe(body.length);
      expect(get.headers.get('content-type')).toBe(head.headers.get('content-type'));
    }
  });
}

test('unknown addresses are one shared "not found" answer: no-store, from memory, and they never push real pages out of the cache', async () => {
  // Cached answers are valid for one minute of the clock: if the minute turns during the flood, run it again.
  for (let attempt = 0; attempt < 2; attempt++) {
    const minute = Math.floor(Date.now() / 60_000);
    if (await floodOfUnknownsKeepsHome()) return;
    expect(Math.floor(Date.now() / 60_000), '/ or the shared "not found" was rendered again within one minute').not.toBe(minute);
  }
  throw new Error('/ was evicted twice');
});

/** Whether the shared "not found" and `/` (cached before more distinct unknown paths than the cache holds) are still hits after them. */
async function floodOfUnknownsKeepsHome(): Promise<boolean> {
  const first = await fetch(`${server.url}/`);
  expect(first.status).toBe(200);
  const unknown = (i: number) =>
    [`/no-such-page-${i}`, `/incidents/no-such-incident-${i}`, `/components/no-such-${i}`, `/components/no-such-${i}/feed.xml`, `/a/b/c/${i}`][i % 5];
  // More distinct unknown paths than the cache holds entries (500).
  for (let batch = 0; batch < 12; batch++) {
    await Promise.all(
      Array.from({ length: 60 }, async (_, j) => {
        const i = batch * 60 + j;
        const response = await fetch(server.url + unknown(i));
        expect(response.status).toBe(404);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        await response.arrayBuffer();
      }),
    );
  }
  const later = await fetch(`${server.url}/no-such-page-again`);
  expect(later.status).toBe(404);
  expect(await later.text()).toContain('Page not found');
  // The shared answer is kept for the minute, like every other: a new minute renders it again (the caller checks that it turned).
  if (later.headers.get('x-herald-cache') !== 'hit') return false;
  // `/` was never evicted by them: still a hit, not a fresh render.
  const home = await fetch(`${server.url}/`);
  return home.headers.get('x-herald-cache') === 'hit';
}

test('HEAD of an unknown address is a 404 without a body', async () => {
  const head = await fetch(`${server.url}/incidents/never-was`, { method: 'HEAD' });
  expect(head.status).toBe(404);
  expect((await head.arrayBuffer()).byteLength).toBe(0);
});

test('built files go out precompressed, and hashed names are immutable', async () => {
  const html = await (await fetch(`${server.url}/`)).text();
  const stylesheet = /href="(\/_astro\/[^"]+\.css)"/.exec(html)?.[1];
  expect(stylesheet).toBeTruthy();
  const plain = await fetch(server.url + stylesheet, { headers: { 'Accept-Encoding': 'identity' } });
  const plainBytes = Buffer.from(await plain.arrayBuffer()).length;
  for (const encoding of ['br', 'gzip']) {
    // node:http, so the body is seen as sent rather than decoded by fetch.
    const answer = await new Promise<{ headers: Record<string, unknown>; length: number }>((resolve, reject) => {
      httpRequest(server.url + stylesheet, { headers: { 'Accept-Encoding': encoding } }, (res) => {
        let length = 0;
        res.on('data', (chunk: Buffer) => (length += chunk.length));
        res.on('end', () => resolve({ headers: res.headers, length }));
      })
        .on('error', reject)
        .end();
    });
    expect(answer.headers['content-encoding']).toBe(encoding);
    expect(answer.length).toBeLessThan(plainBytes);
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.headers['vary']).toBe('Accept-Encoding');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  }
  const etag = plain.headers.get('etag')!;
  expect((await fetch(server.url + stylesheet, { headers: { 'If-None-Match': etag, 'Accept-Encoding': 'identity' } })).status).toBe(304);
});

test('a taken port stops start-up with one line naming PORT, exit 1, and nothing created', async () => {
  const port = await freePort();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    const folder = mkdtempSync(join(tmpdir(), 'herald-port-'));
    const db = join(folder, 'herald.db');
    const result = spawnSync(process.execPath, [join(root, 'scripts/serve.mjs')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), HERALD_DB: db },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Herald cannot start: PORT: 127\.0\.0\.1:\d+ is already in use/);
    expect(result.stdout).not.toContain('password');
    expect(existsSync(db)).toBe(false);
  } finally {
    blocker.close();
  }
});

test('SIGTERM under continuous keep-alive load: every request answered in full, then exit 0 within 10 s', async () => {
  const busy = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const paths = ['/', '/api/v2/summary.json', '/incidents/2026-09-19-database-corruption-outage', '/history/2026-11', '/no-such-page'];
  let answered = 0;
  const cut: string[] = [];
  let refused = false;
  let signalledAt: number | null = null;

  /** One GET; a request on a reused connection the server had just closed never reached it and is sent again (Node's documented rule). */
  const get = (path: string): Promise<void> =>
    new Promise((resolve) => {
      let gotHeaders = false;
      const req = httpRequest(busy.url + path, { agent }, (res) => {
        gotHeaders = true;
        const expected = Number(res.headers['content-length'] ?? -1);
        let length = 0;
        res.on('data', (chunk: Buffer) => (length += chunk.length));
        res.on('end', () => {
          if (expected >= 0 && length !== expected) cut.push(`${path}: ${length} of ${expected} bytes`);
          if (![200, 404].includes(res.statusCode ?? 0)) cut.push(`${path}: ${res.statusCode}`);
          answered++;
          resolve();
        });
        res.on('error', (error) => {
          cut.push(`${path}: ${error.message} mid-body`);
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') {
          refused = true; // the server stopped listening: expected once it drains
          return resolve();
        }
        if (!gotHeaders && req.reusedSocket && error.code === 'ECONNRESET') return resolve(get(path));
        // After the signal, a connection the kernel completed but Herald never accepted (still in the listen
        // backlog when the listening socket closed) is reset: the request never reached Herald, so it is sent again.
        if (!gotHeaders && signalledAt !== null && error.code === 'ECONNRESET') return resolve(get(path));
        cut.push(`${path}: ${error.code ?? error.message}${gotHeaders ? ' after headers' : ''}`);
        resolve();
      });
      req.end();
    });

  const clients = Array.from({ length: 12 }, async (_, client) => {
    for (let i = 0; !refused; i++) await get(paths[(client + i) % paths.length]);
  });
  await new Promise((r) => setTimeout(r, 1500));
  const before = answered;
  expect(before).toBeGreaterThan(50);
  const signalled = (signalledAt = Date.now());
  const exited = new Promise<number | null>((resolve) => busy.process.once('exit', (code) => resolve(code)));
  busy.process.kill('SIGTERM');
  const code = await exited;
  const took = Date.now() - signalled;
  // Stop the clients that have not yet noticed.
  refused = true;
  await Promise.all(clients);
  agent.destroy();
  expect(cut).toEqual([]);
  expect(code).toBe(0);
  expect(took).toBeLessThan(10_000);
  expect(busy.output()).toContain('SIGTERM: finishing requests');
});

test('CORS preflight on the public JSON API: 204 allowing GET from any origin, with the headers asked for', async () => {
  const response = await fetch(`${server.url}/api/v2/summary.json`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://dashboard.example.net', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'cache-control, x-requested-with' },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  expect(response.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
  expect(response.headers.get('access-control-allow-headers')).toBe('cache-control, x-requested-with');
  expect(response.headers.get('cache-control')).toBe('no-store');
  // Only for what exists.
  expect((await fetch(`${server.url}/api/v2/nothing.json`, { method: 'OPTIONS' })).status).toBe(404);
});

test('a body cut short before its Content-Length is answered 400, plainly, and logs no stack trace', async () => {
  const { port } = new URL(server.url);
  for (const path of ['/api/admin/incidents', '/subscribe']) {
    const type = path === '/subscribe' ? 'application/x-www-form-urlencoded' : 'application/json';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(Number(port), '127.0.0.1', () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 100\r\n\r\n{"title":`);
        socket.end(); // and sends nothing more
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    // The staff API may refuse the tokenless request (401) before the cut is noticed (400): both are plain answers, whichever comes first.
    expect(answer).toMatch(path === '/subscribe' ? /^HTTP\/1\.1 400 / : /^HTTP\/1\.1 40[01] /);
    expect(answer).toContain('X-Content-Type-Options: nosniff');
  }
  expect(server.output()).not.toMatch(/\n\s+at /);
});

test('a client flooding unknown addresses while others read the page gets its 404s slowed once past its budget; pages that exist are not', async () => {
  const own = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
  try {
    const timed = async (path: string) => {
      const t0 = performance.now();
      const response = await fetch(own.url + path);
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - t0, cache: response.headers.get('x-herald-cache') };
    };
    await timed('/'); // rendered once, then a hit
    await timed('/no-such-page'); // the shared 404, rendered once
    // The budget (1,000 per 10 s), used up while customers read the page.
    for (let batch = 0; batch < 23; batch++) {
      const [, ...answers] = await Promise.all([timed('/'), ...Array.from({ length: 45 }, (_, i) => timed(`/incidents/scan-${batch}-${i}`))]);
      for (const a of answers) expect(a.status).toBe(404);
    }
    // Past it, while the page is being read: still a 404, after a pause.
    const [, ...slowed] = await Promise.all([timed('/'), ...Array.from({ length: 20 }, (_, i) => timed(`/incidents/scan-late-${i}`))]);
    for (const a of slowed) expect(a).toMatchObject({ status: 404, cache: 'hit' });
    const fastestSlowed = Math.min(...slowed.map((a) => a.ms));
    expect(fastestSlowed).toBeGreaterThanOrEqual(240);
    // The page itself is not slowed for the same client.
    const home = await timed('/');
    expect(home).toMatchObject({ status: 200, cache: 'hit' });
    expect(home.ms).toBeLessThan(fastestSlowed);
  } finally {
    await own.stop();
  }
});
