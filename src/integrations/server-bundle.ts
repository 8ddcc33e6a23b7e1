// After the build, Herald's own code outside Astro is bundled into plain
// JavaScript: the HTTP server (src/lib/server/http/server.ts, the code around
// Astro's handler) into dist/herald/server.mjs, and the CLI (src/cli/main.ts)
// into dist/herald/cli.mjs. Production runs them with plain `node`: no
// TypeScript loader (and its extra thread and isolate, about 50 MB) in any of
// Herald's processes, and no compiler among the production dependencies.
import type { AstroIntegration } from 'astro';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { sourceFingerprint, writeBuildStamp } from '../../scripts/build-stamp.mjs';

export const serverBundle = 'dist/herald/server.mjs';
export const cliBundle = 'dist/herald/cli.mjs';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [`${projectRoot}${entry}`],
    outfile: `${projectRoot}${outfile}`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay in node_modules (native ones such as better-sqlite3 cannot be bundled).
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/** The CLI alone (the test suite makes it before it runs, so the CLI it tests is the one in src/). */
export function bundleCli(): Promise<void> {
  return bundle('src/cli/main.ts', cliBundle);
}

export default function serverBundleIntegration(): AstroIntegration {
  // The sources as the build found them: `npm start` rebuilds only when they have changed since (scripts/build-stamp.mjs).
  let fingerprint = '';
  return {
    name: 'herald:server-bundle',
    hooks: {
      'astro:build:start': () => {
        fingerprint = sourceFingerprint(projectRoot);
      },
      'astro:build:done': async ({ logger }) => {
        await Promise.all([bundle('src/lib/server/http/server.ts', serverBundle), bundleCli()]);
        writeBuildStamp(projectRoot, fingerprint);
        logger.info(`Herald's server and CLI bundled into ${serverBundle} and ${cliBundle}`);
      },
    },
  };
}
