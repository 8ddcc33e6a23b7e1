// A real HTTP server on loopback that stands for another site's images: a
// valid PNG, things that are not images, bodies that are too big, an answer
// that never comes, and redirects. It records every path it was asked for.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of one colour, which a browser decodes. `padding` bytes of an ancillary chunk make it bigger. */
export function pngImage(width = 3, height = 2, padding = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(padding ? [chunk('teXt', Buffer.alloc(padding, 0x61))] : []),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const png = pngImage();

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const routes: Record<string, Route> = {
  '/ok.png': (_req, res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png),
  // Any other path ending in .png is a distinct image of the same bytes, for the cache.
  '/page.html': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><p>not an image</p>'),
  '/drawing.svg': (_req, res) =>
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  '/lying.png': (_req, res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end('<!doctype html><script>alert(1)</script>'),
  // No Content-Length: the size is only known while it streams.
  '/big.png': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.write(png.subarray(0, 8));
    for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024));
    res.end();
  },
  '/big-declared.png': (_req, res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 50 * 1024 * 1024 }).write(png),
  '/hang.png': () => {
    /* never answers */
  },
  '/slow.png': (_req, res) => setTimeout(() => routes['/ok.png'](_req, res, new URL('http://x')), 300),
  '/redirect': (_req, res, url) => res.writeHead(302, { Location: url.searchParams.get('to') ?? '/ok.png' }).end(),
  '/missing.png': (_req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no'),
};

export interface ImageServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every path asked for, with its query, in order. */
  hits: string[];
  close(): Promise<void>;
}

export async function startImageServer(): Promise<ImageServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname + url.search);
    const route = routes[url.pathname] ?? (url.pathname.endsWith('.png') ? routes['/ok.png'] : null);
    if (route) route(req, res, url);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
