// Languages in addresses: the page's default language lives at the plain
// paths (`/incidents/x`), every other one under its code (`/de/incidents/x`).
import type { Locale } from './locales';

export interface LocalePath {
  locale: Locale;
  /** The path without the language, as the pages are routed. */
  path: string;
  /** Whether the address carried a language. */
  prefixed: boolean;
}

/** The language an address names (one the page offers, other than its default) and the path under it. */
export function splitLocalePath(pathname: string, offered: readonly Locale[], fallback: Locale): LocalePath {
  const slash = pathname.indexOf('/', 1);
  const first = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  const locale = offered.find((code) => code === first && code !== fallback);
  if (!locale) return { locale: fallback, path: pathname, prefixed: false };
  return { locale, path: slash === -1 ? '/' : pathname.slice(slash), prefixed: true };
}

/** The address of a path in a language. */
export function localizedPath(locale: Locale, path: string, fallback: Locale): string {
  if (locale === fallback) return path;
  return path === '/' ? `/${locale}/` : `/${locale}${path}`;
}
