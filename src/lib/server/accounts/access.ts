// Who may reach which path. One table for the whole site, used by the
// middleware; tests enumerate src/pages and check every admin route against it.
import type { StaffRole, TokenScope } from '../../../db/constants';
import { localeCodes } from '../../i18n/locales';

export type Access =
  /** Anyone: the public status site. */
  | { kind: 'public' }
  /** The login page and single sign-on's two legs: anyone; posts pass the same-origin check every write passes (there is no session yet, so no CSRF token). */
  | { kind: 'login' }
  /** The console: a session with at least this role. */
  | { kind: 'console'; role: StaffRole }
  /** The HTTP API: a bearer token; writes need the write scope. */
  | { kind: 'api' };

const ownerOnly = ['/admin/users', '/admin/tokens'];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The path as the rules read it. Astro has already decoded it once
 * (decodeURI); decoding the rest too (%2F, %3F…) and folding slashes and case
 * only ever makes a path match a stricter rule, so /admin/%75sers,
 * /admin//users, //subscribe or /admin/users/ cannot slip past.
 */
function normalizedPath(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    /* malformed escapes: match the raw path; the router answers 400 or 404 */
  }
  return withoutLocale(decoded.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1').toLowerCase());
}

const localePrefix = new RegExp(`^/(?:${localeCodes.map((c) => c.toLowerCase()).join('|')})(?=/|$)`);

/** `/de/subscribe` is `/subscribe` in German: the same rules, whichever languages the page offers. */
function withoutLocale(path: string): string {
  return path.replace(localePrefix, '') || '/';
}

export function accessFor(pathname: string): Access {
  return accessForNormalized(normalizedPath(pathname));
}

function accessForNormalized(path: string): Access {
  if (under(path, '/api/admin')) return { kind: 'api' };
  if (path === '/admin/login' || path === '/admin/login/sso' || path === '/admin/login/sso/callback') return { kind: 'login' };
  if (under(path, '/admin')) {
    return { kind: 'console', role: ownerOnly.some((prefix) => under(path, prefix)) ? 'owner' : 'editor' };
  }
  return { kind: 'public' };
}

export function roleAllows(have: StaffRole, need: StaffRole): boolean {
  return have === 'owner' || need === 'editor';
}

export function scopeAllows(scope: TokenScope, method: string): boolean {
  return scope === 'write' || method === 'GET' || method === 'HEAD';
}

/** Methods that change something, and so need CSRF protection and write rights. */
export function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

/** Pages that show or act on one subscriber's data: never cached or stored anywhere. */
export function isPersonalPath(pathname: string): boolean {
  return personal.test(normalizedPath(pathname));
}

// A reader's own page and sign-in (src/lib/server/readers) carry their token and cookie.
const personal = /^\/(subscribe|unsubscribe|reader)(\/|$)/;

/** A public path whose answers may be shared between visitors (and so cached). Runs on every cache hit. */
export function isSharedPublicPath(pathname: string): boolean {
  const path = normalizedPath(pathname);
  return accessForNormalized(path).kind === 'public' && !personal.test(path);
}
