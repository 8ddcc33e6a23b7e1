// A page offered in English, German and Arabic (content/page.yml: languages):
// /de/ reads in German with lang="de", /ar/ right to left, / stays English;
// each language is cached on its own address, so no visitor gets a cached page
// in another language; the console, the APIs and a language the page does not
// offer are not found under a language's prefix; the pages pass axe at 360 px.
import AxeBuilder from '@axe-core/playwright';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { herald, root, startServer, type RunningServer } from './server';

let server: RunningServer;

test.beforeAll(async () => {
  const content = join(mkdtempSync(join(tmpdir(), 'herald-languages-')), 'content');
  cpSync(join(root, 'content'), content, { recursive: true });
  writeFileSync(join(content, 'page.yml'), `${readFileSync(join(content, 'page.yml'), 'utf8')}languages: [en, de, ar]\ndefault_language: en\n`);
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
  expect(html).toContain('hreflang="en" href="/"');
  expect(html).toContain('hreflang="ar" href="/ar/"');
  expect(html).toContain('hreflang="x-default" href="/"');
  expect(html).toMatch(/<span aria-current="page" lang="de">Deutsch<\/span>/);
  // Asked again: from the cache, still German; and / is still English.
  const again = await get('/de/');
  expect(again.headers.get('x-herald-cache')).toBe('hit');
  expect(await again.text()).toContain('>Komponenten</h2>');
  for (let i = 0; i < 2; i++) {
    const english = await get('/', { headers: { 'Accept-Language': 'de' } });
    const text = await english.text();
    expect(text).toMatch(/<html lang="en" dir="ltr"/);
    expect(text).toContain('>Components</h2>');
  }
  const arabic = await (await get('/ar/')).text();
  expect(arabic).toMatch(/<html lang="ar" dir="rtl"/);
  expect(arabic).toContain('>المكونات</h2>');
  // HEAD answers like GET, without the body.
  const head = await get('/de/', { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
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
  expect(incident).toContain('hreflang="en" href="/incidents/');
  const english = await (await get('/')).text();
  expect(english).toContain('Major impact');
  expect(english).toContain(`href="/incidents/${slug}"`);
});

test('under a language, only pages exist: not the console, the APIs, files, or a language the page does not offer', async () => {
  for (const path of ['/de/admin', '/de/admin/login', '/de/api/v2/summary.json', '/de/api/admin/incidents', '/de/healthz', '/de/brand/x.svg', '/fr/', '/ja/history', '/de/de/']) {
    expect((await get(path)).status, path).toBe(404);
  }
  expect((await get('/de/history')).status).toBe(200);
  expect((await get('/de/subscribe')).status).toBe(200);
  expect((await get('/de/subscribe')).headers.get('cache-control')).toBe('no-store');
});

for (const path of ['/de/', '/ar/']) {
  test(`${path} has no WCAG A/AA violations at 360 px and no sideways scrolling`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, baseURL: server.url });
    const page = await context.newPage();
    await page.goto(path);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await context.close();
  });
}
