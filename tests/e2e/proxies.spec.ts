// deploy/ as an operator installs it: Debian's nginx and Caddy on loopback with
// a self-signed certificate in front of the built server (TRUST_PROXY=1,
// SITE_URL the proxy's https:// address), and the systemd unit checked by
// systemd itself. The proxies keep the status page up while Herald is down
// (nginx from its cache, Caddy from the static mirror), the console fails
// closed, an error is never kept, and the client's address reaches Herald.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { securityHeaders, strictTransportSecurity } from '../../src/lib/server/http/security-headers';
import { get, selfSignedCertificate, startCaddy, startNginx, type Proxy } from './proxies';
import { freePort, root, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Herald as deploy/ expects it: behind one proxy, its public address the proxy's. */
async function startHerald(httpsPort: number): Promise<RunningServer> {
  return startServer({ SITE_URL: `https://127.0.0.1:${httpsPort}`, TRUST_PROXY: '1', HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
}

/** `herald export` into the mirror folder, as the operator's mirror job would. */
function exportMirror(server: RunningServer, httpsPort: number, mirror: string) {
  const run = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'export', mirror], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, SITE_URL: `https://127.0.0.1:${httpsPort}` },
  });
  expect(run.status, run.stderr).toBe(0);
}

/**
 * `herald doctor` as the operator runs it beside the server, SITE_URL as
 * given, the test's certificate trusted the way an operator's CA would be.
 * Each check's verdict and detail, by name.
 */
function doctor(server: RunningServer, siteUrl: string, cert: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'doctor'], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, SITE_URL: siteUrl, TRUST_PROXY: '1', NODE_EXTRA_CA_CERTS: cert, ...env },
  });
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(10);
  return Object.fromEntries(lines.map((line) => {
    const [, verdict, name, detail] = /^(\S+)\s+(\S+)\s+(.*)$/.exec(line)!;
    return [name, { verdict: verdict.toLowerCase(), detail }];
  }));
}

/** Herald's security headers, each exactly once, and its HSTS: the proxy added none of its own. */
function expectHeraldHeadersOnce(answer: Awaited<ReturnType<typeof get>>) {
  expect(answer.count('strict-transport-security')).toBe(1);
  expect(answer.header('strict-transport-security')).toBe(strictTransportSecurity);
  for (const [name, value] of Object.entries(securityHeaders)) {
    expect(answer.count(name.toLowerCase()), name).toBe(1);
    if (name !== 'Cross-Origin-Resource-Policy') expect(answer.header(name.toLowerCase()), name).toBe(value);
  }
}

/** A wrong password posted to the login form over the proxy, from a loopback address of our choosing. */
async function failLogin(proxy: Proxy, from: string, spoofedForwardedFor: string) {
  const answer = await get(proxy.httpsPort, '/admin/login', {
    method: 'POST',
    from,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: `https://127.0.0.1:${proxy.httpsPort}`,
      'X-Forwarded-For': spoofedForwardedFor,
    },
    body: 'email=admin%40example.com&password=not-the-password&next=%2Fadmin',
  });
  expect(answer.status).toBe(401);
}

function throttleKeys(db: string): string[] {
  const reader = new Database(db, { readonly: true });
  try {
    return reader.prepare('SELECT key FROM login_failures').pluck().all() as string[];
  } finally {
    reader.close();
  }
}

/** The session cookie a browser gets by logging in over the proxy. */
async function logInOverProxy(browser: Browser, server: RunningServer, httpsPort: number) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const password = /password:\s+(\S+)/.exec(server.output())![1];
    await page.goto(`https://127.0.0.1:${httpsPort}/admin/login`);
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin$/);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    return (await context.cookies()).find((c) => c.name.includes('herald_session'));
  } finally {
    await context.close();
  }
}

