// An incident whose markdown shows an image from another host: the visitor's
// browser gets it from Herald's own origin and never contacts the other host,
// on the live site and in the static export (which also survives an image
// whose host cannot deliver it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { png, startImageServer, type ImageServer } from '../helpers/image-server';
import { herald, root, startServer, type RunningServer } from './server';

let images: ImageServer;
let server: RunningServer;
let slug: string;

test.beforeAll(async () => {
  images = await startImageServer();
  // The image host is on loopback, which the proxy refuses unless told otherwise.
  server = await startServer({ IMAGE_PROXY_ALLOW_PRIVATE: '1' });
  const message = `Latency since 10:00:\n\n![latency graph](${images.url}/graph.png)\n\nAn image whose host fails: ![broken](${images.url}/missing.png)`;
  slug = herald(server.db, 'incident', 'create', '--title', 'Slow searches', '--impact', 'minor', '--component', 'webmail', '--message', message).split('\n')[0];
});
test.afterAll(async () => {
  await server?.stop();
  await images?.close();
});

/** Every URL the page asks for, from now on. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

const naturalWidth = (page: Page, alt: string) => page.getByAltText(alt).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);

test('the image shows, from this site only', async ({ page }) => {
  const requests = recordRequests(page);
  for (const path of [`/incidents/${slug}`, '/']) {
    await page.goto(`${server.url}${path}`);
    const graph = page.getByAltText('latency graph');
    await expect(graph).toHaveAttribute('src', /^\/img\/[A-Za-z0-9_-]{43}\/[A-Za-z0-9_/-]+$/);
    await expect.poll(() => naturalWidth(page, 'latency graph')).toBe(3);
  }
  const origins = new Set(requests.map((url) => new URL(url).origin));
  expect([...origins]).toEqual([server.url]);
  // Fetched once, by the server, then served from its cache.
  expect(images.hits.filter((hit) => hit === '/graph.png')).toEqual(['/graph.png']);

  const src = (await page.getByAltText('latency graph').getAttribute('src'))!;
  const response = await page.request.get(`${server.url}${src}`);
  expect(response.headers()['content-type']).toBe('image/png');
  expect(response.headers()['cache-control']).toBe('public, max-age=86400');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  expect(response.headers()['content-security-policy']).toContain("default-src 'self'");
  expect(Buffer.from(await response.body())).toEqual(png);
  expect((await page.request.get(`${server.url}${src}`, { headers: { 'If-None-Match': response.headers().etag } })).status()).toBe(304);

  const broken = (await page.getByAltText('broken').getAttribute('src'))!;
  const failed = await page.request.get(`${server.url}${broken}`);
  expect(failed.status()).toBe(502);
  expect(failed.headers()['cache-control']).toBe('no-store');
  const forged = await page.request.get(`${server.url}${src.replace(/^\/img\/[^/]+/, `/img/${'A'.repeat(43)}`)}`);
  expect(forged.status()).toBe(404);
});

test('the static export carries the image as a file, and the page shows it from file://', async ({ page }) => {
  const out = join(mkdtempSync(join(tmpdir(), 'herald-export-')), 'status-fallback');
  const siteUrl = 'https://status.example.com';
  const exported = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'export', out], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, SITE_URL: siteUrl, IMAGE_PROXY_ALLOW_PRIVATE: '1' },
  });
  expect(exported.status, exported.stderr).toBe(0);

  const html = readFileSync(join(out, 'incidents', slug, 'index.html'), 'utf8');
  const [, src] = /<img src="([^"]+)" alt="latency graph"/.exec(html)!;
  expect(src).toMatch(/^\.\.\/\.\.\/img\/[A-Za-z0-9_-]{43}\/[A-Za-z0-9_/-]+$/);
  expect(readFileSync(join(out, 'incidents', slug, src))).toEqual(png);
  // The image that could not be fetched points at the live site's proxy and did not stop the export.
  const [, broken] = /<img src="([^"]+)" alt="broken"/.exec(html)!;
  expect(broken).toMatch(new RegExp(`^${siteUrl}/img/`));
  expect(existsSync(join(out, new URL(broken).pathname))).toBe(false);

  const requests = recordRequests(page);
  await page.goto(pathToFileURL(join(out, 'incidents', slug, 'index.html')).href);
  await expect.poll(() => naturalWidth(page, 'latency graph')).toBe(3);
  const elsewhere = requests.filter((url) => !url.startsWith('file://') && !url.startsWith(siteUrl));
  expect(elsewhere).toEqual([]);
});
