// The page's brand from content/page.yml's `brand`: the logo, favicon and
// custom stylesheet files read from content/, checked, and named by their
// content's hash so browsers keep them until they change. Herald serves them
// itself (/brand/…), so the CSP stays 'self' and no visitor's browser asks
// another site.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { BrandUrls, PageSettings } from './catalog';
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
  if (!existsSync(full)) throw new ContentError(pageFile, field, `content/${path} does not exist`);
  // A plain file inside the folder: a link could serve anything the server can read (its environment, its keys).
  if (!lstatSync(full).isFile() || !realpathSync(full).startsWith(`${realpathSync(folder)}/`)) throw new ContentError(pageFile, field, `content/${path} is not a plain file inside content/ (a link?)`);
  const body = readFileSync(full);
  if (body.length > limit) throw new ContentError(pageFile, field, `content/${path} is over ${limit / 1024} kB`);
  return body;
}

/**
 * An SVG is a document: one that could script, embed or link anything is
 * refused rather than served from our origin (the static export has no CSP to
 * fall back on). Strict on purpose: a drawing needs none of these, in any
 * namespace prefix or spelled with character references.
 */
function checkSvg(field: string, path: string, body: Buffer): void {
  const text = body.toString('utf8');
  const found = [/<([\w.-]+:)?(script|foreignObject|iframe|embed|object|handler|listener)\b/i, /\son[a-z]+\s*=/i, /javascript/i, /&#|<!ENTITY/i, /(href|src)\s*=\s*["']\s*(?!#)/i].find((pattern) => pattern.test(text));
  if (found) throw new ContentError(pageFile, field, `content/${path} has scripts, embedded documents, character references or links (${found.source}); export it as a plain drawing`);
}

/** Custom CSS loads nothing: only data: URLs, no @import, no escapes that could hide one (and the CSP would block the rest). */
function checkStylesheet(path: string, css: string): void {
  if (/@import/i.test(css) || /url\(\s*(?!["']?\s*data:)/i.test(css) || /image-set\(|\bsrc\(|\\/i.test(css)) {
    throw new ContentError(pageFile, 'brand.stylesheet', `content/${path} loads something (@import, url() other than data:, image-set(), or a backslash escape); keep it to rules of its own`);
  }
}

/** The brand file served under this name, or null. */
export function brandFile(files: BrandFiles, name: string | undefined): BrandFile | null {
  return [files.logo, files.favicon, files.stylesheet].find((f) => f !== null && f.name === name) ?? null;
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
  // No colour reads under both white and Herald's dark text, so dark mode takes accent_dark, or keeps Herald's own blue.
  if (brand.accent) css += `:root { --brand-accent: ${brand.accent}; }\n`;
  if (brand.accent_dark) css += `@media (prefers-color-scheme: dark) { :root { --brand-accent-dark: ${brand.accent_dark}; } }\n`;
  if (brand.stylesheet) {
    const own = readFile(folder, 'brand.stylesheet', brand.stylesheet, maxStylesheetBytes).toString('utf8');
    checkStylesheet(brand.stylesheet, own);
    css += `/* content/${brand.stylesheet} */\n${own}\n`;
  }
  const stylesheet = css ? named('style', 'css', Buffer.from(css)) : null;
  const url = (file: BrandFile | null) => (file ? `/brand/${file.name}` : null);
  return { files: { logo, favicon, stylesheet }, urls: { logo: url(logo), favicon: url(favicon), stylesheet: url(stylesheet) } };
}
