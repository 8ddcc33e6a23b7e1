#!/usr/bin/env node
// The `herald` command: the CLI as built JavaScript, run with plain node.
// `npm run build` (and `npm start`) bundle it into dist/herald/cli.mjs.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/herald/cli.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('herald: there is no build in dist/: run npm run build first');
  process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
