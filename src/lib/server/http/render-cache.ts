// Rendered public answers kept in memory, with their gzip and brotli variants
// made once each, so a spike of visitors costs a lookup, not a render. An entry is
// valid for one version of the content and one minute (pages say "as of" and
// move maintenance windows by the clock). The content's version is the newest
// audit entry: every write that changes what visitors see is a staff write
// (console, API or CLI, from any process), and every staff write records its
// audit entry in the same transaction. Writes visitors never see, such as
// subscribing or the delivery worker's, leave the cache alone.
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Statement } from 'better-sqlite3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSharedPublicPath, newestPublishedAuditSql } from '../accounts';
import type { HeraldDb } from '../db';
import { etagMatches, etagOf, publicCachePolicy } from './http-cache';
import { securityHeaders, strictTransportSecurity } from './security-headers';
import type { Locale } from '../../i18n/locales';

export interface CachedAnswer {
  version: string;
  status: number;
  headers: [string, string][];
  identity: Buffer;
  /** The compressed variants, null for answers not worth compressing (made on first use). */
  readonly gzip: Buffer | null;
  readonly br: Buffer | null;
  etag: string;
  /** Complete header blocks for hits, made on first use per variant (see hitHeaders). */
  wire?: Map<string, string[]>;
}

/**
 * How long one reading of the version serves: a hit then costs a map lookup,
 * not a query (the query was a sixth of a hit's cost). Writes made through
 * this server forget it at once (forgetContentVersion); another process's (the
 * CLI, a second worker) show within this long.
 */
export const versionReuseMs = 25;

const versionReadings = new WeakMap<HeraldDb, { value: string; readAt: number }>();

/** The content's version now: the newest audit entry of a change readers see (publishedAuditEntry) and the minute. */
export function contentVersion(db: HeraldDb, now = Date.now()): string {
  const minute = Math.floor(now / 60_000);
  const reading = versionReadings.get(db);
  if (reading && now >= reading.readAt && now - reading.readAt < versionReuseMs && Math.floor(reading.readAt / 60_000) === minute) return reading.value;
  let statement = versionStatements.get(db);
  if (!statement) {
    statement = db.$client
      // Walks back from the newest entry past the few that change nothing public.
      .prepare(newestPublishedAuditSql)
      .pluck();
    versionStatements.set(db, statement);
  }
  const value = `${statement.get()}.${minute}`;
  versionReadings.set(db, { value, readAt: now });
  return value;
}

/** A write went through this server: the next request reads the version afresh. */
export function forgetContentVersion(db: HeraldDb): void {
  versionReadings.delete(db);
}

/** Prepared once per database: this runs on every public request. */
const versionStatements = new WeakMap<HeraldDb, Statement>();

const compressible = /^(text\/|application\/(json|rss\+xml|xml)|image\/svg\+xml)/;

/**
 * A rendered answer. Text worth compressing is compressed on the first
 * request that asks for that encoding, then kept: after a write, the one
 * render waits for one compression, not both.
 */
class RenderedAnswer implements CachedAnswer {
  readonly headers: [string, string][];
  readonly etag: string;
  wire?: Map<string, string[]>;
  private readonly worth: boolean;
  private gzipped?: Buffer | null;
  private brotli?: Buffer | null;

  constructor(
    readonly version: string,
    readonly status: number,
    headers: Headers,
    readonly identity: Buffer,
  ) {
    this.headers = [...headers.entries()].filter(([name]) => !['content-length', 'content-encoding', 'etag'].includes(name));
    this.worth = compressible.test(headers.get('content-type') ?? '') && identity.length > 512;
    // Routes that answer pollers (etagResponse) hashed these very bytes already.
    this.etag = headers.get('etag') ?? etagOf(identity);
  }

  get gzip(): Buffer | null {
    if (this.gzipped === undefined) this.gzipped = this.worth ? gzipSync(this.identity, { level: 6 }) : null;
    return this.gzipped;
  }

  get br(): Buffer | null {
    // Quality 5: within a few per cent of the best size, at a fraction of its time (this runs after every write;
    // 6 made /api/v2/incidents.json 2 % smaller and took a quarter longer).
    if (this.brotli === undefined)
      this.brotli = this.worth
        ? brotliCompressSync(this.identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: this.identity.length } })
        : null;
    return this.brotli;
  }
}