test.describe('nginx (deploy/nginx/herald.conf)', () => {
  let folder: string;
  let httpPort: number;
  let httpsPort: number;
  let mirror: string;
  let herald: RunningServer;
  let nginx: Proxy & { test: string };
  let cert: string;

  test.beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'herald-nginx-'));
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    mirror = join(folder, 'mirror');
    herald = await startHerald(httpsPort);
    const made = selfSignedCertificate(folder);
    cert = made.cert;
    const key = made.key;
    nginx = await startNginx({ folder, httpPort, httpsPort, upstreamPort: Number(new URL(herald.url).port), mirror, cert, key });
  });
  test.afterAll(async () => {
    await nginx?.stop();
    await herald?.stop();
  });

  test('nginx -t accepts the shipped file on the nginx Debian ships, without a warning', () => {
    expect(nginx.test).toContain('syntax is ok');
    expect(nginx.test).toContain('test is successful');
    expect(nginx.test).not.toMatch(/\[(warn|emerg|alert)\]/);
  });

  test('plain HTTP is sent to HTTPS', async () => {
    const answer = await new Promise<{ status: number; location?: string }>((resolve, reject) =>
      httpRequest({ host: '127.0.0.1', port: httpPort, path: '/history?x=1' }, (r) => {
        r.resume();
        resolve({ status: r.statusCode!, location: r.headers.location });
      })
        .on('error', reject)
        .end(),
    );
    expect(answer.status).toBe(301);
    expect(answer.location).toMatch(/^https:\/\/127\.0\.0\.1.*\/history\?x=1$/);
  });

  test("HTTPS answers carry Herald's HSTS and security headers once each, and nginx hides its version", async () => {
    for (const path of ['/', '/api/v2/summary.json', '/admin/login', '/incidents/no-such-incident']) {
      const answer = await get(httpsPort, path);
      expectHeraldHeadersOnce(answer);
      expect(answer.header('server')).toBe('nginx');
    }
  });

  test('/metrics is not reachable through the proxy, only on loopback', async () => {
    expect((await get(httpsPort, '/metrics')).status).toBe(404);
    expect((await fetch(`${herald.url}/metrics`)).status).toBe(200);
  });

  test('public answers are kept as Herald says, one copy per encoding; the console never is', async () => {
    const first = await get(httpsPort, '/history', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(first.status).toBe(200);
    expect(first.header('x-cache-status')).toMatch(/^(MISS|EXPIRED)$/);
    // Another browser's spelling of the same wish is the same copy.
    const second = await get(httpsPort, '/history', { headers: { 'Accept-Encoding': 'br;q=1.0, gzip;q=0.8' } });
    expect(second.header('x-cache-status')).toBe('HIT');
    expect(second.header('content-encoding')).toBe('br');
    expect(second.body.equals(first.body)).toBe(true);
    const plain = await get(httpsPort, '/history');
    expect(plain.header('content-encoding')).toBeUndefined();
    for (let i = 0; i < 2; i++) {
      const login = await get(httpsPort, '/admin/login');
      expect(login.header('cache-control')).toBe('no-store');
      expect(login.header('x-cache-status')).toBeUndefined();
    }
  });

  test('a login over the proxy sets the __Host- session cookie, Secure and HttpOnly', async ({ browser }) => {
    const cookie = await logInOverProxy(browser, herald, httpsPort);
    expect(cookie?.name).toBe('__Host-herald_session');
    expect(cookie?.secure).toBe(true);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.path).toBe('/');
  });

  test('herald doctor through nginx finds SITE_URL, its certificate, HSTS and the forwarding headers right; straight to the port, it says TRUST_PROXY is wrong', () => {
    const through = doctor(herald, `https://127.0.0.1:${httpsPort}`, cert);
    expect(through['site-url']).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('reaches this Herald (200') });
    expect(through.https.verdict).toBe('ok');
    expect(through.hsts).toEqual({ verdict: 'ok', detail: strictTransportSecurity });
    expect(through['trust-proxy']).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/passes X-Forwarded-For \(127\.0\.0\.1\) and X-Forwarded-Proto \(https\)/) });
    expect(through.health.verdict).toBe('ok');
    // This Herald takes no backups (BACKUP_INTERVAL_HOURS=0) and has none.
    expect(through.backups.verdict).toBe('fail');

    // Without the certificate trusted, visitors' browsers would refuse it too.
    const untrusted = doctor(herald, `https://127.0.0.1:${httpsPort}`, '/dev/null');
    expect(untrusted['site-url'].verdict).toBe('fail');
    expect(untrusted.https).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/certificate/i) });

    // Herald's own port, skipping the proxy: no X-Forwarded-For arrives.
    const direct = doctor(herald, herald.url, cert);
    expect(direct['trust-proxy']).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('without X-Forwarded-For') });
  });

  test("the client's own address reaches the login throttle, whatever X-Forwarded-For it wrote", async () => {
    await failLogin(nginx, '127.0.0.2', '203.0.113.9');
    const keys = throttleKeys(herald.db);
    expect(keys).toContain('ip:127.0.0.2');
    expect(keys.some((k) => k.includes('203.0.113.9'))).toBe(false);
  });

  test('a Herald 500 goes to the visitor uncached: the next answer after the fault is the real page', async () => {
    const db = new Database(herald.db);
    // Every staff write makes an audit entry, which is what tells Herald's own cache to render again.
    const invalidate = () => db.prepare("INSERT INTO audit_log (at, actor, action, target) VALUES (?, 'test', 'test.invalidate', 'x')").run(Date.now());
    try {
      invalidate();
      db.exec('ALTER TABLE component_groups RENAME TO component_groups_away');
      let broken = await get(httpsPort, '/components/webmail');
      for (let i = 0; broken.status !== 500 && i < 40; i++) {
        await sleep(50);
        broken = await get(httpsPort, '/components/webmail');
      }
      expect(broken.status).toBe(500);
      expect(broken.header('cache-control')).toBe('no-store');
      expect(broken.header('x-cache-status')).toBe('MISS');
    } finally {
      db.exec('ALTER TABLE component_groups_away RENAME TO component_groups');
      invalidate();
      db.close();
    }
    // Herald reads its content version at most every 25 ms.
    await sleep(100);
    const healed = await get(httpsPort, '/components/webmail');
    expect(healed.status).toBe(200);
    expect(healed.header('x-cache-status')).toMatch(/^(MISS|EXPIRED)$/);
  });

  test('with Herald stopped, / and the JSON API are served stale, other pages from the mirror, and the console fails closed', async () => {
    test.slow();
    const summary = await get(httpsPort, '/api/v2/summary.json');
    expect(summary.status).toBe(200);
    const home = await get(httpsPort, '/');
    expect(home.status).toBe(200);
    const cachedAt = Date.now();
    exportMirror(herald, httpsPort, mirror);
    await herald.stop();
    // Past Herald's s-maxage (10 s): what nginx has is stale now, and Herald cannot be asked.
    await sleep(Math.max(0, cachedAt + 11_000 - Date.now()));

    const staleHome = await get(httpsPort, '/');
    expect(staleHome.status).toBe(200);
    expect(staleHome.header('x-cache-status')).toBe('STALE');
    expect(staleHome.body.equals(home.body)).toBe(true);
    const staleSummary = await get(httpsPort, '/api/v2/summary.json');
    expect(staleSummary.status).toBe(200);
    expect(staleSummary.header('x-cache-status')).toBe('STALE');
    expect(JSON.parse(staleSummary.body.toString()).page.url).toBe(`https://127.0.0.1:${httpsPort}`);

    // Never asked for while Herald was up: the mirror has it, with Herald's policy.
    const fromMirror = await get(httpsPort, '/feed.xml');
    expect(fromMirror.status).toBe(200);
    expect(fromMirror.header('x-herald-mirror')).toBe('1');
    expect(fromMirror.header('cache-control')).toBe('no-store');
    expect(fromMirror.header('content-security-policy')).toBe(securityHeaders['Content-Security-Policy']);
    expect(fromMirror.body.toString()).toContain('<rss');

    for (const path of ['/admin', '/admin/login', '/api/admin/incidents', '/subscribe']) {
      const closed = await get(httpsPort, path);
      expect(closed.status, path).toBe(502);
      expect(closed.header('x-herald-mirror'), path).toBeUndefined();
    }
  });
});

