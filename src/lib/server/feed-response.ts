// A feed as an HTTP answer, with an ETag so readers that poll get 304 when
// nothing changed.
import { sha256 } from './secrets';

export function feedResponse(request: Request, xml: string): Response {
  const etag = `"${sha256(xml).slice(0, 32)}"`;
  const headers = { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: etag };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(xml, { headers });
}
