// Caching that cannot mislead, per route type: public answers revalidate in
// browsers and may sit briefly in a CDN, with an ETag and 304; errors, staff
// pages, the admin API, personal pages and answers to writes are never stored.
import { publicCachePolicy } from '../../src/lib/server/http/http-cache';
import { database, expect, test } from './fixtures';
import { herald } from './server';

const publicRoutes = [
  '/',
  '/history',
  '/incidents/2026-09-19-database-corruption-outage',
  '/components/webmail',
  '/feed.xml',
  '/components/webmail/feed.xml',
  '/api/v2/summary.json',
  '/api/v2/incidents.json',
  '/maintenance.ics',
];

for (const path of publicRoutes) {
  test(`${path}: ${publicCachePolicy}, an ETag, and 304 when unchanged`, async ({ request }) => {
    // Pages say "as of" to the minute: a minute may turn between two requests, so allow one more try.
    let again;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await request.get(path);
      expect(response.status()).toBe(200);
      expect(response.headers()['cache-control']).toBe(publicCachePolicy);
      const etag = response.headers()['etag'];
      expect(etag).toMatch(/^"[0-9a-f]{32}(-br|-gz)?"$/);
      again = await request.get(path, { headers: { 'If-None-Match': etag } });
      if (again.status() === 304) break;
    }
    if (!again) throw new Error('unreachable');
    expect(again.status()).toBe(304);
    expect(again.headers()['cache-control']).toBe(publicCachePolicy);
    expect(await again.body()).toHaveLength(0);
    expect((await request.get(path, { headers: { 'If-None-Match': '"0000"' } })).status()).toBe(200);
  });
}

test('badges are cacheable for a minute', async ({ request }) => {
  for (const path of ['/badge.svg', '/components/webmail/badge.svg']) {
    expect((await request.get(path)).headers()['cache-control']).toBe('public, max-age=60, stale-while-revalidate=60, stale-if-error=86400');
  }
});

const neverStored: [string, string, number][] = [
  ['a 404', '/no-such-page', 404],
  ['an unknown component', '/components/nope', 404],
  ['health', '/healthz', 200],
  ['the console', '/admin', 303],
  ['the login page', '/admin/login', 200],
  ['the admin API', '/api/admin/incidents', 401],
  ['the subscribe page', '/subscribe', 200],
  ['the webhook form', '/subscribe/webhook', 200],
  ['the chat form', '/subscribe/chat', 200],
  ['a subscription link', '/subscribe/manage?s=1&t=x', 404],
  ['an unsubscribe link', '/unsubscribe?s=1&t=x', 404],
];
for (const [what, path, status] of neverStored) {
  test(`${what} (${path}) answers no-store`, async ({ request }) => {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status()).toBe(status);
    expect(response.headers()['cache-control']).toBe('no-store');
  });
}

test('answers to writes are never stored', async ({ request, baseURL }) => {
  const response = await request.post('/subscribe', { form: { email: 'cache@example.com' }, headers: { Origin: baseURL! } });
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
});

test('a staff write changes the ETag: the next revalidation gets the new page', async ({ request }) => {
  const before = await request.get('/');
  const etag = before.headers()['etag'];
  herald(database(), 'incident', 'create', '--title', 'Cache buster', '--impact', 'minor', '--message', 'Fresh.');
  const after = await request.get('/', { headers: { 'If-None-Match': etag } });
  expect(after.status()).toBe(200);
  expect(await after.text()).toContain('Cache buster');
  herald(database(), 'incident', 'resolve', (await request.get('/api/v2/incidents/unresolved.json').then((r) => r.json())).incidents.find((i: { name: string }) => i.name === 'Cache buster').id, '--message', 'Done.');
});
