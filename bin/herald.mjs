#!/usr/bin/env node
// The `herald` command. The CLI is TypeScript shared with the server; tsx runs it
// directly, so there is nothing to build before staff can use it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
