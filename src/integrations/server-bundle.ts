// After the build, Herald's own HTTP server (src/lib/server/http/server.ts, the
// code around Astro's handler) is bundled into dist/herald/server.mjs, so
// production runs plain JavaScript with plain `node`: no TypeScript loader
// (and its extra thread and isolate, about 50 MB) in the serving process. The
// CLI and the tests still run the TypeScript sources through tsx.
import type { AstroIntegration } from 'astro';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const serverBundle = 'dist/herald/server.mjs';

export default function serverBundleIntegration(): AstroIntegration {
  return {
    name: 'herald:server-bundle',
    hooks: {
      'astro:build:done': async ({ logger }) => {
        const root = fileURLToPath(new URL('../..', import.meta.url));
        await build({
          entryPoints: [`${root}src/lib/server/http/server.ts`],
          outfile: `${root}${serverBundle}`,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: 'node20',
          // Dependencies stay in node_modules (native ones such as better-sqlite3 cannot be bundled).
          packages: 'external',
          sourcemap: 'linked',
          logLevel: 'warning',
        });
        logger.info(`Herald's server bundled into ${serverBundle}`);
      },
    },
  };
}
