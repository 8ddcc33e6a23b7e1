// What a private page answers a visitor who is not a reader: nothing of the
// page. A page asks them to sign in as a reader (a redirect that keeps where
// they were going); the JSON API answers JSON; feeds, badges and calendars
// answer 401, so a reader's app knows to ask for its token.
import type { PageSettings } from '../../content/catalog';

export const isPrivatePage = (page: Pick<PageSettings, 'visibility'>) => page.visibility === 'private';

/**
 * Open to anyone, even on a private page: signing in as a reader (the form and a mailed link), the health
 * probe (which says its status alone then), security.txt, the brand's files on
 * the sign-in page, and the subscriber's own links (confirm, manage,
 * unsubscribe, one-click from a mail provider too), whose signature is the key.
 */
export function openOnPrivatePage(path: string): boolean {
  return ['/reader/login', '/reader/link', '/reader/sso', '/healthz', '/.well-known/security.txt', '/unsubscribe', '/subscribe/confirm', '/subscribe/manage'].includes(path) || path.startsWith('/brand/');
}

const isDocument = (path: string) => !/\.(xml|json|svg|ics|csv)$/.test(path);

/** The answer for a visitor who is not a reader, asked for `path` (as addressed, in its language); `signIn` is the sign-in page in that language. */
export function refusedReaderAnswer(path: string, search: string, signIn: string): Response {
  if (path.startsWith('/api/') || path.endsWith('.json')) {
    return new Response(JSON.stringify({ error: { message: 'this status page is private: send a reader token (Authorization: Bearer <token> or ?token=<token>), shown at /reader once signed in' } }), {
      status: 401,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="herald-readers"' },
    });
  }
  if (!isDocument(path)) {
    return new Response('This status page is private: add ?token=<your reader token> (shown at /reader once signed in).\n', {
      status: 401,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="herald-readers"' },
    });
  }
  const next = `${path}${search}`;
  return new Response(null, { status: 303, headers: { Location: `${signIn}${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}` } });
}

/** Where a reader goes once signed in: a path of this site only (no `//` or `/\\`, which browsers read as another host), never the sign-in again. */
export function readerNext(value: string | null | undefined, fallback: string): string {
  return value && /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(value) && !/^\/([a-z]{2}(-[A-Z]{2})?\/)?reader(\/|$)/.test(value) ? value : fallback;
}