/** Makes a cache entry from a rendered body. */
export function cachedAnswer(version: string, status: number, headers: Headers, body: Buffer): CachedAnswer {
  return new RenderedAnswer(version, status, headers, body);
}

/** Accept-Encoding values already parsed: clients send a handful of distinct ones, and this runs on every hit. */
const acceptedEncodings = new Map<string, { br: boolean; gzip: boolean }>();

function parseAcceptEncoding(value: string): { br: boolean; gzip: boolean } {
  let known = acceptedEncodings.get(value);
  if (!known) {
    const accepted = new Set(
      value
        .split(',')
        .map((part) => part.trim().split(';'))
        .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
        .map(([name]) => name.trim().toLowerCase()),
    );
    known = { br: accepted.has('br'), gzip: accepted.has('gzip') };
    // Bounded: made-up header values are parsed each time rather than kept.
    if (acceptedEncodings.size < 256) acceptedEncodings.set(value, known);
  }
  return known;
}

/** The variant the client accepts: brotli, then gzip, then as it is. */
export function pickEncoding(acceptEncoding: string | null, answer: CachedAnswer): 'br' | 'gzip' | 'identity' {
  const accepted = parseAcceptEncoding(acceptEncoding ?? '');
  // The client's wish first: asking an entry for an encoding compresses it.
  if (accepted.br && answer.br) return 'br';
  if (accepted.gzip && answer.gzip) return 'gzip';
  return 'identity';
}

/** Each encoding of an answer is a different representation, so it has its own strong ETag. */
export function variantEtag(entry: CachedAnswer, encoding: 'br' | 'gzip' | 'identity'): string {
  return encoding === 'identity' ? entry.etag : `${entry.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`;
}

/** An entry's own Vary (the home page's language hint) and the encoding its variants differ by. */
const varyWithEncoding = (own: string | null | undefined) => (own ? `${own}, Accept-Encoding` : 'Accept-Encoding');

/** The HTTP answer for one client, from an entry. Each encoding has its own strong ETag. */
export function answerFrom(entry: CachedAnswer, encoding: 'br' | 'gzip' | 'identity', withBody = true): Response {
  const headers = new Headers(entry.headers);
  headers.set('Vary', varyWithEncoding(headers.get('Vary')));
  const body = encoding === 'identity' ? entry.identity : entry[encoding]!;
  headers.set('ETag', variantEtag(entry, encoding));
  if (encoding !== 'identity') headers.set('Content-Encoding', encoding);
  headers.set('Content-Length', String(body.length));
  // A view of the cached bytes, not a copy.
  return new Response(withBody ? new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length) : null, { status: entry.status, headers });
}

/**
 * A bounded map from URL to answer, least recently used out first. Requests
 * that miss at the same moment share one render (no stampede after a write).
 */
export class RenderCache {
  private entries = new Map<string, CachedAnswer>();
  private inflight = new Map<string, Promise<CachedAnswer | null>>();

  constructor(private readonly maxEntries = 500) {}

