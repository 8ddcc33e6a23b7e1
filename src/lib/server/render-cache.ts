// Rendered public answers kept in memory, with their gzip and brotli variants
// made once, so a spike of visitors costs a lookup, not a render. An entry is
// valid for one version of the content and one minute (pages say "as of" and
// move maintenance windows by the clock). The content's version is the newest
// audit entry: every write that changes what visitors see is a staff write
// (console, API or CLI, from any process), and every staff write records its
// audit entry in the same transaction. The one other thing a page shows, the
// number of subscribers, has its own revision (subscriptions.ts). Writes
// visitors never see, such as the delivery worker's, leave the cache alone.
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { HeraldDb } from './db';
import { etagOf } from './http-cache';

export interface CachedAnswer {
  version: string;
  status: number;
  headers: [string, string][];
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  etag: string;
}

/** The content's version now; reading it costs microseconds (two primary-key lookups). */
export function contentVersion(db: HeraldDb, now = Date.now()): string {
  const newest = db.$client.prepare('SELECT max(id) FROM audit_log').pluck().get() ?? 0;
  const subscribers = db.$client.prepare("SELECT value FROM settings WHERE key = 'subscribers-revision'").pluck().get() ?? 0;
  return `${newest}.${subscribers}.${Math.floor(now / 60_000)}`;
}

const compressible = /^(text\/|application\/(json|rss\+xml|xml)|image\/svg\+xml)/;

/** Makes a cache entry from a rendered body; compresses text worth compressing. */
export function cachedAnswer(version: string, status: number, headers: Headers, body: Buffer): CachedAnswer {
  const type = headers.get('content-type') ?? '';
  const worth = compressible.test(type) && body.length > 512;
  return {
    version,
    status,
    headers: [...headers.entries()].filter(([name]) => !['content-length', 'content-encoding', 'etag'].includes(name)),
    identity: body,
    gzip: worth ? gzipSync(body, { level: 6 }) : null,
    // Quality 6: within a few per cent of the best size, at a fraction of its time (this runs after every write).
    br: worth ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }) : null,
    etag: etagOf(body.toString('latin1')),
  };
}

/** The variant the client accepts: brotli, then gzip, then as it is. */
export function pickEncoding(acceptEncoding: string | null, answer: CachedAnswer): 'br' | 'gzip' | 'identity' {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([name]) => name.trim().toLowerCase()),
  );
  if (answer.br && accepted.has('br')) return 'br';
  if (answer.gzip && accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/** The HTTP answer for one client, from an entry. Each encoding has its own strong ETag. */
export function answerFrom(entry: CachedAnswer, encoding: 'br' | 'gzip' | 'identity', withBody = true): Response {
  const headers = new Headers(entry.headers);
  headers.set('Vary', 'Accept-Encoding');
  const body = encoding === 'identity' ? entry.identity : entry[encoding]!;
  headers.set('ETag', encoding === 'identity' ? entry.etag : `${entry.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`);
  if (encoding !== 'identity') headers.set('Content-Encoding', encoding);
  headers.set('Content-Length', String(body.length));
  return new Response(withBody ? new Uint8Array(body) : null, { status: entry.status, headers });
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
}
