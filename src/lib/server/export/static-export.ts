// `herald export DIR`: the public site as static files (pages, feeds, badges,
// the calendar and the JSON API), for any static host or CDN, so the status
// page stays readable while Herald itself is down. Pages are rendered by the
// server, so the built server renders them: we start it on a loopback port,
// crawl from a fixed list of entry points, make links relative
// (static-links.ts), and swap the result into DIR with a rename, so a failed
// export never replaces a good one.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { freePort } from './free-port';
import { imagePathPrefix } from '../images';
import { builtEntry, projectRoot, serverScript } from '../paths';
import { publicApiPaths } from '../http';
import { diskName, exportedFile, isLiveOnly, linkedPaths, rewriteHtml, rewriteStylesheet, stylesheetPaths, type LinkTargets } from './static-links';

/** The export could not run (no build, the server did not start, a page failed): exit 1. */
export class ExportError extends Error {
  name = 'ExportError';
}

/** Fetched whatever the pages link to; these are not linked from any page. */
const entryPoints = [
  '/',
  '/history',
  '/feed.xml',
  '/badge.svg',
  '/maintenance.ics',
  ...publicApiPaths,
];

/** Each component page brings its feed and badge. */
const componentFiles = (path: string) => (/^\/components\/[^/]+$/.test(path) ? [`${path}/feed.xml`, `${path}/badge.svg`] : []);

/** A runaway crawl (a page linking to ever new pages) stops here rather than filling the disk. */
const maxFiles = 20_000;


/** Whether `path` is `folder` or inside it. */
function isWithin(path: string, folder: string): boolean {
  const way = relative(folder, path);
  return way === '' || (way !== '..' && !way.startsWith(`..${sep}`) && !isAbsolute(way));
}

/**
 * Why DIR cannot be written, or null. DIR is replaced as a whole, so it must
 * be new, empty, or an earlier export, and never a folder we work in.
 */
export function exportDirProblem(dir: string): string | null {
  const target = resolve(dir);
  if (target === dirname(target)) return `${dir}: cannot replace the root folder`;
  for (const inUse of [process.cwd(), projectRoot]) {
    if (isWithin(inUse, target)) return `${dir}: the export replaces this folder as a whole, and it holds ${inUse}; give a folder of its own, e.g. /var/www/status-fallback`;
  }
  if (!existsSync(dirname(target))) return `${dir}: the folder ${dirname(target)} does not exist`;
  if (!existsSync(target)) return null;
  if (!statSync(target).isDirectory()) return `${dir} exists and is not a folder`;
  const looksExported = existsSync(join(target, 'index.html')) && existsSync(join(target, 'api/v2/summary.json'));
  if (readdirSync(target).length > 0 && !looksExported) {
    return `${dir} is not empty and is not an earlier export (no index.html and api/v2/summary.json); give a new or empty folder`;
  }
  return null;
}

