// The built stylesheets, scripts and icons (dist/client), held in memory with
// their brotli and gzip forms, which the build made beside them
// (src/integrations/precompress.ts). Names Astro hashed (/_astro/…) never
// change content, so browsers and proxies may keep them for a year.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { etagMatches, etagOf } from './http-cache';

interface StaticFile {
  type: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  br: Buffer | null;
  gzip: Buffer | null;
}

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml; charset=utf-8',
};

export const immutableCachePolicy = 'public, max-age=31536000, immutable';
/** Unhashed files (the favicon) may change with a release: a day, then revalidate. */
const unhashedCachePolicy = 'public, max-age=86400';

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every file under `folder` by its URL path; the .br and .gz siblings become variants of their file. */
export function loadStaticFiles(folder: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(folder)) return files;
  for (const path of walk(folder)) {
    if (path.endsWith('.br') || path.endsWith('.gz')) continue;
    const urlPath = `/${relative(folder, path).split(sep).join('/')}`;
    const identity = readFileSync(path);
    const variant = (suffix: string) => (existsSync(path + suffix) ? readFileSync(path + suffix) : null);
    files.set(urlPath, {
      type: types[extname(path).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: urlPath.startsWith('/_astro/') ? immutableCachePolicy : unhashedCachePolicy,
      etag: etagOf(identity),
      identity,
      br: variant('.br'),
      gzip: variant('.gz'),
    });
  }
  return files;
}

/** Answers a GET or HEAD for a built file; false, having written nothing, when `path` is not one. */
export function answerStaticFile(files: Map<string, StaticFile>, path: string, request: IncomingMessage, response: ServerResponse): boolean {
  const file = files.get(path);
  if (!file) return false;
  const accepted = String(request.headers['accept-encoding'] ?? '');
  const encoding = file.br && /\bbr\b/.test(accepted) ? 'br' : file.gzip && /\bgzip\b/.test(accepted) ? 'gzip' : 'identity';
  const body = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.identity;
  const etag = encoding === 'identity' ? file.etag : `${file.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`;
  response.setHeader('Content-Type', file.type);
  response.setHeader('Cache-Control', file.cacheControl);
  response.setHeader('ETag', etag);
  if (file.br || file.gzip) response.setHeader('Vary', 'Accept-Encoding');
  if (etagMatches(request.headers['if-none-match'] ?? null, etag)) {
    response.writeHead(304).end();
    return true;
  }
  if (encoding !== 'identity') response.setHeader('Content-Encoding', encoding);
  response.setHeader('Content-Length', body.length);
  response.writeHead(200).end(request.method === 'HEAD' ? undefined : body);
  return true;
}
