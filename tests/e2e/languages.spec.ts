// A page offered in every shipped language (content/page.yml: languages):
// /de/ reads in German with lang="de", /ar/ right to left, / stays English;
// each language is cached on its own address, so no visitor gets a cached page
// in another language, and `/` sends a browser arriving from elsewhere to its
// language, never from a cache; the console, the APIs and a language the page
// does not offer are not found under a language's prefix; every language's
// pages pass axe at 360 px.
import AxeBuilder from '@axe-core/playwright';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from './fixtures';
import { herald, logInAsOwner, root, startServer, type RunningServer } from './server';
import { localeCodes } from '../../src/lib/i18n/locales';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { spawnSync } from 'node:child_process';

let server: RunningServer;
let contentDir = '';
/** Every language Herald ships: all but the pseudo-language, which has its own spec. */
const shipped = localeCodes.filter((code) => code !== 'en-XA');

test.beforeAll(async () => {
  const content = join(mkdtempSync(join(tmpdir(), 'herald-languages-')), 'content');
  cpSync(join(root, 'content'), content, { recursive: true });
  writeFileSync(join(content, 'page.yml'), `${readFileSync(join(content, 'page.yml'), 'utf8')}languages: [${shipped.join(', ')}]\ndefault_language: en\n`);
  contentDir = content;
  server = await startServer({ CONTENT_DIR: content });
});
test.afterAll(async () => {
  await server?.stop();
});

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

