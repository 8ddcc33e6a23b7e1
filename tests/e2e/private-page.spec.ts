// A private status page (page.yml `visibility: private`) against the built
// server: an anonymous visitor gets nothing of it on any kind of address
// (pages, feeds, the JSON API, badges, the calendar, unknown addresses, HEAD
// as GET), before or after a reader has read it, so nothing is served from
// the shared cache; a reader signs in with the shared password in Chromium
// (a wrong one is said beside the field) and lands where they were going;
// an address of the reader domains signs in with a link mailed to it, once;
// their token opens the feeds and the API for their apps until revoked;
// staff read with their session; and the static export and the mirror refuse
// the page unless asked.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from './fixtures';
import { logInAsOwner, root, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let content: string;
const readerPassword = 'the readers share this one';
const incident = '2026-09-19-database-corruption-outage';

/** The CLI against this server's database and content, as staff run it on the host. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, CONTENT_DIR: content, SITE_URL: server.url },
    input: readerPassword,
  });
}

test.beforeAll(async () => {
  content = join(mkdtempSync(join(tmpdir(), 'herald-private-')), 'content');
  cpSync(join(root, 'content'), content, { recursive: true });
  appendFileSync(join(content, 'page.yml'), '\nvisibility: private\nlanguages: [en, de]\nreaders:\n  email_domains: [example.com]\n');
  server = await startServer({ CONTENT_DIR: content, HERALD_WORKER: '0' });
  expect(cli('readers', 'password', '--password-stdin').status).toBe(0);
});

test.afterAll(async () => {
  await server?.stop();
});

const routes = {
  pages: ['/', `/incidents/${incident}`, '/history/2026-09', '/components/webmail', '/history', '/subscribe', '/de/', '/incidents/no-such-incident', '/no/such/page'],
  files: ['/feed.xml', '/components/webmail/feed.xml', '/badge.svg', '/components/webmail/badge.svg', '/maintenance.ics', '/history/2026-09/uptime.csv'],
  api: ['/api/v2/summary.json', '/api/v2/status.json', '/api/v2/components.json', '/api/v2/incidents.json', '/api/v2/scheduled-maintenances.json', '/history/2026-09/uptime.json'],
};

async function expectRefusedEverywhere(request: import('@playwright/test').APIRequestContext) {
  for (const method of ['GET', 'HEAD'] as const) {
    for (const path of routes.pages) {
      const answer = await request.fetch(`${server.url}${path}`, { method, maxRedirects: 0 });
      expect(answer.status(), `${method} ${path}`).toBe(303);
      expect(answer.headers().location, `${method} ${path}`).toMatch(/^(\/de)?\/reader\/login/);
      expect(answer.headers()['x-herald-cache']).toBeUndefined();
    }
    for (const path of routes.files) {
      const answer = await request.fetch(`${server.url}${path}`, { method, maxRedirects: 0 });
      expect(answer.status(), `${method} ${path}`).toBe(401);
      if (method === 'GET') expect(await answer.text()).not.toContain('Example Mail');
    }
    for (const path of routes.api) {
      const answer = await request.fetch(`${server.url}${path}`, { method, maxRedirects: 0 });
      expect(answer.status(), `${method} ${path}`).toBe(401);
      expect(answer.headers()['content-type']).toContain('application/json');
      expect(answer.headers()['cache-control']).toBe('no-store');
    }
  }
}

test('an anonymous visitor gets nothing of the page on any address', async ({ request }) => {
  await expectRefusedEverywhere(request);
  // The ways in stay open: the probe says its status alone, and a subscriber's own links need no sign-in.
  expect((await request.get(`${server.url}/reader/login`)).status()).toBe(200);
  const health = await request.get(`${server.url}/healthz`);
  expect(health.status()).toBe(200);
  expect(Object.keys(await health.json())).toEqual(['status']);
  const unsubscribe = await request.get(`${server.url}/unsubscribe?s=1&t=forged`, { maxRedirects: 0 });
  expect(unsubscribe.status()).not.toBe(303);
  // A visitor reading German is asked in German, and comes back to the German page.
  const german = await request.get(`${server.url}/de/history`, { maxRedirects: 0 });
  expect(german.headers().location).toBe(`/de/reader/login?next=${encodeURIComponent('/de/history')}`);
});

test('the sign-in sends nowhere but this site', async ({ page }) => {
  for (const next of ['/\\evil.example/', '//evil.example/', 'https://evil.example/', '/reader/logout']) {
    await page.context().clearCookies();
    await page.goto(`${server.url}/reader/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Reader password').fill(readerPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page, next).toHaveURL(`${server.url}/`);
  }
});

test('a reader signs in with the shared password, reads the page uncached, and an anonymous visitor still gets nothing', async ({ page, request }) => {
  await page.goto(`${server.url}/incidents/${incident}`);
  await expect(page).toHaveURL(/\/reader\/login\?next=%2Fincidents%2F/);
  await expect(page.getByRole('heading', { name: 'Private status page' })).toBeVisible();
  await page.getByLabel('Reader password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('That is not the reader password.');
  await expect(page.getByLabel('Reader password')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Reader password').fill(readerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${incident}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('corruption of the main database');

  for (const path of ['/', `/incidents/${incident}`, '/feed.xml', '/api/v2/summary.json', '/badge.svg']) {
    const answer = await page.request.get(`${server.url}${path}`);
    expect(answer.status(), path).toBe(200);
    expect(answer.headers()['cache-control'], path).toBe('no-store');
    expect(answer.headers()['x-herald-cache'], `${path} is never from the shared cache`).toBeUndefined();
  }
  // What the reader just read is not there for anyone else.
  await expectRefusedEverywhere(request);
});

/** The sign-in links mailed to `address` so far (MAIL_DIR beside the database, as the server writes them). */
function mailedLinks(address: string): string[] {
  const dir = join(dirname(server.db), 'mail');
  const mails = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
  return mails
    .filter((m) => m.includes(`To: ${address}`))
    .map((m) => /https?:\/\/\S+\/reader\/link\?t=[^\s"<]+/.exec(m.replace(/=\r?\n/g, '').replace(/=3D/g, '='))?.[0] ?? '')
    .filter(Boolean);
}

test('an address of the reader domains signs in with a mailed link, once; others are told the same and mailed nothing', async ({ page, browser }) => {
  await page.goto(`${server.url}/incidents/${incident}`);
  await page.getByLabel('Your email').fill('Reader@Example.com');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('status')).toContainText('If Reader@Example.com may read this page, a sign-in link is on its way');
  await expect.poll(() => mailedLinks('reader@example.com').length).toBe(1);
  // Another domain: the same words, and no mail.
  await page.getByLabel('Your email').fill('someone@elsewhere.example');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('status')).toContainText('If someone@elsewhere.example may read this page');
  expect(mailedLinks('someone@elsewhere.example')).toEqual([]);

  // Opening the link (as a mail scanner would) uses nothing; the press signs in and goes where the reader was going.
  const link = mailedLinks('reader@example.com')[0];
  const scanner = await browser.newPage();
  await scanner.goto(link);
  await scanner.close();
  await page.goto(link);
  await expect(page.getByText('Sign in as reader@example.com to read this page.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${incident}$`));
  await page.goto(`${server.url}/reader`);
  await expect(page.getByText('You are signed in as a reader (reader@example.com).')).toBeVisible();

  // Once only: another browser with the same link is told so at once, and a press sent anyway signs nobody in.
  const other = await browser.newPage();
  try {
    const opened = await other.goto(link);
    expect(opened!.status()).toBe(410);
    await expect(other.getByRole('alert')).toContainText('This sign-in link has expired or was used already.');
    const url = new URL(link);
    const pressed = await other.request.post(`${server.url}/reader/link`, {
      form: { t: url.searchParams.get('t')!, next: '/' },
      headers: { Origin: server.url },
      maxRedirects: 0,
    });
    expect(pressed.status()).toBe(410);
    await other.goto(`${server.url}/`);
    await expect(other).toHaveURL(/\/reader\/login$/);
  } finally {
    await other.close();
  }
  // A made-up link: refused, 410.
  expect((await page.request.get(`${server.url}/reader/link?t=bm9ib2R5.9999999999999.forged`)).status()).toBe(410);

  // The domain leaves readers.email_domains (the content is read again on change): the link's reader reads no more.
  const pageFile = join(content, 'page.yml');
  const before = readFileSync(pageFile, 'utf8');
  writeFileSync(pageFile, before.replace('email_domains: [example.com]', 'email_domains: [other.example]'));
  try {
    await expect.poll(async () => (await page.request.get(`${server.url}/feed.xml`, { maxRedirects: 0 })).status(), { timeout: 15_000 }).toBe(401);
  } finally {
    writeFileSync(pageFile, before);
  }
  await expect.poll(async () => (await page.request.get(`${server.url}/feed.xml`, { maxRedirects: 0 })).status(), { timeout: 15_000 }).toBe(200);
});

test("a reader's token opens the feeds, calendar, badges and API for their apps, until revoked", async ({ page, request }) => {
  await page.goto(`${server.url}/reader/login`);
  await page.getByLabel('Reader password').fill(readerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`${server.url}/reader`);
  const feed = await page.locator('code', { hasText: '/feed.xml?token=' }).innerText();
  const token = decodeURIComponent(new URL(feed).searchParams.get('token')!);
  for (const path of [...routes.files, ...routes.api]) {
    expect((await request.get(`${server.url}${path}?token=${encodeURIComponent(token)}`)).status(), path).toBe(200);
    expect((await request.get(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).status(), path).toBe(200);
  }
  expect((await request.get(`${server.url}/feed.xml?token=${encodeURIComponent(`${token.slice(0, -2)}xx`)}`)).status()).toBe(401);

  expect(cli('readers', 'revoke').status).toBe(0);
  expect((await request.get(`${server.url}/feed.xml?token=${encodeURIComponent(token)}`)).status()).toBe(401);
  // The browser's reader cookie ended with it.
  await page.goto(`${server.url}/`);
  await expect(page).toHaveURL(/\/reader\/login$/);
});

test('staff read the private page with their console session', async ({ page }) => {
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page).toHaveURL(`${server.url}/`);
});

test('the static export and the mirror refuse a private page unless asked', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'herald-private-export-')), 'site');
  const refused = cli('export', dir);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toContain('the page is private');
  expect(existsSync(dir)).toBe(false);
  const mirror = cli('mirror', dir);
  expect(mirror.status).toBe(2);
  expect(mirror.stderr).toContain('a mirror would publish it');

  const asked = cli('export', dir, '--include-private');
  expect(asked.status, asked.stderr).toBe(0);
  const home = readFileSync(join(dir, 'index.html'), 'utf8');
  expect(home).toContain('Example Mail');
  expect(home).not.toContain('Reader password');
  expect(readFileSync(join(dir, 'incidents', incident, 'index.html'), 'utf8')).toContain('corruption of the main database');
});
