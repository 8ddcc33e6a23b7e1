// Feeds as feed readers see them: parsed by an independent parser, one item
// per update, stable guids, 304 when nothing changed, discoverable from pages.
import Parser from 'rss-parser';
import { database, expect, test } from './fixtures';
import { herald } from './server';

const parse = (xml: string) => new Parser().parseString(xml);

test('a live update appears once in the site feed and in its component feed', async ({ request }) => {
  const before = await parse(await (await request.get('/feed.xml')).text());
  expect(before.items.length).toBeGreaterThan(5);
  const slug = herald(database(), 'incident', 'create', '--title', 'Feed check', '--impact', 'minor', '--component', 'dns', '--message', 'Checking **feeds**.').split('\n')[0];
  const response = await request.get('/feed.xml');
  expect(response.headers()['content-type']).toBe('application/rss+xml; charset=utf-8');
  const after = await parse(await response.text());
  expect(after.items[0].title).toBe('Feed check — Investigating');
  const guid = after.items[0].guid!;
  expect(guid).toMatch(new RegExp(`/incidents/${slug}#\\d+$`));
  expect(after.items.filter((i) => !before.items.some((b) => b.guid === i.guid))).toHaveLength(1);

  // Unchanged: 304 to a reader that sends the ETag back, and the same guid.
  const etag = response.headers()['etag'];
  expect((await request.get('/feed.xml', { headers: { 'If-None-Match': etag } })).status()).toBe(304);
  expect((await parse(await (await request.get('/feed.xml')).text())).items[0].guid).toBe(guid);

  const dns = await parse(await (await request.get('/components/dns/feed.xml')).text());
  expect(dns.items[0].title).toBe('Feed check — Investigating');
  const webmail = await parse(await (await request.get('/components/webmail/feed.xml')).text());
  expect(webmail.items.some((i) => i.title?.startsWith('Feed check'))).toBe(false);

  herald(database(), 'incident', 'resolve', slug, '--message', 'Done.');
  expect((await request.get('/feed.xml', { headers: { 'If-None-Match': etag } })).status()).toBe(200);
});

test('unknown component feeds are 404, and every public page links its feed', async ({ page, request }) => {
  expect((await request.get('/components/nope/feed.xml')).status()).toBe(404);
  await page.goto('/');
  await expect(page.locator('link[rel="alternate"][type="application/rss+xml"]')).toHaveAttribute('href', '/feed.xml');
  await page.goto('/components/dns');
  await expect(page.locator('link[rel="alternate"][type="application/rss+xml"]')).toHaveCount(2);
  await expect(page.locator('link[rel="alternate"][href="/components/dns/feed.xml"]')).toHaveCount(1);
});
