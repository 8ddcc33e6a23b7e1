// The security headers on every response type: pages, feeds, the JSON API,
// badges, the calendar, the console, the admin API, static files, 404, 500 and
// security.txt. HSTS only over HTTPS (here: behind a trusted proxy that says so).
import Database from 'better-sqlite3';
import { expect, test } from './fixtures';
import { startServer, type RunningServer } from './server';

const routes: [string, number, 'same-origin' | 'cross-origin'][] = [
  ['/', 200, 'same-origin'],
  ['/incidents/2026-09-19-database-corruption-outage', 200, 'same-origin'],
  ['/history', 200, 'same-origin'],
  ['/components/webmail', 200, 'same-origin'],
  ['/feed.xml', 200, 'same-origin'],
  ['/maintenance.ics', 200, 'cross-origin'],
  ['/api/v2/summary.json', 200, 'cross-origin'],
  ['/badge.svg', 200, 'cross-origin'],
  ['/admin/login', 200, 'same-origin'],
  ['/admin', 303, 'same-origin'],
  ['/api/admin/incidents', 401, 'same-origin'],
  ['/no-such-page', 404, 'same-origin'],
  ['/healthz', 200, 'same-origin'],
  ['/.well-known/security.txt', 200, 'same-origin'],
  ['/favicon.svg', 200, 'same-origin'],
];

function expectSecurityHeaders(headers: Record<string, string>, what: string, corp = 'same-origin') {
  const csp = headers['content-security-policy'] ?? '';
  for (const directive of ["default-src 'self'", "script-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) {
    expect(csp, `${what}: ${directive}`).toContain(directive);
  }
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  expect(headers['permissions-policy'], what).toContain('camera=()');
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(headers['cross-origin-resource-policy'], what).toBe(corp);
}

test('every response type carries the security headers, and none over plain HTTP carries HSTS', async ({ request }) => {
  const stylesheet = /href="(\/_astro\/[^"]+\.css)"/.exec(await (await request.get('/')).text())![1];
  for (const [path, status, corp] of [...routes, [stylesheet, 200, 'same-origin'] as const]) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(status);
    expectSecurityHeaders(response.headers(), path, corp);
    expect(response.headers()['strict-transport-security'], path).toBeUndefined();
  }
});

test('security.txt (RFC 9116) names the contact and a future expiry', async ({ request }) => {
  const response = await request.get('/.well-known/security.txt');
  expect(response.headers()['content-type']).toBe('text/plain; charset=utf-8');
  const fields = Object.fromEntries((await response.text()).trim().split('\n').map((line) => line.split(/:\s(.*)/s).slice(0, 2)));
  expect(fields.Contact).toMatch(/^mailto:security@/);
  expect(Date.parse(fields.Expires)).toBeGreaterThan(Date.now() + 30 * 86_400_000);
  expect(Date.parse(fields.Expires)).toBeLessThan(Date.now() + 366 * 86_400_000);
  expect(fields.Canonical).toMatch(/\/\.well-known\/security\.txt$/);
});

test.describe('behind a TLS-terminating proxy, and when things break', () => {
  let server: RunningServer;
  test.beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: '1', SECURITY_CONTACT: 'https://example.com/security', BACKUP_INTERVAL_HOURS: '0' });
  });
  test.afterAll(async () => server?.stop());

  test('HSTS on every response that arrived over HTTPS, static files included', async ({ request }) => {
    const https = { 'X-Forwarded-Proto': 'https' };
    const stylesheet = /href="(\/_astro\/[^"]+\.css)"/.exec(await (await request.get(`${server.url}/`)).text())![1];
    for (const path of ['/', '/badge.svg', '/no-such-page', '/admin/login', stylesheet, '/favicon.svg']) {
      const response = await request.get(`${server.url}${path}`, { headers: https });
      expect(response.headers()['strict-transport-security'], path).toBe('max-age=63072000; includeSubDomains');
    }
    expect((await request.get(`${server.url}/`)).headers()['strict-transport-security']).toBeUndefined();
    expect(await (await request.get(`${server.url}/.well-known/security.txt`)).text()).toContain('Contact: https://example.com/security');
  });

  test('a 500 carries them too, and is never stored', async ({ request }) => {
    // Break the database under the running server: pages that read it fail.
    const db = new Database(server.db);
    db.exec('DROP TABLE incident_updates');
    db.close();
    // A page not in the render cache yet (one already cached would still be served from memory).
    const response = await request.get(`${server.url}/history`);
    expect(response.status()).toBe(500);
    expectSecurityHeaders(response.headers(), '500');
    expect(response.headers()['cache-control']).toBe('no-store');
    expect(await response.text()).not.toMatch(/SqliteError|at .*\.js:\d+/);
  });
});
