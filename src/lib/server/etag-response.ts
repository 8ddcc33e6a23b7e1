// Public answers that clients poll (feeds, the JSON API, badges, the calendar)
// carry a strong ETag of their bytes, so a poller that already has them gets
// a bodiless 304.
import { sha256 } from './secrets';

/** True when If-None-Match names `etag` (or is `*`); weak validators match too, as RFC 9110 allows for GET. */
function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function etagResponse(request: Request, body: string, headers: Record<string, string> & { 'Content-Type': string }): Response {
  const etag = `"${sha256(body).slice(0, 32)}"`;
  const all = { ...headers, ETag: etag };
  if (notModified(request, etag)) return new Response(null, { status: 304, headers: all });
  return new Response(body, { headers: all });
}

export const rssType = 'application/rss+xml; charset=utf-8';