test('each language at its own address, cached apart, with alternates and a switcher', async () => {
  const german = await get('/de/');
  expect(german.status).toBe(200);
  const html = await german.text();
  expect(html).toMatch(/<html lang="de" dir="ltr"/);
  expect(html).toContain('>Komponenten</h2>');
  expect(html).toContain('>Updates erhalten</h2>');
  // Whole addresses on SITE_URL, as search engines take alternates.
  expect(html).toContain(`hreflang="en" href="${server.url}/"`);
  expect(html).toContain(`hreflang="ar" href="${server.url}/ar/"`);
  expect(html).toContain(`hreflang="x-default" href="${server.url}/"`);
  expect(html).toMatch(/<span aria-current="page" lang="de">Deutsch<\/span>/);
  // Asked again: from the cache (once the minute the banner shows has not turned in between), still German; and / is still English.
  let again = await get('/de/');
  await expect.poll(async () => (again = await get('/de/')).headers.get('x-herald-cache')).toBe('hit');
  expect(await again.text()).toContain('>Komponenten</h2>');
  // Following a link on the site to `/` (the language list's "English"): English, whatever the browser prefers.
  for (let i = 0; i < 2; i++) {
    const english = await get('/', { headers: { 'Accept-Language': 'de', 'Sec-Fetch-Site': 'same-origin' } });
    const text = await english.text();
    expect(text).toMatch(/<html lang="en" dir="ltr"/);
    expect(text).toContain('>Components</h2>');
    expect(english.headers.get('vary')).toBe('Accept-Language, Sec-Fetch-Site, Accept-Encoding');
  }
  const arabic = await (await get('/ar/')).text();
  expect(arabic).toMatch(/<html lang="ar" dir="rtl"/);
  expect(arabic).toContain('>المكونات</h2>');
  // HEAD answers like GET, without the body.
  const head = await get('/de/', { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
});

test('/ sends a browser arriving from elsewhere to its language, and no cache can hand that answer to another browser', async () => {
  // / is in the render cache (the test above put it there; asked again should the minute the banner shows have turned), in English.
  await expect.poll(async () => (await get('/', { headers: { 'Sec-Fetch-Site': 'same-origin' } })).headers.get('x-herald-cache')).toBe('hit');
  const cases: [string | null, string | null][] = [
    ['de-AT,de;q=0.9,en;q=0.5', '/de/'],
    ['ja', '/ja/'],
    ['pt', '/pt-BR/'],
    ['fr-CA;q=0.8, ar;q=0.9', '/ar/'],
    ['en-US,en;q=0.9,de;q=0.8', null],
    ['ko, zh;q=0.5', null],
    [null, null],
  ];
  for (const [languages, location] of cases) {
    for (const site of ['none', 'cross-site', undefined]) {
      const headers: Record<string, string> = {};
      if (languages) headers['Accept-Language'] = languages;
      if (site) headers['Sec-Fetch-Site'] = site;
      const response = await get('/', { headers });
      const label = `${languages} from ${site}`;
      if (location) {
        expect(response.status, label).toBe(302);
        expect(response.headers.get('location'), label).toBe(location);
        expect(response.headers.get('cache-control'), label).toBe('private, no-cache');
        expect(response.headers.get('vary'), label).toBe('Accept-Language, Sec-Fetch-Site');
        expect(response.headers.get('content-security-policy'), label).toContain("default-src 'self'");
      } else {
        expect(response.status, label).toBe(200);
        expect(await response.text(), label).toMatch(/<html lang="en"/);
        expect(response.headers.get('vary'), label).toContain('Accept-Language');
      }
    }
  }
  // Without Sec-Fetch-Site (plain HTTP, older browsers), the Referer tells a link on this site from one elsewhere.
  const host = new URL(server.url).host;
  expect((await get('/', { headers: { 'Accept-Language': 'de', Referer: `${server.url}/de/` } })).status).toBe(200);
  const fromElsewhere = await get('/', { headers: { 'Accept-Language': 'de', Referer: 'https://search.example/?q=status' } });
  expect([fromElsewhere.status, fromElsewhere.headers.get('location')]).toEqual([302, '/de/']);
  expect(host).toBeTruthy();
  // A language's own address is never redirected, whatever the browser prefers.
  const german = await get('/de/', { headers: { 'Accept-Language': 'ja' } });
  expect(german.status).toBe(200);
  expect(await german.text()).toMatch(/<html lang="de"/);
  expect((await get('/history', { headers: { 'Accept-Language': 'de' } })).status).toBe(200);
  // HEAD like GET.
  const head = await get('/', { method: 'HEAD', headers: { 'Accept-Language': 'de' } });
  expect([head.status, head.headers.get('location')]).toEqual([302, '/de/']);
});

test('an open incident on /de/ and its own page read in German, linking within the language', async () => {
  const slug = herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'major', '--component', 'webmail', '--message', 'Looking into it.').split('\n')[0];
  let html = '';
  await expect.poll(async () => (html = await (await get('/de/')).text())).toContain('Webmail slow');
  expect(html).toContain('Erhebliche Auswirkung');
  expect(html).toContain(`href="/de/incidents/${slug}"`);
  expect(html).toMatch(/Betrifft Web interface/);
  expect(html).toMatch(/<strong>Wird untersucht<\/strong> · aktualisiert <time/);
  const incident = await (await get(`/de/incidents/${slug}`)).text();
  expect(incident).toMatch(/<html lang="de"/);
  expect(incident).toContain('Wird untersucht');
  expect(incident).toContain(`hreflang="en" href="${server.url}/incidents/`);
  const english = await (await get('/')).text();
  expect(english).toContain('Major impact');
  expect(english).toContain(`href="/incidents/${slug}"`);
});

test('staff translate through the API: the German page, feed and history read German, and say what is not translated yet', async () => {
  const db = openDatabase(server.db);
  const token = createApiToken(db, { label: 'e2e', userId: null }, { name: 'translator', scope: 'write' });
  db.$client.close();
  const api = (path: string, method: string, body: unknown) =>
    fetch(`${server.url}/api/admin${path}`, { method, headers: { Authorization: `Bearer ${token.secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const created = await api('/incidents', 'POST', {
    title: 'Logins fail',
    impact: 'major',
    message: 'We are looking into failing logins.',
    components: [{ id: 'webmail', status: 'major_outage' }],
    translations: { de: { title: 'Anmeldungen scheitern', message: 'Wir untersuchen die fehlschlagenden Anmeldungen.' } },
  });
  expect(created.status).toBe(201);
  const incident = await created.json();
  expect(incident.translations).toEqual({ de: 'Anmeldungen scheitern' });
  const posted = await api(`/incidents/${incident.id}/updates`, 'POST', { status: 'identified', message: 'A certificate expired.' });
  const update = await posted.json();
  expect(update.translations).toEqual({});

  // German readers: the title and first update in German, the second in English, marked and noted.
  let html = '';
  await expect.poll(async () => (html = await (await get(`/de/incidents/${incident.id}`)).text())).toContain('A certificate expired.');
  expect(html).toContain('<h1>Anmeldungen scheitern</h1>');
  expect(html).toContain('Wir untersuchen die fehlschlagenden Anmeldungen.');
  expect(html).toMatch(/<div class="prose" lang="en"><p>A certificate expired\.<\/p>/);
  expect(html).toContain('Noch nicht übersetzt: auf <span lang="en">English</span> angezeigt.');
  // Everyone else: English, no note.
  const english = await (await get(`/incidents/${incident.id}`)).text();
  expect(english).toContain('<h1>Logins fail</h1>');
  expect(english).not.toContain('übersetzt');
  const french = await (await get(`/fr/incidents/${incident.id}`)).text();
  expect(french).toMatch(/<h1 lang="en">Logins fail<\/h1>/);
  expect(french).toContain('Pas encore traduit');

  // Translated afterwards: the note goes, the cached page with it.
  const translated = await api(`/incidents/${incident.id}/translations/de`, 'PUT', { updates: [{ id: update.id, message: 'Ein Zertifikat ist abgelaufen.' }] });
  expect(translated.status).toBe(200);
  expect((await translated.json()).updates[0].translations).toEqual({ de: 'Ein Zertifikat ist abgelaufen.' });
  await expect.poll(async () => (html = await (await get(`/de/incidents/${incident.id}`)).text())).toContain('Ein Zertifikat ist abgelaufen.');
  expect(html).not.toContain('übersetzt');
  // A language the page does not offer, or a field that is not one: JSON errors naming it.
  const refused = await api(`/incidents/${incident.id}/translations/ko`, 'PUT', { title: '로그인 실패' });
  expect(refused.status).toBe(422);
  expect((await refused.json()).error).toMatchObject({ field: 'translations.ko' });
  expect((await api(`/incidents/${incident.id}/translations/de`, 'PUT', { titel: 'x' })).status).toBe(422);

  // The German feed, and the history, in German.
  const feed = await get('/de/feed.xml');
  expect(feed.headers.get('content-type')).toMatch(/rss/);
  const xml = await feed.text();
  expect(xml).toMatch(/<language>(<!\[CDATA\[)?de(\]\]>)?<\/language>/);
  expect(xml).toContain('<title>Anmeldungen scheitern — Ursache gefunden</title>');
  expect(xml).toContain(`${server.url.replace(/\/$/, '')}/de/incidents/${incident.id}#update-`);
  expect(await (await get('/feed.xml')).text()).toContain('<title>Logins fail — Identified</title>');
  expect(await (await get('/de/history')).text()).toContain('>Anmeldungen scheitern</a>');
});

test('a visitor subscribing from /de/ gets the German confirmation, and its links lead to the German pages', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/de/');
  await page.getByLabel('E-Mail-Adresse').fill('anna@example.com');
  await page.getByRole('button', { name: 'Abonnieren' }).click();
  await expect(page.locator('h1')).toHaveText('Sehen Sie in Ihr Postfach');
  expect(new URL(page.url()).pathname).toBe('/de/subscribe');
  // On /de/subscribe the language can be chosen; it starts as the page's.
  await page.goto('/ja/subscribe');
  await expect(page.getByLabel('メールの言語')).toHaveValue('ja');
  const mailDir = join(dirname(server.db), 'mail');
  let mail = '';
  await expect
    .poll(() => {
      const files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
      mail = files.map((f) => readFileSync(join(mailDir, f), 'utf8')).find((m) => m.includes('anna@example.com')) ?? '';
      return mail;
    })
    .toContain('Abonnement');
  const link = /https?:\/\/[^\s]+\/de\/subscribe\/confirm\?s=\d+&t=[\w-]+/.exec(mail.replace(/=\r?\n/g, '').replace(/=3D/g, '='))?.[0];
  expect(link, mail).toBeTruthy();
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await page.getByRole('button', { name: 'Bestätigen' }).click();
  await expect(page.locator('h1')).toHaveText('Sie haben abonniert');
  await context.close();
});

test('in the console, an update carries its German text, and the incident is translated afterwards, fields kept on a mistake', async ({ page }) => {
  await logInAsOwner(page, server);
  const slug = herald(server.db, 'incident', 'create', '--title', 'Search is slow', '--impact', 'minor', '--message', 'Searching takes long.').split('\n')[0];
  await page.goto(`${server.url}/admin/incidents/${slug}`);
  await page.getByLabel('Message', { exact: true }).fill('Cause found: an index.');
  await page.getByLabel('Message in Deutsch (optional)').fill('Ursache gefunden: ein Index.');
  await page.getByLabel('Message in Français (optional)').fill('x'.repeat(20_001));
  await page.getByRole('button', { name: 'Post update' }).click();
  // Refused, naming the field; what was typed is still there.
  await expect(page.locator('#translation-fr-error')).toContainText('longer than 20000 characters');
  await expect(page.getByLabel('Message in Deutsch (optional)')).toHaveValue('Ursache gefunden: ein Index.');
  await page.getByLabel('Message in Français (optional)').fill('');
  await page.getByRole('button', { name: 'Post update' }).click();
  await expect(page.getByText('Update posted.')).toBeVisible();

  const german = page.locator('form', { has: page.getByRole('heading', { name: 'Deutsch' }) });
  await german.getByLabel('Title').fill('Die Suche ist langsam');
  await german.getByRole('textbox').nth(2).fill('Die Suche dauert lange.');
  await german.getByRole('button', { name: 'Save the Deutsch translation' }).click();
  await expect(page.getByText('Translation saved.')).toBeVisible();
  let html = '';
  await expect.poll(async () => (html = await (await get(`/de/incidents/${slug}`)).text())).toContain('<h1>Die Suche ist langsam</h1>');
  expect(html).toContain('Ursache gefunden: ein Index.');
  expect(html).toContain('Die Suche dauert lange.');
  expect(html).not.toContain('übersetzt');
});

test('the static export has every language the page offers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-languages-export-'));
  const exported = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'export', dir], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: server.db, CONTENT_DIR: contentDir, SITE_URL: 'https://status.example.com' },
  });
  expect(exported.status, exported.stderr).toBe(0);
  for (const locale of shipped.filter((l) => l !== 'en')) {
    for (const file of ['index.html', 'history/index.html', 'feed.xml', 'components/webmail/index.html']) {
      expect(existsSync(join(dir, locale, file)), `${locale}/${file}`).toBe(true);
    }
    expect(readFileSync(join(dir, locale, 'index.html'), 'utf8')).toContain(`<html lang="${locale}"`);
    expect(readdirSync(join(dir, locale, 'incidents')).length).toBeGreaterThan(0);
  }
  expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<html lang="en"');
});

