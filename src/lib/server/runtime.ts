// The server's one set of long-lived things: configuration, the database, the
// authored content and the cache of rendered answers. Herald's HTTP server
// (server.ts) starts it once and hands it to Astro with every request, in
// `locals.herald`; the middleware passes it on here, so pages and endpoints
// reach it through getRuntime() and never open the database themselves.
import { type Content, readContentFolder } from '../content/index';
import { ConfigError, loadConfig, type Config } from '../config';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFirstOwner, firstOwnerEmail } from './accounts';
import { syncContent, type LogContext } from './publishing';
import { openDatabase, type HeraldDb } from './db';
import { contentFolder, resolveFromCwd } from './paths';
import { RenderCache } from './http';
import { ensureSiteSecrets } from './site-secrets';
import { StorageHealth } from './storage';

export interface Runtime extends LogContext {
  config: Config;
  db: HeraldDb;
  content: Content;
  /** Public answers as rendered, shared by the Node server's fast path and the middleware. */
  renderCache: RenderCache;
  /** Whether the database's disk has room (storage-health.ts). */
  storage: StorageHealth;
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
    console.log(
      [
        `Herald: created the first account, an owner. Log in at ${config.siteUrl}/admin/login with`,
        `  email:    ${firstOwnerEmail}`,
        `  password: ${password}`,
        'This password is shown only once. Change it under Account once logged in.',
      ].join('\n'),
    );
  }
  return { config, db, content, authored: content.authored, renderCache: new RenderCache(), storage: new StorageHealth(resolveFromCwd(config.databasePath)) };
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
