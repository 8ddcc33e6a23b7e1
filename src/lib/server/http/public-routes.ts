// Which public addresses exist, decided in the Node server before Astro is
// asked: an unknown incident, component or month, or a path no page answers,
// is a "page not found" found by an index lookup (a primary key, the set of
// markdown ids), never by rendering or reading the history. Anything this
// table does not know for certain (the console, the HTTP API, odd spellings)
// goes on to Astro, which decides as before. tests/unit/public-routes.test.ts
// keeps the table in step with src/pages.
import { isMonth } from '../../time';
import { brandFile } from '../../content/brand';
import { incidentExists, listedComponentExists } from '../read-model';
import type { Runtime } from '../runtime';
import { splitLocalePath } from '../../i18n/paths';

/** The Statuspage-compatible JSON documents (src/pages/api/v2/). */
export const publicApiPaths = [
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
];

/** Public pages and files at one fixed address. */
const fixedPaths = new Set([
  '/',
  '/404',
  '/500',
  '/badge.svg',
  '/feed.xml',
  '/healthz',
  // Herald's server answers it (server.ts answerMetrics), to loopback or a token only.
  '/metrics',
  '/history',
  '/maintenance.ics',
  '/unsubscribe',
  '/subscribe',
  '/subscribe/confirm',
  '/subscribe/manage',
  '/subscribe/webhook',
  '/subscribe/chat',
  '/.well-known/security.txt',
  // A private page's readers sign in here (src/lib/server/readers).
  '/reader',
  '/reader/login',
  '/reader/link',
  '/reader/logout',
  '/reader/sso',
  ...publicApiPaths,
]);

/** Addresses that exist in one language only: under /de/ they are not found. */
// The public JSON API is read in a language too (/de/api/v2/summary.json); the staff API is not.
const notTranslated = ['/admin', '/api/admin', '/img', '/brand', '/healthz', '/metrics', '/.well-known', '/404', '/500'];

/** Prefixes whose pages decide for themselves: the console and HTTP API (after access control), signed image paths. */
const astroDecides = ['/admin', '/api/admin', '/img/'];

/**
 * False when no page can answer `path` (the raw request path, without the
 * query): the server then answers "page not found" itself. True when a page
 * may; that page still decides.
 */
export function publicPathMayExist(runtime: Runtime, rawPath: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return true; // malformed escapes: Astro answers 400
  }
  const { page } = runtime.content;
  const language = splitLocalePath(path, page.languages, page.default_language);
  if (language.prefixed) {
    // Pages come in every language; the console, the APIs, files and probes only at their own address.
    if (notTranslated.some((prefix) => language.path === prefix || language.path.startsWith(`${prefix}/`))) return false;
    path = language.path;
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (fixedPaths.has(path)) return true;
  if (astroDecides.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) return true;
  const [, first, second, third, ...rest] = path.split('/');
  if (rest.length) return false;
  switch (first) {
    case 'incidents':
      return third === undefined && !!second && incidentExists(runtime, second);
    case 'history':
      return !!second && isMonth(second) && (third === undefined || third === 'uptime.json' || third === 'uptime.csv');
    case 'components':
      return (
        !!second &&
        (third === undefined || third === 'feed.xml' || third === 'badge.svg') &&
        listedComponentExists(runtime, second)
      );
    case 'brand':
      // The brand's files, by their hashed names (src/lib/content/brand.ts).
      return third === undefined && brandFile(runtime.content.brand, second) !== null;
    default:
      return false;
  }
}
