// Where the project lives, found from this file so it works from src/ (CLI,
// tests) and from the bundle in dist/server/ alike, whatever the working folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'herald') return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const projectRoot = findRoot();

/** The committed drizzle-kit migrations. */
export const migrationsFolder = join(projectRoot, 'src/db/migrations');

/** What `npm run build` makes: Astro's request handler, and the files browsers download. */
export const builtEntry = join(projectRoot, 'dist/server/entry.mjs');
export const builtClient = join(projectRoot, 'dist/client');

/** Runs the built server (Herald's own HTTP server around Astro's handler). */
export const serverScript = join(projectRoot, 'scripts/serve.mjs');
/** The `herald` command, as built (the server runs `herald mirror` with it). */
export const cliScript = join(projectRoot, 'bin/herald.mjs');

/**
 * The authored content: page.yml, components.yml, incidents/, templates/ and
 * the brand's files. CONTENT_DIR serves another folder (a repository of its
 * own, say); it is checked at start as the build checks content/.
 */
export const contentFolder = process.env.CONTENT_DIR ? resolve(process.cwd(), process.env.CONTENT_DIR) : join(projectRoot, 'content');

/** Resolves a configured path against the working folder, as a user typing it expects. */
export function resolveFromCwd(path: string): string {
  return resolve(process.cwd(), path);
}

/** The backup's worker thread: plain JavaScript loaded from src/ by the built server and by tsx alike. */
export const backupWorkerFile = join(projectRoot, 'src/lib/server/storage/backup-worker.mjs');
