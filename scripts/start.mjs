// `npm start`: build when the sources changed since the last build (a
// fingerprint of src/ and the rest, scripts/build-stamp.mjs), then run the built
// server, which checks the configuration and content/ first and stops with one
// line naming a bad value. Content changes need no build and no restart: the
// server reads content/ again when a file in it changes.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from './build-stamp.mjs';
import { serverNodeFlags } from './server-flags.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.ASTRO_TELEMETRY_DISABLED = '1';

if (buildIsCurrent(root)) {
  console.log('Herald: the build in dist/ is current; starting it.');
} else {
  console.log('Building Herald…');
  const build = spawnSync(process.execPath, [join(root, 'node_modules/astro/astro.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    console.error('Herald cannot start: the build failed (see above).');
    process.exit(1);
  }
}
// The server in a process of its own, with its Node flags; signals go through to it (a SIGTERM drains).
const server = spawn(process.execPath, [...serverNodeFlags, join(root, 'scripts/serve.mjs')], { cwd: process.cwd(), stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
