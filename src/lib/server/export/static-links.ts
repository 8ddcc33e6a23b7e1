// Links for the static export (static-export.ts): which paths it fetches,
// which file each becomes, and the exported HTML rewritten so that every link
// to this site is relative to the file it is in. Relative links with explicit
// index.html work from any static host, under any path prefix, and from file://.
import { posix } from 'node:path';
import { accessFor } from '../accounts';
import { decodeEntities } from '../../escape';

const liveOnly = ['/subscribe', '/unsubscribe', '/healthz'];

/** Paths that only make sense on the running server: the console, its API, subscriptions, health. */
export function isLiveOnly(pathname: string): boolean {
  if (accessFor(pathname).kind !== 'public') return true;
  let path = pathname;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return true; // malformed escapes: not a page we render
  }
  path = path.replace(/\/{2,}/g, '/').toLowerCase();
  return liveOnly.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** `/history/` and `/history` are one page. */
export const normalizePath = (pathname: string) => pathname.replace(/(.)\/+$/, '$1');

/**
 * The exported file for a path, relative to the export folder: a page at
 * `/a/b` is `a/b/index.html` (`/` is `index.html`), anything else keeps its
 * path (`api/v2/summary.json`). Segments stay URL-encoded, as links need them;
 * null for a path that cannot be a file (`..`, encoded slashes).
 */
export function exportedFile(pathname: string, isPage: boolean): string | null {
  const segments = normalizePath(pathname).split('/').filter(Boolean);
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) return null;
  }
  if (isPage) return [...segments, 'index.html'].join('/');
  return segments.length ? segments.join('/') : null;
}

/** The file name on disk for an exported file (its segments decoded, as a static host decodes the request). */
export const diskName = (file: string) => file.split('/').map(decodeURIComponent).join('/');

// A start tag with its attributes; quoted values may contain `>`.
const startTag = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const linkAttribute = /(\s)(href|src|action)(\s*=\s*)"([^"]*)"/gi;

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** A link in a page, resolved; null when it points elsewhere or only at a spot in the same page. */
function sameOrigin(raw: string, page: URL): URL | null {
  if (raw.trim() === '' || raw.startsWith('#')) return null;
  let url: URL;
  try {
    url = new URL(raw.trim(), page);
  } catch {
    return null;
  }
  return url.origin === page.origin ? url : null;
}

/** Every same-origin path a page links to (href and src; never form actions) that the export should fetch. */
export function linkedPaths(html: string, page: URL): string[] {
  const found = new Set<string>();
  for (const [, , attributes] of html.matchAll(startTag)) {
    for (const [, , name, , raw] of attributes.matchAll(linkAttribute)) {
      if (name.toLowerCase() === 'action') continue;
      const url = sameOrigin(decodeEntities(raw), page);
      if (url && !url.search && !isLiveOnly(url.pathname)) found.add(normalizePath(url.pathname));
    }
  }
  return [...found];
}

/** Same-origin `url(/…)` references in a stylesheet (fonts, images). */
export function stylesheetPaths(css: string, sheet: URL): string[] {
  const found = new Set<string>();
  for (const [, raw] of css.matchAll(/url\(\s*['"]?([^'")\s]+)['"]?\s*\)/g)) {
    const url = sameOrigin(raw, sheet);
    if (url && !url.search) found.add(normalizePath(url.pathname));
  }
  return [...found];
}

export interface LinkTargets {
  /** The page or file being rewritten, as fetched. */
  url: URL;
  /** Its exported file, e.g. `incidents/x/index.html`. */
  file: string;
  /** The exported file for a path, or null when the export does not have it. */
  fileFor: (pathname: string) => string | null;
  /** The live site, e.g. https://status.example.com: forms, and links the export lacks, go there. */
  siteUrl: string;
}

function rewrite(raw: string, isForm: boolean, targets: LinkTargets): string {
  const url = sameOrigin(raw, targets.url);
  if (!url) return raw;
  const file = isForm || url.search ? null : targets.fileFor(normalizePath(url.pathname));
  if (!file) return `${targets.siteUrl}${url.pathname}${url.search}${url.hash}`;
  return posix.relative(posix.dirname(`/${targets.file}`), `/${file}`) + url.hash;
}

/**
 * The page with every link to this site made relative to its exported file.
 * Forms post to the live site (they cannot work statically), and so do links
 * to anything the export does not contain, such as /subscribe/webhook.
 */
export function rewriteHtml(html: string, targets: LinkTargets): string {
  return html.replace(startTag, (tag: string, tagName: string) =>
    tag.replace(linkAttribute, (whole, space: string, name: string, equals: string, raw: string) => {
      const isForm = name.toLowerCase() === 'action';
      if (isForm && tagName.toLowerCase() !== 'form') return whole;
      const value = decodeEntities(raw);
      const rewritten = rewrite(value, isForm, targets);
      return rewritten === value ? whole : `${space}${name}${equals}"${escapeAttribute(rewritten)}"`;
    }),
  );
}

/** A stylesheet with its same-origin `url(/…)` references made relative. */
export function rewriteStylesheet(css: string, targets: LinkTargets): string {
  return css.replace(/url\(\s*(['"]?)([^'")\s]+)\1\s*\)/g, (whole, quote: string, raw: string) => {
    const rewritten = rewrite(raw, false, targets);
    return rewritten === raw ? whole : `url(${quote}${rewritten}${quote})`;
  });
}
