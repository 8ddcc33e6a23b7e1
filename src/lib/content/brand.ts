// The page's brand from content/page.yml's `brand`: the logo, favicon and
// custom stylesheet files read from content/, checked, and named by their
// content's hash so browsers keep them until they change. Herald serves them
// itself (/brand/…), so the CSP stays 'self' and no visitor's browser asks
// another site.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { accentText, type BrandUrls, type PageSettings } from './catalog';
import { contrastRatio, minimumContrast } from '../contrast';
import { ContentError } from './incident-file';

/** A brand file as served. */
export interface BrandFile {
  /** Its name under /brand/, with its hash: logo-3f2a9c1b.svg. */
  name: string;
  type: string;
  body: Buffer;
}

export interface BrandFiles {
  logo: BrandFile | null;
  favicon: BrandFile | null;
  /** The accent colours and the custom stylesheet, one file. */
  stylesheet: BrandFile | null;
}

export const noBrand: BrandFiles = { logo: null, favicon: null, stylesheet: null };

const types: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  webp: 'image/webp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  ico: 'image/x-icon',
  css: 'text/css; charset=utf-8',
};
const maxImageBytes = 512 * 1024;
const maxStylesheetBytes = 100 * 1024;
const pageFile = 'content/page.yml';

const named = (kind: string, ext: string, body: Buffer): BrandFile => ({
  name: `${kind}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`,
  type: types[ext],
  body,
});

function readFile(folder: string, field: string, path: string, limit: number): Buffer {
  const full = join(folder, path);
  if (!existsSync(full) || !statSync(full).isFile()) throw new ContentError(pageFile, field, `content/${path} does not exist`);
  if (statSync(full).size > limit) throw new ContentError(pageFile, field, `content/${path} is over ${limit / 1024} kB`);
  return readFileSync(full);
}

/** An SVG is a document: one with script, event handlers or links out is refused rather than served from our origin. */
function checkSvg(field: string, path: string, body: Buffer): void {
  const text = body.toString('utf8');
  const found = [/<script/i, /\son[a-z]+\s*=/i, /javascript:/i, /<foreignObject/i, /(href|src)\s*=\s*["']\s*(https?:)?\/\//i].find((pattern) => pattern.test(text));
  if (found) throw new ContentError(pageFile, field, `content/${path} has scripts, event handlers or links to other sites (${found.source}); export it as a plain drawing`);
}

/** Custom CSS loads nothing from elsewhere: the CSP would block it, and visitors' browsers would ask another site. */
function checkStylesheet(path: string, css: string): void {
  if (/@import/i.test(css) || /url\(\s*["']?\s*(https?:)?\/\//i.test(css)) {
    throw new ContentError(pageFile, 'brand.stylesheet', `content/${path} loads from another site (@import or url(…//…)); keep it to rules of its own`);
  }
}

/** Reads and checks the brand page.yml names. */
export function readBrand(folder: string, page: PageSettings): { files: BrandFiles; urls: BrandUrls } {
  const brand = page.brand;
  if (!brand) return { files: noBrand, urls: { logo: null, favicon: null, stylesheet: null } };
  const image = (kind: 'logo' | 'favicon', path: string | undefined) => {
    if (!path) return null;
    const body = readFile(folder, `brand.${kind}`, path, maxImageBytes);
    const ext = path.toLowerCase().split('.').pop()!;
    if (ext === 'svg') checkSvg(`brand.${kind}`, path, body);
    return named(kind, ext, body);
  };
  const logo = image('logo', brand.logo);
  const favicon = image('favicon', brand.favicon);
  let css = '';
  // In dark mode the light accent stands in only if dark text on it reads too; otherwise Herald's own blue stays.
  const dark = brand.accent_dark ?? (brand.accent && contrastRatio(brand.accent, accentText.dark) >= minimumContrast ? brand.accent : undefined);
  if (brand.accent) css += `:root { --brand-accent: ${brand.accent}; }\n`;
  if (dark) css += `@media (prefers-color-scheme: dark) { :root { --brand-accent-dark: ${dark}; } }\n`;
  if (brand.stylesheet) {
    const own = readFile(folder, 'brand.stylesheet', brand.stylesheet, maxStylesheetBytes).toString('utf8');
    checkStylesheet(brand.stylesheet, own);
    css += `/* content/${brand.stylesheet} */\n${own}\n`;
  }
  const stylesheet = css ? named('style', 'css', Buffer.from(css)) : null;
  const url = (file: BrandFile | null) => (file ? `/brand/${file.name}` : null);
  return { files: { logo, favicon, stylesheet }, urls: { logo: url(logo), favicon: url(favicon), stylesheet: url(stylesheet) } };
}
