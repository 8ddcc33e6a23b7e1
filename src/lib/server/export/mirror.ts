// `herald mirror DIR` (and MIRROR_DIR, which has the server run it): the
// static export kept fresh. A built server of its own renders (as for
// `herald export`), so the live server's event loop does none of this work.
// At start, and every hour (the bars move on with the days), the whole site is
// exported; in between, every staff write is read from the audit log and only
// what it can touch is fetched again: the pages that list incidents (the home
// page, history, components, feeds, badges, calendar, JSON API) and the pages
// of the incidents named, plus anything new they link to. A file is written
// only when its bytes change, each atomically (a temporary file renamed into
// place), so a reader or an rsync never sees half a file.
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { newestPublishedAuditSql, publishedAuditEntry } from '../accounts';
import { diskName, exportedFile } from './static-links';
import { crawl, exportEntries, lastLines, render, startBuiltServer, writeAtomically, writePublicFile, type CrawlEntry, type FileKind } from './static-export';

/** Writes that change what every page shows (names, the catalog, the content folder): the whole site again. */
const everywhere = /^(content\.|component\.|group\.|trash\.|uptime\.)/;

/** The whole site again this often, whatever happened: day boundaries, "as of" times, maintenance starting by the clock. */
const fullEveryMs = 60 * 60_000;
/** How often the audit log is looked at, and how long writes must pause before an update goes (a burst of writes is one update). */
const pollMs = 250;
const settleMs = 250;
const settleAtMostMs = 2_000;

export interface MirrorRun {
  /** `full` or `update`; the files written (changed bytes only), removed, and fetched. */
  kind: 'full' | 'update';
  written: number;
  removed: number;
  fetched: number;
  ms: number;
}

export interface MirrorOptions {
  /** Said after each run: what was done, for the log. */
  onRun?: (run: MirrorRun) => void;
  /** Stops the loop (the command's SIGTERM). */
  signal?: AbortSignal;
}

const hash = (body: Buffer) => createHash('sha256').update(body).digest('base64');

/** Paths a write may change: every known page and file but incident pages and built assets. */
function listings(known: ReadonlyMap<string, FileKind>): string[] {
  return [...known.keys()].filter((path) => !path.startsWith('/incidents/') && !path.startsWith('/_astro/') && !path.startsWith('/brand/') && !path.startsWith('/img/') && path !== '/favicon.svg');
}

/**
 * Keeps DIR an export of the site as it is now, until `signal` aborts. `db`
 * is the live database, read for the audit log only. Resolves once stopped.
 */
