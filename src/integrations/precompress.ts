// After the build, every compressible file the browser downloads (dist/client)
// gets its brotli (.br) and gzip (.gz) form beside it, made once at the best
// settings, so the server sends the small form without compressing per request
// (src/lib/server/http/static-files.ts).
import type { AstroIntegration } from 'astro';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const compressible = /\.(css|js|mjs|svg|ico|txt|json|webmanifest|xml|html)$/i;

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export default function precompress(): AstroIntegration {
  return {
    name: 'herald:precompress',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        let count = 0;
        for (const path of walk(fileURLToPath(dir))) {
          if (!compressible.test(path)) continue;
          const body = readFileSync(path);
          const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } });
          const gz = gzipSync(body, { level: 9 });
          // A form no smaller than the file is not worth a Content-Encoding.
          if (br.length < body.length) writeFileSync(`${path}.br`, br);
          if (gz.length < body.length) writeFileSync(`${path}.gz`, gz);
          count++;
        }
        logger.info(`${count} files precompressed (brotli and gzip)`);
      },
    },
  };
}