test('the public JSON API in a language: the status in its words, staff\'s where translated; the plain one in Statuspage\'s English', async () => {
  const plain = await (await get('/api/v2/summary.json')).json();
  const german = await get('/de/api/v2/summary.json');
  expect(german.status).toBe(200);
  expect(german.headers.get('access-control-allow-origin')).toBe('*');
  const body = await german.json();
  expect(plain.status.description).toMatch(/^(All Systems Operational|Major Service Outage|Partial System Outage|Partially Degraded Service|Minor Service Outage|Service Under Maintenance)$/);
  expect(body.status.indicator).toBe(plain.status.indicator);
  expect(body.status.description).not.toBe(plain.status.description);
  const translatedIncident = body.incidents.find((i: { name: string }) => i.name === 'Anmeldungen scheitern');
  expect(translatedIncident?.shortlink).toMatch(/\/de\/incidents\//);
  expect(plain.incidents.some((i: { name: string }) => i.name === 'Logins fail')).toBe(true);
  const preflight = await get('/de/api/v2/summary.json', { method: 'OPTIONS', headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET' } });
  expect(preflight.status).toBe(204);
});

test('under a language, only pages and the public JSON API exist: not the console, the staff API, files, or a language the page does not offer', async () => {
  for (const path of ['/de/admin', '/de/admin/login', '/de/api/admin/incidents', '/de/healthz', '/de/brand/x.svg', '/en-XA/', '/en-XA/history', '/de/de/', '/xx/', '/de/api/v2/nothing.json']) {
    expect((await get(path)).status, path).toBe(404);
  }
  expect((await get('/de/history')).status).toBe(200);
  expect((await get('/de/subscribe')).status).toBe(200);
  expect((await get('/de/subscribe')).headers.get('cache-control')).toBe('no-store');
});

for (const locale of shipped) {
  test(`${locale}: every public page has no WCAG A/AA violations at 360 px and no sideways scrolling`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, baseURL: server.url });
    const page = await context.newPage();
    const prefix = locale === 'en' ? '' : `/${locale}`;
    const month = new Date().toISOString().slice(0, 7);
    const incident = (await (await get('/api/v2/incidents.json')).json()).incidents[0]?.id as string | undefined;
    const paths = ['/', '/history', `/history/${month}`, '/components/webmail', '/subscribe', '/subscribe/chat', '/subscribe/webhook', '/no-such-page', ...(incident ? [`/incidents/${incident}`] : [])];
    for (const path of paths) {
      const address = path === '/' ? `${prefix}/` : `${prefix}${path}`;
      await page.goto(address);
      expect(await page.getAttribute('html', 'lang'), address).toBe(locale);
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      expect(result.violations.map((v) => `${address} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), address).toBeLessThanOrEqual(360);
    }
    await context.close();
  });
}