export async function runMirror(dir: string, env: Record<string, string | undefined>, siteUrl: string, db: Database.Database, options: MirrorOptions = {}): Promise<void> {
  const target = resolve(dir);
  const server = await startBuiltServer(env, siteUrl);
  const newestAudit = db.prepare(newestPublishedAuditSql).pluck();
  const auditSince = db.prepare(`SELECT action, target FROM audit_log WHERE id > ? AND ${publishedAuditEntry} ORDER BY id`);
  let known = new Map<string, FileKind>();
  let hashes = new Map<string, string>();
  let seenAudit = 0;
  let lastFull = 0;

  const full = async () => {
    const started = Date.now();
    const auditAtStart = newestAudit.get() as number;
    const { fetched } = await crawl(server.url, exportEntries());
    const files = render(fetched, siteUrl);
    const nextHashes = new Map([...files].map(([name, body]) => [name, hash(body)]));
    let written = 0;
    let removed = 0;
    if (!existsSync(target) || hashes.size === 0) {
      // The first export (or one over an earlier export): written beside DIR and swapped in whole.
      writeAtomically(target, files);
      written = files.size;
    } else {
      for (const [name, body] of files) {
        if (hashes.get(name) === nextHashes.get(name)) continue;
        writeInPlace(target, name, body);
        written++;
      }
      for (const name of hashes.keys()) {
        if (nextHashes.has(name)) continue;
        rmSync(join(target, name), { force: true });
        removed++;
      }
    }
    known = new Map([...fetched].map(([path, entry]) => [path, entry.type]));
    hashes = nextHashes;
    seenAudit = auditAtStart;
    lastFull = Date.now();
    options.onRun?.({ kind: 'full', written, removed, fetched: fetched.size, ms: Date.now() - started });
  };

  const update = async (writes: { action: string; target: string | null }[]) => {
    const started = Date.now();
    // An incident's writes name it (`<id>`, or `<id>#<update>` for an update).
    const slugOf = (w: { action: string; target: string | null }) => (w.action.startsWith('user.') || w.action.startsWith('token.') ? '' : (w.target ?? '').split('#')[0]);
    const incidents = new Set(writes.map(slugOf).filter((slug) => /^[a-z0-9][a-z0-9-]*$/.test(slug)).map((slug) => `/incidents/${slug}`));
    const entries: CrawlEntry[] = [
      // New incident pages first: the listings written after them then link to files that exist.
      ...[...incidents].map((path) => ({ path, required: false })),
      ...exportEntries(),
      ...listings(known).map((path) => ({ path, required: false })),
    ];
    const { fetched, gone } = await crawl(server.url, dedupe(entries), known);
    for (const [path, entry] of fetched) known.set(path, entry.type);
    const files = render(fetched, siteUrl, known);
    let written = 0;
    for (const [name, body] of files) {
      const digest = hash(body);
      if (hashes.get(name) === digest) continue;
      writeInPlace(target, name, body);
      hashes.set(name, digest);
      written++;
    }
    let removed = 0;
    for (const path of gone) {
      const type = known.get(path);
      known.delete(path);
      const file = type ? exportedFile(path, type === 'page') : null;
      if (!file) continue;
      rmSync(join(target, diskName(file)), { force: true });
      hashes.delete(diskName(file));
      removed++;
    }
    options.onRun?.({ kind: 'update', written, removed, fetched: fetched.size, ms: Date.now() - started });
  };

  // Stopping does not wait for an export in hand: its server goes at once, and the export with it.
  options.signal?.addEventListener('abort', () => void server.stop(), { once: true });
  try {
    await full();
    while (!options.signal?.aborted) {
      await sleep(pollMs, options.signal);
      if (options.signal?.aborted) break;
      if (Date.now() - lastFull >= fullEveryMs) {
        await full();
        continue;
      }
      let newest = newestAudit.get() as number;
      if (newest <= seenAudit) continue;
      // Let a burst of writes finish, but never wait long.
      for (const waitedSince = Date.now(); Date.now() - waitedSince < settleAtMostMs; ) {
        await sleep(settleMs, options.signal);
        const now = newestAudit.get() as number;
        if (now === newest) break;
        newest = now;
      }
      const writes = auditSince.all(seenAudit) as { action: string; target: string | null }[];
      seenAudit = newest;
      if (writes.some((w) => everywhere.test(w.action))) await full();
      else await update(writes);
    }
  } catch (error) {
    if (options.signal?.aborted) return;
    throw new Error(`${(error as Error).message}; the server said: ${lastLines(server.output())}`);
  } finally {
    await server.stop();
  }
}

function dedupe(entries: CrawlEntry[]): CrawlEntry[] {
  const byPath = new Map<string, CrawlEntry>();
  for (const entry of entries) byPath.set(entry.path, { path: entry.path, required: entry.required || !!byPath.get(entry.path)?.required });
  return [...byPath.values()];
}

/** One file replaced as a whole: written beside itself, then renamed over it. */
function writeInPlace(dir: string, name: string, body: Buffer): void {
  const path = join(dir, name);
  const temporary = `${path}.tmp-${process.pid}`;
  writePublicFile(temporary, body);
  if (existsSync(path) && statSync(path).isDirectory()) rmSync(path, { recursive: true });
  renameSync(temporary, path);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
