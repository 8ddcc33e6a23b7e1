// A page with its own brand (content/page.yml's brand, served from a copy of
// the example content through CONTENT_DIR): logo, accent, favicon, custom CSS
// and footer links, all from Herald's own origin, with the CSP unchanged.
import AxeBuilder from '@axe-core/playwright';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { contentSecurityPolicy } from '../../src/lib/server/http/security-headers';
import { expect, test } from './fixtures';
import { root, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  const content = join(mkdtempSync(join(tmpdir(), 'herald-brand-')), 'content');
  cpSync(join(root, 'content'), content, { recursive: true });
  mkdirSync(join(content, 'brand'));
  writeFileSync(join(content, 'brand/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" rx="2" fill="#6f42c1"/></svg>');
  writeFileSync(join(content, 'brand/icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#6f42c1"/></svg>');
  writeFileSync(join(content, 'brand/custom.css'), '.site-footer { border-top: 4px solid var(--accent); }\n');
  writeFileSync(
    join(content, 'page.yml'),
    `${readFileSync(join(content, 'page.yml'), 'utf8')}brand:\n  logo: brand/logo.svg\n  favicon: brand/icon.svg\n  accent: "#6f42c1"\n  accent_dark: "#d2a8ff"\n  stylesheet: brand/custom.css\nfooter_links:\n  - label: Privacy\n    url: https://mail.example.com/privacy\n`,
  );
  server = await startServer({ CONTENT_DIR: content });
});
test.afterAll(async () => server?.stop());

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the brand shows on every public page, from Herald's origin, the CSP unchanged (${colorScheme})`, async ({ page }) => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.emulateMedia({ colorScheme });
    const response = await page.goto(server.url);
    expect(response!.headers()['content-security-policy']).toBe(contentSecurityPolicy);
    const logo = page.locator('.site-name img.logo');
    await expect(logo).toHaveAttribute('alt', 'Example Mail');
    await expect(logo).toHaveAttribute('src', /^\/brand\/logo-[0-9a-f]{12}\.svg$/);
    expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect(page.getByRole('link', { name: 'Example Mail status' }).first()).toBeVisible();
    await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', /^\/brand\/favicon-[0-9a-f]{12}\.svg$/);
    // The accent is the header action's colour; the custom stylesheet's rule applies.
    const accent = colorScheme === 'light' ? 'rgb(111, 66, 193)' : 'rgb(210, 168, 255)';
    expect(await page.getByRole('link', { name: 'Subscribe to updates' }).evaluate((a) => getComputedStyle(a).backgroundColor)).toBe(accent);
    expect(await page.locator('.site-footer').evaluate((f) => getComputedStyle(f).borderTopWidth)).toBe('4px');
    await expect(page.getByRole('navigation', { name: 'More' }).getByRole('link', { name: 'Privacy' })).toHaveAttribute('href', 'https://mail.example.com/privacy');
    // Nothing asked of another site, and the page still passes axe (contrast included).
    expect(requests.filter((url) => !url.startsWith(server.url))).toEqual([]);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });
}

test('brand files are kept for good under their hashed names; other names are 404; HEAD answers like GET', async ({ request }) => {
  const html = await (await request.get(server.url)).text();
  for (const path of [...html.matchAll(/(?:src|href)="(\/brand\/[^"]+)"/g)].map((m) => m[1])) {
    const file = await request.get(`${server.url}${path}`);
    expect(file.status(), path).toBe(200);
    expect(file.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(file.headers()['content-security-policy']).toBe(contentSecurityPolicy);
    expect(file.headers()['content-type']).toMatch(path.endsWith('.css') ? /^text\/css/ : /^image\/svg\+xml/);
    const head = await request.head(`${server.url}${path}`);
    expect(head.status()).toBe(200);
    expect(await head.body()).toHaveLength(0);
    expect(head.headers()['etag']).toBe(file.headers()['etag']);
  }
  for (const path of ['/brand/logo-000000000000.svg', '/brand/', '/brand/..%2Fpage.yml']) expect((await request.get(`${server.url}${path}`)).status(), path).toBe(404);
});