export interface BuiltServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** The built server on a loopback port, without the delivery worker or backups, so exporting neither mails nor backs up. */
export async function startBuiltServer(env: Record<string, string | undefined>, siteUrl: string): Promise<BuiltServer> {
  if (!existsSync(builtEntry)) throw new ExportError(`there is no built server at ${relative(process.cwd(), builtEntry)}: run \`npm run build\` first`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [serverScript], {
    // MIRROR_DIR unset: this server renders for an export or a mirror, and keeps none of its own.
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), SITE_URL: siteUrl, HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0', MIRROR_DIR: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const server = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // The server finishes requests in flight and exits within 10 s; never hang on it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new ExportError(`the server did not start: ${lastLines(output)}`);
    try {
      if ((await fetch(`${server.url}/healthz`)).ok) return server;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new ExportError(`the server did not answer within 30 s: ${lastLines(output)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const lastLines = (output: string) => output.trim().split('\n').slice(-5).join('\n') || '(no output)';

export type FileKind = 'page' | 'stylesheet' | 'file';

interface Fetched {
  url: URL;
  type: FileKind;
  body: Buffer;
}

export interface CrawlEntry {
  path: string;
  /** An entry point must answer 200; anything else may be gone (a trashed incident) or kept live-only. */
  required: boolean;
}

export interface Crawl {
  fetched: Map<string, Fetched>;
  /** Paths asked for that no longer exist (404): their files go. */
  gone: string[];
}

/** The entry points of a whole export: every public page and file is reachable from them. */
export const exportEntries = (): CrawlEntry[] => entryPoints.map((path) => ({ path, required: true }));

/**
 * Fetches `entries` and whatever they link to that `known` does not already
 * hold (a whole export: from the entry points, with nothing known; a mirror's
 * update: the pages a change touches, and only new links beyond them).
 */
export async function crawl(base: string, entries: CrawlEntry[], known: ReadonlyMap<string, FileKind> = new Map(), headers: Record<string, string> = {}): Promise<Crawl> {
  const fetched = new Map<string, Fetched>();
  const gone: string[] = [];
  const seen = new Set<string>();
  const queue: CrawlEntry[] = [];
  const enqueue = (path: string, required: boolean) => {
    if (seen.has(path) || isLiveOnly(path)) return;
    if (seen.size >= maxFiles) throw new ExportError(`more than ${maxFiles} files: stopped, in case pages link to each other without end`);
    seen.add(path);
    queue.push({ path, required });
  };
  for (const entry of entries) enqueue(entry.path, entry.required);

  const fetchOne = async ({ path, required }: CrawlEntry) => {
    const url = new URL(path, base);
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    if (response.status === 404 && !required) gone.push(path);
    // A link to a page that does not exist (or moved) keeps pointing at the live site,
    // and so does an image the proxy cannot fetch just now (its host is down, say).
    if (!response.ok && !required && (response.status < 500 || path.startsWith(imagePathPrefix))) return void (await response.arrayBuffer());
    if (response.status !== 200) throw new ExportError(`GET ${path} answered ${response.status}; nothing was written`);
    const contentType = response.headers.get('content-type') ?? '';
    const type = contentType.startsWith('text/html') ? 'page' : contentType.startsWith('text/css') ? 'stylesheet' : 'file';
    const body = Buffer.from(await response.arrayBuffer());
    fetched.set(path, { url, type, body });
    const found =
      type === 'page' ? linkedPaths(body.toString('utf8'), url) : type === 'stylesheet' ? stylesheetPaths(body.toString('utf8'), url) : [];
    for (const next of [...found, ...componentFiles(path)]) if (!known.has(next)) enqueue(next, false);
  };
  // Level by level, a few requests at a time: quick, and gentle on a server
  // that shares the database with the live one.
  while (queue.length) {
    const level = queue.splice(0);
    let next = 0;
    const fetchers = Array.from({ length: 6 }, async () => {
      while (next < level.length) await fetchOne(level[next++]);
    });
    await Promise.all(fetchers);
  }
  return { fetched, gone };
}

/**
 * The exported files for what was fetched: name (relative to DIR) and content,
 * links rewritten. A link resolves to a file if this crawl fetched it or
 * `known` (an earlier export the files join) has it.
 */
export function render(fetched: Map<string, Fetched>, siteUrl: string, known: ReadonlyMap<string, FileKind> = new Map()): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const fileFor = (path: string) => {
    const type = fetched.get(path)?.type ?? known.get(path);
    return type ? exportedFile(path, type === 'page') : null;
  };
  for (const [path, entry] of fetched) {
    const file = fileFor(path);
    if (!file) continue;
    const targets: LinkTargets = { url: entry.url, file, fileFor, siteUrl };
    const body =
      entry.type === 'page'
        ? Buffer.from(rewriteHtml(entry.body.toString('utf8'), targets))
        : entry.type === 'stylesheet'
          ? Buffer.from(rewriteStylesheet(entry.body.toString('utf8'), targets))
          : entry.body;
    files.set(diskName(file), body);
  }
  return files;
}

/**
 * Public, whatever the umask: the files are for a web server of another user
 * (and the mirror's readers) to serve.
 */
export function writePublicFile(path: string, body: Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, body);
  chmodSync(path, 0o644);
}

/** Writes beside DIR, then swaps it in: DIR is the old export or the new one, never half of either. */
export function writeAtomically(dir: string, files: Map<string, Buffer>): void {
  const target = resolve(dir);
  const fresh = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  try {
    for (const [name, body] of files) writePublicFile(join(fresh, name), body);
    mkdirSync(fresh, { recursive: true }); // even with no files, DIR exists afterwards
    for (const folder of readdirSync(fresh, { recursive: true, encoding: 'utf8' }).map((name) => join(fresh, name)).filter((p) => statSync(p).isDirectory())) chmodSync(folder, 0o755);
    chmodSync(fresh, 0o755);
    const hadOld = existsSync(target);
    if (hadOld) renameSync(target, old);
    try {
      renameSync(fresh, target);
    } catch (error) {
      if (hadOld) renameSync(old, target);
      throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

export interface ExportReport {
  files: number;
  bytes: number;
  /** What the server said that the person exporting must see: the first owner's password on a new database. */
  notice: string | null;
}

/**
 * Renders the public site with the built server and writes it into `dir`.
 * `env` is the server's environment (HERALD_DB and the rest, as for `npm start`);
 * `siteUrl` is where forms and links the export lacks point.
 */
export async function exportStaticSite(dir: string, env: Record<string, string | undefined>, siteUrl: string, readerToken?: string): Promise<ExportReport> {
  const server = await startBuiltServer(env, siteUrl);
  let fetched: Map<string, Fetched>;
  try {
    // A private page, exported because it was asked for: read as a reader would (src/lib/server/readers).
    ({ fetched } = await crawl(server.url, exportEntries(), new Map(), readerToken ? { authorization: `Bearer ${readerToken}` } : {}));
  } catch (error) {
    if (error instanceof ExportError) throw error;
    throw new ExportError(`${(error as Error).message}; the server said: ${lastLines(server.output())}`);
  } finally {
    await server.stop();
  }
  const files = render(fetched, siteUrl);
  writeAtomically(dir, files);
  // On a database without accounts, the server created the first owner and printed its password once.
  const notice = /^Herald: created the first account.*(?:\n.*){3}/m.exec(server.output())?.[0] ?? null;
  return { files: files.size, bytes: [...files.values()].reduce((sum, body) => sum + body.length, 0), notice };
}