  get(key: string, version: string): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** The entry for `key` at `version`, rendering it once however many ask at once; null when not cacheable. */
  async fill(key: string, version: string, render: () => Promise<CachedAnswer | null>): Promise<CachedAnswer | null> {
    const flight = `${key}\n${version}`;
    let pending = this.inflight.get(flight);
    if (!pending) {
      pending = render().finally(() => this.inflight.delete(flight));
      this.inflight.set(flight, pending);
    }
    const entry = await pending;
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The "page not found" answer, one per language and content version: every
   * unknown path shares it, so a flood of made-up addresses costs a lookup and
   * can neither grow the cache nor push real pages out of it.
   */
  private notFoundAnswers = new Map<Locale, CachedAnswer>();

  notFound(version: string, locale: Locale): CachedAnswer | undefined {
    const answer = this.notFoundAnswers.get(locale);
    return answer?.version === version ? answer : undefined;
  }

  keepNotFound(entry: CachedAnswer, locale: Locale): void {
    this.notFoundAnswers.set(locale, entry);
  }
}

/** The path of a request target, without its query. */
export function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

/**
 * Answers a request straight from the cache, in the Node server, before the
 * adapter and Astro see it: for a hit, their per-request work cost far more
 * than the lookup. Only public GETs and HEADs, with exactly the headers the
 * middleware would give (the security headers are already set, server.ts).
 * Returns false, having written nothing, when the request is not a hit.
 */
export function answerHitFromMemory(cache: RenderCache, db: HeraldDb, request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  // The raw path is the key, unparsed and without the query (shared pages never
  // read it): only keys the middleware stored can hit; anything else falls through to Astro.
  const path = pathOf(request.url ?? '/');
  if (!isSharedPublicPath(path)) return false;
  const entry = cache.get(path, contentVersion(db));
  if (!entry) return false;
  writeCachedAnswer(entry, request, response);
  return true;
}

/**
 * A hit, or the shared not-found answer, with its whole header block in one
 * writeHead (hitHeaders) on a response nothing has been set on yet. For a
 * client revalidating a page (If-None-Match) it returns false, as for a miss:
 * the ordinary path answers 304.
 */
export function writeHit(entry: CachedAnswer, request: IncomingMessage, response: ServerResponse, hsts: boolean, closing: boolean): boolean {
  // Only a 200 can be "not modified"; an error is answered whole.
  if (entry.status === 200 && request.headers['if-none-match'] !== undefined) return false;
  const encoding = pickEncoding(request.headers['accept-encoding'] ?? null, entry);
  response.writeHead(entry.status, hitHeaders(entry, encoding, hsts, closing));
  response.end(request.method === 'HEAD' ? undefined : encoding === 'identity' ? entry.identity : entry[encoding]!);
  return true;
}

/**
 * Everything a hit sends, as one flat [name, value, …] list: the security
 * headers, the entry's own (which win, as in the middleware), caching, the
 * variant's ETag, encoding and length, and per connection HSTS and
 * `Connection: close`. writeHead takes such a list without merging or
 * validating header by header, which is most of what a hit would cost.
 * Made once per entry and variant.
 */
export function hitHeaders(entry: CachedAnswer, encoding: 'br' | 'gzip' | 'identity', hsts: boolean, closing: boolean): string[] {
  const key = `${encoding}${hsts ? '+hsts' : ''}${closing ? '+close' : ''}`;
  entry.wire ??= new Map();
  let wire = entry.wire.get(key);
  if (!wire) {
    const own = new Map(entry.headers.map(([name, value]) => [name.toLowerCase(), value]));
    const headers = new Map<string, string>();
    for (const [name, value] of Object.entries(securityHeaders)) headers.set(name.toLowerCase(), value);
    for (const [name, value] of own) headers.set(name, value);
    // Errors are never stored anywhere (the seeds' proxy that kept a "server down" page).
    headers.set('cache-control', entry.status !== 200 ? 'no-store' : (own.get('cache-control') ?? publicCachePolicy));
    headers.set('vary', varyWithEncoding(own.get('vary')));
    headers.set('etag', variantEtag(entry, encoding));
    headers.set('x-herald-cache', 'hit');
    if (encoding !== 'identity') headers.set('content-encoding', encoding);
    headers.set('content-length', String((encoding === 'identity' ? entry.identity : entry[encoding]!).length));
    if (hsts) headers.set('strict-transport-security', strictTransportSecurity);
    if (closing) headers.set('connection', 'close');
    wire = [...headers].flat();
    entry.wire.set(key, wire);
  }
  return wire;
}

/**
 * Writes a cached answer on a response that already carries the baseline
 * headers (server.ts): the same header block as a hit (hitHeaders), merged
 * over them; 304 when the client has this variant.
 */
export function writeCachedAnswer(entry: CachedAnswer, request: IncomingMessage, response: ServerResponse): void {
  const encoding = pickEncoding(request.headers['accept-encoding'] ?? null, entry);
  const headers = hitHeaders(entry, encoding, false, false);
  if (entry.status === 200 && etagMatches(request.headers['if-none-match'] ?? null, variantEtag(entry, encoding))) {
    // What the full answer says about caching and its variant, without the body's encoding and length.
    for (let i = 0; i < headers.length; i += 2) if (headers[i] !== 'content-length' && headers[i] !== 'content-encoding') response.setHeader(headers[i], headers[i + 1]);
    response.writeHead(304).end();
    return;
  }
  response.writeHead(entry.status, headers).end(request.method === 'HEAD' ? undefined : encoding === 'identity' ? entry.identity : entry[encoding]!);
}
