// `/` in the browser's language: a visitor who arrives from elsewhere (a link,
// a bookmark, the address typed) and whose browser prefers another of the
// page's languages is sent to it, `/de/` say. Only a hint: a visitor who
// follows a link on this site to `/` (the language list's "English", say)
// stays there, and every other address is served as asked. The redirect is
// never kept by a shared cache, and `/` itself says what it varies by.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { languageHintVary, negotiateLocale } from '../../i18n/negotiate';
import { localizedPath } from '../../i18n/paths';
import type { PageSettings } from '../../content/catalog';

/**
 * Whether the visitor came from a page of this site: Sec-Fetch-Site says so
 * where the browser sends it (over HTTPS, in current browsers); the Referer's
 * host where it does not (plain HTTP, older Safari).
 */
function fromThisSite(headers: IncomingMessage['headers']): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const referer = headers.referer;
  if (!referer || !headers.host) return false;
  try {
    return new URL(referer).host === headers.host;
  } catch {
    return false;
  }
}

/** Where `/` should send this request, or null to serve it. */
export function languageHint(page: Pick<PageSettings, 'languages' | 'default_language'>, path: string, headers: IncomingMessage['headers']): string | null {
  if (path !== '/' || page.languages.length < 2 || fromThisSite(headers)) return null;
  const header = headers['accept-language'];
  if (!header) return null;
  const wanted = negotiateLocale(header, page.languages, page.default_language);
  return wanted === page.default_language ? null : localizedPath(wanted, '/', page.default_language);
}

/** The redirect, on a response that carries the baseline headers. */
export function writeLanguageHint(location: string, response: ServerResponse): void {
  response.writeHead(302, { Location: location, Vary: languageHintVary, 'Cache-Control': 'private, no-cache', 'Content-Length': '0' });
  response.end();
}
