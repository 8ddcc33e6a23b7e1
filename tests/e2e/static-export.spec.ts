// `herald export DIR` as an operator uses it: export a database with a live
// incident, put the folder on a plain static host (under a path prefix, as on
// object storage or a CDN) and open it with JavaScript off, then from file://.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import Parser from 'rss-parser';
import { freePort, herald, root } from './server';

test.use({ javaScriptEnabled: false });

const siteUrl = 'https://status.example.com';

function exportTo(db: string, dir: string) {
  return spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'export', dir], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: db, SITE_URL: siteUrl },
  });
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.xml': 'application/rss+xml',
  '.json': 'application/json',
  '.ics': 'text/calendar',
};

/** The folder served as files under /fallback/, index.html for folders, like any static host. */
async function serveStatic(folder: string) {
  const port = await freePort();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url!, 'http://x').pathname);
    if (!path.startsWith('/fallback/')) return response.writeHead(404).end();
    let file = join(folder, normalize(path.slice('/fallback'.length)));
    if (path.endsWith('/')) file = join(file, 'index.html');
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${port}/fallback/`, close: () => new Promise((done) => server.close(done)) };
}

const filesIn = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name));

test('the export works from a static host and from file://, with every link relative', async ({ page }) => {
  // Three CLI processes (create, export, export again) and two browser walks: on a busy two-core machine, longer than 30 s.
  test.slow();
  const folder = mkdtempSync(join(tmpdir(), 'herald-export-'));
  const db = join(folder, 'herald.db');
  const title = 'Webmail logins failing';
  const slug = herald(db, 'incident', 'create', '--title', title, '--impact', 'major', '--component', 'webmail', '--message', 'We are looking into it.').split('\n')[0];
  const out = join(folder, 'status-fallback');
  const exported = exportTo(db, out);
  expect(exported.status, exported.stderr).toBe(0);
  expect(exported.stdout.trim()).toMatch(new RegExp(`^Exported \\d+ files \\(\\d+\\.\\d (KiB|MiB)\\) to ${out}$`));

  // No link to this site starts with "/": all are relative; forms post to the live site.
  const pages = filesIn(out).filter((f) => f.endsWith('.html'));
  expect(pages.length).toBeGreaterThan(10);
  for (const file of pages) {
    const html = readFileSync(file, 'utf8');
    expect(html.match(/\s(?:href|src)="\/[^"]*"/g), file).toBeNull();
    for (const [, action] of html.matchAll(/<form[^>]*\saction="([^"]*)"/g)) expect(action, file).toBe(`${siteUrl}/subscribe`);
  }

  const host = await serveStatic(out);
  try {
    const stylesheets: number[] = [];
    page.on('response', (r) => r.request().resourceType() === 'stylesheet' && stylesheets.push(r.status()));
    await page.goto(host.url);
    await expect(page.locator('.banner h2')).toHaveText(/Outage/);
    await expect(page.locator('.skip-link')).toHaveCSS('position', 'absolute'); // the stylesheet applies
    expect(stylesheets).toEqual([200]);

    await page.getByRole('link', { name: title }).first().click();
    await expect(page).toHaveURL(`${host.url}incidents/${slug}/index.html`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
    await expect(page.getByText('We are looking into it.')).toBeVisible();

    await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'History' }).click();
    await expect(page).toHaveURL(`${host.url}history/index.html`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');
    await page.locator('a[rel="prev"]').click();
    await expect(page).toHaveURL(/\/fallback\/history\/\d{4}-\d{2}\/index\.html$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Incident history: /);

    await page.getByRole('link', { name: 'Current status' }).click();
    await page.getByRole('link', { name: 'Web interface' }).click();
    await expect(page).toHaveURL(`${host.url}components/webmail/index.html`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Web interface');

    const summary = await (await page.request.get(`${host.url}api/v2/summary.json`)).json();
    expect(summary.incidents.map((i: { name: string }) => i.name)).toContain(title);
    const feed = await new Parser().parseString(await (await page.request.get(`${host.url}feed.xml`)).text());
    expect(feed.items[0].title).toBe(`${title} — Investigating`);
    expect((await page.request.get(`${host.url}components/webmail/badge.svg`)).status()).toBe(200);
    expect((await page.request.get(`${host.url}maintenance.ics`)).status()).toBe(200);
  } finally {
    await host.close();
  }

  await page.goto(pathToFileURL(join(out, 'index.html')).href);
  await page.getByRole('link', { name: title }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.skip-link')).toHaveCSS('position', 'absolute');

  // Exporting again replaces the folder whole and leaves nothing beside it.
  herald(db, 'incident', 'resolve', slug, '--message', 'Fixed.');
  expect(exportTo(db, out).status).toBe(0);
  expect(readdirSync(folder).filter((name) => name.startsWith('status-fallback'))).toEqual(['status-fallback']);
  expect(JSON.parse(readFileSync(join(out, 'api/v2/incidents/unresolved.json'), 'utf8')).incidents).toEqual([]);
});
