// Runs the built Herald: `node scripts/serve.mjs` (after `npm run build`).
// Herald's server is TypeScript shared with the CLI; tsx loads it.
import { register } from 'tsx/esm/api';

process.env.ASTRO_TELEMETRY_DISABLED = '1';
register();
const { serve } = await import('../src/lib/server/server.ts');
await serve();
