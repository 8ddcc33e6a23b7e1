// The page's brand from content/page.yml: files read from content/ and named
// by their hash, the accent checked for contrast, and what may not be served
// from Herald's origin refused, naming the file and the field.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContentFolder } from '../../src/lib/content/index';
import { contrastRatio } from '../../src/lib/contrast';
import { contentFolder } from '../../src/lib/server/paths';
import { tempDir } from '../helpers/temp-db';

const logo = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#6f42c1"/></svg>';

/** A copy of the example content with this brand in page.yml and these files beside it. */
function brandedContent(brand: string, files: Record<string, string> = {}): string {
  const dir = join(tempDir(), 'content');
  cpSync(contentFolder, dir, { recursive: true });
  writeFileSync(join(dir, 'page.yml'), `${readFileSync(join(dir, 'page.yml'), 'utf8')}${brand}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('brand', () => {
  it('measures contrast as WCAG does', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#0550ae', '#ffffff')).toBeGreaterThan(4.5);
  });

  it('names each file by its content, and writes the accents and the custom stylesheet into one stylesheet', () => {
    const dir = brandedContent(
      'brand:\n  logo: brand/logo.svg\n  favicon: brand/icon.svg\n  accent: "#6f42c1"\n  stylesheet: brand/custom.css\nfooter_links:\n  - label: Privacy\n    url: https://mail.example.com/privacy\n',
      { 'brand/logo.svg': logo, 'brand/icon.svg': logo, 'brand/custom.css': '.site-name { letter-spacing: 0.02em; }\n' },
    );
    const content = readContentFolder(dir);
    expect(content.page.assets).toEqual({ logo: expect.stringMatching(/^\/brand\/logo-[0-9a-f]{12}\.svg$/), favicon: expect.stringMatching(/^\/brand\/favicon-[0-9a-f]{12}\.svg$/), stylesheet: expect.stringMatching(/^\/brand\/style-[0-9a-f]{12}\.css$/) });
    expect(content.brand.logo!.type).toBe('image/svg+xml');
    const css = content.brand.stylesheet!.body.toString();
    expect(css).toContain('--brand-accent: #6f42c1;');
    // #6f42c1 under dark text reads poorly: dark mode keeps Herald's own accent.
    expect(css).not.toContain('--brand-accent-dark');
    expect(css).toContain('letter-spacing: 0.02em');
    expect(content.page.footer_links).toEqual([{ label: 'Privacy', url: 'https://mail.example.com/privacy' }]);
    // Another logo, another name: browsers keep each for good.
    writeFileSync(join(dir, 'brand/logo.svg'), logo.replace('r="4"', 'r="3"'));
    expect(readContentFolder(dir).page.assets!.logo).not.toBe(content.page.assets!.logo);
  });

  it('refuses what it cannot serve safely or readably, naming the file and field', () => {
    const refused = (brand: string, files: Record<string, string> = {}) => {
      try {
        readContentFolder(brandedContent(brand, files));
      } catch (error) {
        return (error as Error).message;
      }
      return 'read';
    };
    expect(refused('brand:\n  accent: "#ffcc00"\n')).toMatch(/^content\/page\.yml: brand\.accent: #ffcc00 under white text has a contrast of 1\.\d\d:1; it needs 4\.5:1/);
    expect(refused('brand:\n  accent_dark: "#0550ae"\n')).toMatch(/^content\/page\.yml: brand\.accent_dark: .*choose a lighter colour/);
    expect(refused('brand:\n  accent: purple\n')).toMatch(/brand\.accent: a colour as #rrggbb/);
    expect(refused('brand:\n  logo: brand/missing.svg\n')).toBe('content/page.yml: brand.logo: content/brand/missing.svg does not exist');
    expect(refused('brand:\n  logo: ../../etc/passwd.svg\n')).toMatch(/brand\.logo: a path under content\//);
    expect(refused('brand:\n  logo: brand/logo.gif\n')).toMatch(/brand\.logo: a \.svg, \.png, \.webp, \.jpg, \.jpeg file/);
    expect(refused('brand:\n  logo: brand/logo.svg\n', { 'brand/logo.svg': logo.replace('<circle', '<script>alert(1)</script><circle') })).toMatch(/brand\.logo: content\/brand\/logo\.svg has scripts/);
    expect(refused('brand:\n  logo: brand/logo.svg\n', { 'brand/logo.svg': logo.replace('<circle', '<image href="https://tracker.example/x.png"/><circle') })).toMatch(/or links/);
    expect(refused('brand:\n  stylesheet: brand/c.css\n', { 'brand/c.css': '@import url("https://fonts.example/x.css");' })).toMatch(/brand\.stylesheet: .*loads something/);
    expect(refused('brand:\n  logo: brand/big.png\n', { 'brand/big.png': 'x'.repeat(600 * 1024) })).toMatch(/is over 512 kB/);
    expect(refused('footer_links:\n  - label: Evil\n    url: javascript:alert(1)\n')).toMatch(/footer_links\.0\.url/);
  });
});

describe('brand files that are not plain files inside content/', () => {
  it('refuses a link, even to a file that looks empty', async () => {
    const { symlinkSync } = await import('node:fs');
    const dir = brandedContent('brand:\n  logo: brand/logo.png\n');
    mkdirSync(join(dir, 'brand'), { recursive: true });
    symlinkSync('/proc/self/environ', join(dir, 'brand/logo.png'));
    expect(() => readContentFolder(dir)).toThrow(/brand\.logo: content\/brand\/logo\.png is not a plain file inside content\//);
  });

  it('refuses SVG tricks that hide a script, and CSS that would load anything', () => {
    for (const svg of ['<svg:script>x</svg:script>', '<a href="javascript&#58;x"/>', '<use href="https://x.example/a.svg#b"/>', '<html:iframe xmlns:html="http://www.w3.org/1999/xhtml"/>']) {
      const dir = brandedContent('brand:\n  logo: brand/logo.svg\n', { 'brand/logo.svg': logo.replace('<circle', `${svg}<circle`) });
      expect(() => readContentFolder(dir), svg).toThrow(/brand\.logo: .*plain drawing/);
    }
    for (const css of ['a { background: url(/x.png) }', 'a { background: image-set("https://x.example/a.png" 1x) }', 'a { background: \\75 rl(https://x.example) }']) {
      const dir = brandedContent('brand:\n  stylesheet: brand/c.css\n', { 'brand/c.css': css });
      expect(() => readContentFolder(dir), css).toThrow(/brand\.stylesheet/);
    }
    const dataUrl = brandedContent('brand:\n  stylesheet: brand/c.css\n', { 'brand/c.css': 'a { background: url("data:image/png;base64,AAAA") }' });
    expect(readContentFolder(dataUrl).brand.stylesheet).not.toBeNull();
  });
});
