// `npm start`: check the configuration, build (content/ is baked into the build,
// so every start picks up edited markdown), then run the built server.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.ASTRO_TELEMETRY_DISABLED = '1';

register();
const { loadConfig } = await import('../src/lib/config.ts');
try {
  loadConfig();
} catch (error) {
  console.error(`Herald cannot start: ${error.message}`);
  process.exit(1);
}

console.log('Building Herald…');
const build = spawnSync(process.execPath, [join(root, 'node_modules/astro/astro.js'), 'build'], {
  cwd: root,
  encoding: 'utf8',
});
if (build.status !== 0) {
  // Content errors name the file and field; show the build's own words.
  process.stderr.write(build.stdout + build.stderr);
  console.error('Herald cannot start: the build failed (see above).');
  process.exit(1);
}
const { serve } = await import('../src/lib/server/server.ts');
await serve();
