// Runs the built Herald: `node scripts/serve.mjs` (after `npm run build`).
// Plain JavaScript: the build bundles Herald's own server into
// dist/herald/server.mjs (src/integrations/server-bundle.ts), so no
// TypeScript loader runs in the serving process.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/herald/server.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('Herald cannot start: there is no build in dist/: run npm run build first');
  process.exit(1);
}
process.env.ASTRO_TELEMETRY_DISABLED = '1';
const { serve } = await import(bundle.href);
await serve();