test.describe('Caddy (deploy/caddy/Caddyfile)', () => {
  let folder: string;
  let httpsPort: number;
  let mirror: string;
  let herald: RunningServer;
  let caddy: Proxy & { validate: string };
  let cert: string;

  test.beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'herald-caddy-'));
    const httpPort = await freePort();
    httpsPort = await freePort();
    mirror = join(folder, 'mirror');
    herald = await startHerald(httpsPort);
    const made = selfSignedCertificate(folder);
    cert = made.cert;
    const key = made.key;
    caddy = await startCaddy({ folder, httpPort, httpsPort, upstreamPort: Number(new URL(herald.url).port), mirror, cert, key });
  });
  test.afterAll(async () => {
    await caddy?.stop();
    await herald?.stop();
  });

  test('caddy validate accepts the shipped file', () => {
    expect(caddy.validate).toContain('Valid configuration');
  });

  test("HTTPS answers carry Herald's HSTS and security headers once each", async () => {
    for (const path of ['/', '/api/v2/summary.json', '/admin/login']) expectHeraldHeadersOnce(await get(httpsPort, path));
  });

  test('a login over the proxy sets the __Host- session cookie', async ({ browser }) => {
    const cookie = await logInOverProxy(browser, herald, httpsPort);
    expect(cookie?.name).toBe('__Host-herald_session');
    expect(cookie?.secure).toBe(true);
  });

  test('herald doctor through Caddy finds HSTS once and the forwarding headers right', () => {
    const through = doctor(herald, `https://127.0.0.1:${httpsPort}`, cert);
    expect(through['site-url'].verdict).toBe('ok');
    expect(through.hsts).toEqual({ verdict: 'ok', detail: strictTransportSecurity });
    expect(through['trust-proxy']).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('X-Forwarded-Proto (https)') });
    // Herald thinking no proxy is there, while Caddy sends its headers.
    expect(doctor(herald, `https://127.0.0.1:${httpsPort}`, cert, { TRUST_PROXY: '0' })['trust-proxy']).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('set TRUST_PROXY=1') });
  });

  test('/metrics is not reachable through the proxy', async () => {
    expect((await get(httpsPort, '/metrics')).status).toBe(404);
  });

  test("the client's own address reaches the login throttle, whatever X-Forwarded-For it wrote", async () => {
    await failLogin(caddy, '127.0.0.3', '203.0.113.7');
    const keys = throttleKeys(herald.db);
    expect(keys).toContain('ip:127.0.0.3');
    expect(keys.some((k) => k.includes('203.0.113.7'))).toBe(false);
  });

  test('with Herald stopped, the pages and the JSON API come from the mirror, and the console fails closed', async () => {
    exportMirror(herald, httpsPort, mirror);
    await herald.stop();
    const home = await get(httpsPort, '/');
    expect(home.status).toBe(200);
    expect(home.header('x-herald-mirror')).toBe('1');
    expect(home.header('content-security-policy')).toBe(securityHeaders['Content-Security-Policy']);
    expect(home.body.toString()).toContain('<html');
    const summary = await get(httpsPort, '/api/v2/summary.json');
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.body.toString()).page.url).toBe(`https://127.0.0.1:${httpsPort}`);
    for (const path of ['/admin', '/admin/login', '/api/admin/incidents', '/subscribe']) {
      const closed = await get(httpsPort, path);
      expect(closed.status, path).toBe(503);
      expect(closed.header('cache-control'), path).toBe('no-store');
      expect(closed.header('x-herald-mirror'), path).toBeUndefined();
    }
  });
});

