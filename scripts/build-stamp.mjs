// Whether dist/ was built from the sources as they are now: `npm start` skips
// the build (about 12 s) when it was. The build writes the fingerprint of its
// inputs, taken as it starts (src/integrations/server-bundle.ts); content/ is
// not among them, as the server reads and checks it at start and at every
// reload, not the build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const inputs = ['src', 'public', 'astro.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

function filesUnder(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

/** A hash of every build input's path and bytes. */
export function sourceFingerprint(root) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(join(root, input))).sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const stampOf = (root) => join(root, 'dist', '.source-fingerprint');

export function writeBuildStamp(root, fingerprint) {
  writeFileSync(stampOf(root), fingerprint);
}

/** True when dist/ holds a complete build of the sources as they are. */
export function buildIsCurrent(root) {
  const stamp = stampOf(root);
  return existsSync(stamp) && existsSync(join(root, 'dist', 'herald', 'server.mjs')) && readFileSync(stamp, 'utf8') === sourceFingerprint(root);
}
