// How public answers may be cached, and their ETags. The caching middleware
// applies the policy and answers a poller that already has the bytes with a
// bodiless 304 (src/middleware.ts); routes that poll well (feeds, the JSON
// API, badges, the calendar) set their ETag with etagResponse.
import { createHash } from 'node:crypto';

/**
 * What caches may keep of a public answer. Browsers revalidate every time
 * (max-age=0), so a visitor sees a staff write on the very next request; a
 * CDN in front may answer from its copy for 10 s, and while it revalidates for
 * 30 s more, which is what holds a spike. An ETag makes revalidation cheap.
 * While Herald cannot answer (restarting, down, failing), a cache may go on
 * serving its last copy for a day (RFC 5861): the page says "As of" when.
 */
export const publicCachePolicy = 'public, max-age=0, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400';

/** Badges are embedded on other sites' pages and may be cached for a minute, and kept while Herald is down. */
export const badgeCachePolicy = 'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400';

/** If-None-Match names `etag` (weak validators match too, as RFC 9110 allows for GET). */
export function etagMatches(header: string | null, etag: string): boolean {
  return !!header && header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

export const etagOf = (body: string | Buffer) => `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;

export function etagResponse(body: string, headers: Record<string, string> & { 'Content-Type': string }): Response {
  return new Response(body, { headers: { ...headers, ETag: etagOf(body) } });
}

export const rssType = 'application/rss+xml; charset=utf-8';
