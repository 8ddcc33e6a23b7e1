// The server's one set of long-lived things: configuration, the database, the
// authored content (read again, checked and swapped in whole by
// reloadContent) and the cache of rendered answers. Herald's HTTP server
// (server.ts) starts it once and hands it to Astro with every request, in
// `locals.herald`; the middleware passes it on here, so pages and endpoints
// reach it through getRuntime() and never open the database themselves.
import { type Content, readContentFolder } from '../content/index';
import { ContentError } from '../content/incident-file';
import { ConfigError, loadConfig, type Config } from '../config';
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';
import { ensureFirstOwner, firstOwnerEmail, recordAudit, systemActor } from './accounts';
import { contentReloadRequestedAt, describeContentProblem, recordContentProblem, syncContent, type ContentProblem, type LogContext } from './publishing';
import { openDatabase, type HeraldDb } from './db';
import { contentFolder, resolveFromCwd } from './paths';
import { RenderCache } from './http';
import { ensureSiteSecrets } from './site-secrets';
import { listBackups, StorageHealth } from './storage';
import { Metrics } from './metrics';
import { log } from './log';

export interface Runtime extends LogContext {
  config: Config;
  db: HeraldDb;
  content: Content;
  /** Public answers as rendered, shared by the Node server's fast path and the middleware. */
  renderCache: RenderCache;
  /** Whether the database's disk has room (storage-health.ts). */
  storage: StorageHealth;
  /** Why the content folder as it is now is not what is served (the last good content is); none when it is. */
  contentProblem?: ContentProblem | null;
  /** What /metrics reports (metrics/index.ts); the server, the middleware and the worker count into it. */
  metrics?: Metrics;
}

/**
 * Opens and migrates the database, reads and validates the content folder
 * (content/, or CONTENT_DIR: checked here as the build checks content/),
 * syncs the catalog and creates the first owner.
 */
export async function startRuntime(config: Config = loadConfig()): Promise<Runtime> {
  if (process.env.CONTENT_DIR && !existsSync(join(contentFolder, 'page.yml'))) throw new ConfigError('CONTENT_DIR', `${contentFolder} has no page.yml: name a folder laid out as content/ is`);
  const db = openDatabase(config.databasePath, { quickCheck: true });
  const content = readContentFolder(contentFolder);
  syncContent(db, content);
  ensureSiteSecrets(db);
  const password = await ensureFirstOwner(db);
  if (password) {
    // The one time a password is printed: a newcomer must be able to log in.
    log.info(
      [
        `created the first account, an owner. Log in at ${config.siteUrl}/admin/login with`,
        `  email:    ${firstOwnerEmail}`,
        `  password: ${password}`,
        'This password is shown only once. Change it under Account once logged in.',
      ].join('\n'),
    );
  }
  recordContentProblem(db, null);
  const runtime: Runtime = {
    config,
    db,
    content,
    authored: content.authored,
    renderCache: new RenderCache(),
    storage: new StorageHealth(resolveFromCwd(config.databasePath)),
    contentProblem: null,
  };
  runtime.metrics = new Metrics({
    db,
    lastVerifiedBackup: () => {
      const newest = listBackups(config.backup.dir)[0];
      return newest ? new Date(newest.createdAt) : null;
    },
    contentProblem: () => !!runtime.contentProblem,
  });
  return runtime;
}

/** What a reload did: swapped in changed content, found it unchanged, or kept the last good content and why. */
export type ContentReload = { outcome: 'reloaded' | 'unchanged' } | { outcome: 'kept'; problem: ContentProblem };

/**
 * Reads the content folder again and, if it is valid, takes it in and swaps
 * it in whole: a request sees the old content or the new, never a mix. A
 * broken file (or a folder caught half-written, as during a git checkout)
 * leaves the last good content served and the problem recorded, for the
 * console, /healthz and `herald reload` to show. A change is audited, which
 * also tells every render cache to render again.
 */
export function reloadContent(runtime: Runtime, trigger: string, now = new Date()): ContentReload {
  let content: Content;
  let changed: boolean;
  try {
    content = readContentFolder(contentFolder);
    changed = syncContent(runtime.db, content);
  } catch (error) {
    const { file = null, field = null } = error as { file?: string; field?: string };
    const message = error instanceof ContentError ? error.problem : (error as Error).message;
    const problem: ContentProblem = { file, field, message, at: now.toISOString() };
    runtime.contentProblem = problem;
    recordContentProblem(runtime.db, problem);
    return { outcome: 'kept', problem };
  }
  runtime.content = content;
  runtime.authored = content.authored;
  runtime.contentProblem = null;
  recordContentProblem(runtime.db, null);
  if (!changed) return { outcome: 'unchanged' };
  recordAudit(runtime.db, systemActor, 'content.reload', null, { trigger, incidents: content.authored.length, components: content.catalog.components.length }, now);
  return { outcome: 'reloaded' };
}

/**
 * Reloads the content on SIGHUP (`systemctl reload`), when `herald reload`
 * asks through the database (looked at every second), and, when watching,
 * 200 ms after the last change in the folder (an editor or a git checkout
 * writes several files). Returns what stops it all.
 */
export function reloadContentOnChange(runtime: Runtime, watching: boolean): () => void {
  let settle: NodeJS.Timeout | undefined;
  const reload = (trigger: string) => {
    const result = reloadContent(runtime, trigger);
    if (result.outcome === 'reloaded') log.info(`content reloaded (${trigger})`);
    if (result.outcome === 'kept') log.error(`content not reloaded (${trigger}); still serving the last good content: ${describeContentProblem(result.problem)}`);
  };
  const onHangUp = () => reload('SIGHUP');
  process.on('SIGHUP', onHangUp);
  const watcher = watching
    ? watch(contentFolder, { recursive: true }, () => {
        clearTimeout(settle);
        settle = setTimeout(() => reload('a file changed'), 200);
      })
    : null;
  watcher?.on('error', (error) => log.error(`cannot watch ${contentFolder} (${error.message}); reload with SIGHUP or herald reload`));
  let asked = contentReloadRequestedAt(runtime.db);
  const poll = setInterval(() => {
    const at = contentReloadRequestedAt(runtime.db);
    if (at > asked) {
      asked = at;
      reload('herald reload');
    }
  }, 1000);
  poll.unref();
  return () => {
    process.off('SIGHUP', onHangUp);
    watcher?.close();
    clearInterval(poll);
    clearTimeout(settle);
  };
}

let provided: Runtime | undefined;
let started: Promise<Runtime> | undefined;

/** Called by the middleware with the runtime Herald's server handed to Astro. */
export function provideRuntime(runtime: Runtime | undefined): void {
  if (runtime) provided = runtime;
}

/** The runtime; under `astro dev`, where no Herald server hands one over, it starts its own. */
export function getRuntime(): Promise<Runtime> {
  if (provided) return Promise.resolve(provided);
  started ??= startRuntime();
  return started;
}
