// `npm start`: build (content/ is checked by the build and read at start, so
// every start picks up edited markdown), then run the built server, which
// checks the configuration first and stops with one line naming a bad value.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from './server-flags.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.ASTRO_TELEMETRY_DISABLED = '1';

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
// The server in a process of its own, with its Node flags; signals go through to it (a SIGTERM drains).
const server = spawn(process.execPath, [...serverNodeFlags, join(root, 'scripts/serve.mjs')], { cwd: process.cwd(), stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