test.describe('systemd (deploy/systemd/herald.service)', () => {
  const unitText = () => readFileSync(join(root, 'deploy/systemd/herald.service'), 'utf8');

  /** The unit where systemd-analyze can check it: node where this machine has it. */
  function unitFile(): string {
    const folder = mkdtempSync(join(tmpdir(), 'herald-systemd-'));
    const file = join(folder, 'herald.service');
    writeFileSync(file, unitText().replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    return file;
  }

  test('systemd-analyze verify accepts the unit', () => {
    const run = spawnSync('systemd-analyze', ['verify', unitFile()], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect((run.stdout + run.stderr).trim()).toBe('');
  });

  test("the sandbox rates OK in systemd's own security review, and the stop outlasts Herald's drain", () => {
    const run = spawnSync('systemd-analyze', ['security', '--offline=true', unitFile()], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const exposure = Number(/Overall exposure level for herald\.service: ([\d.]+)/.exec(run.stdout)?.[1]);
    expect(exposure).toBeLessThanOrEqual(2);
    for (const passed of ['NoNewPrivileges=', 'ProtectSystem=', 'RestrictAddressFamilies=~AF_PACKET', 'ProtectHome=', 'PrivateDevices=']) {
      expect(run.stdout).toMatch(new RegExp(`✓ ${passed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    const unit = unitText();
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/herald\b/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    // Herald exits within 10 s of SIGTERM (src/lib/server/http/shutdown.ts).
    expect(Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1])).toBeGreaterThan(10);
  });
});
