// The image proxy against a real HTTP server on loopback: what it serves, what
// it refuses (bad signatures, non-images, SVG, oversized bodies, slow origins,
// redirects and names that lead to loopback or link-local addresses), and its
// disk cache (no second fetch, one fetch for concurrent requests, a bound).
import { createHash } from 'node:crypto';
import { readdirSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageCache } from '../../src/lib/server/images/cache';
import { fetchImage, ImageFetchError, imageFetchLimits, type ImageFetchPolicy } from '../../src/lib/server/images/fetch';
import { imagePath, imageSecret, proxiedImages } from '../../src/lib/server/images/links';
import { imageProxy, imageResponse, type ImageProxy } from '../../src/lib/server/images/proxy';
import { openDatabase } from '../../src/lib/server/db';
import { resolvePublicAddress } from '../../src/lib/server/public-address';
import { loadConfig } from '../../src/lib/config';
import { png, pngImage, startImageServer, type ImageServer } from '../helpers/image-server';
import { freshContext, tempDir } from '../helpers/temp-db';

const servers: ImageServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function origin() {
  const server = await startImageServer();
  servers.push(server);
  return server;
}

const secret = 'integration-secret';

function proxyWith(policy: Partial<ImageFetchPolicy> = {}, cacheBytes = 10 * 1024 * 1024): ImageProxy {
  return {
    secret,
    policy: { allowPrivate: true, ...imageFetchLimits, timeoutMs: 2_000, maxBytes: 64 * 1024, ...policy },
    cache: new ImageCache(join(tempDir(), 'image-cache'), cacheBytes),
  };
}

/** What the route answers for the image at `url`. */
const get = (proxy: ImageProxy, url: string) => imageResponse(proxy, imagePath(proxy.secret, url)!.slice('/img/'.length));

/** A resolver that calls the host `images.test` public and at 127.0.0.1, and judges every other host as Herald does. */
const publicLoopback = (hostname: string, allowPrivate: boolean) =>
  hostname === 'images.test' ? Promise.resolve({ address: '127.0.0.1', family: 4 as const }) : resolvePublicAddress(hostname, allowPrivate);

async function refusal(promise: Promise<unknown>): Promise<ImageFetchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageFetchError);
  return error as ImageFetchError;
}

describe('the image proxy', () => {
  it('serves a PNG as its own, with the checked type and a day of caching', async () => {
    const server = await origin();
    const response = await get(proxyWith(), `${server.url}/ok.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(png);
    expect(server.hits).toEqual(['/ok.png']);
  });

  it('answers 404 to a path it did not sign, without contacting anyone', async () => {
    const server = await origin();
    const proxy = proxyWith();
    const forged = imagePath('someone-elses-secret', `${server.url}/ok.png`)!.slice('/img/'.length);
    for (const rest of [forged, 'x/y', '', `${forged.slice(0, 43)}`]) {
      const response = await imageResponse(proxy, rest);
      expect(response.status).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(server.hits).toEqual([]);
  });

  it.each([
    ['/page.html', /"text\/html" is not an image type/],
    ['/drawing.svg', /"image\/svg\+xml" is not an image type/],
    ['/lying.png', /not a PNG, JPEG, GIF, WebP or AVIF image/],
    ['/missing.png', /HTTP 404/],
  ])('refuses %s with a small 502', async (path, reason) => {
    const server = await origin();
    const proxy = proxyWith();
    expect((await refusal(fetchImage(`${server.url}${path}`, proxy.policy))).message).toMatch(reason);
    const response = await get(proxy, `${server.url}${path}`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('The image could not be fetched.');
  });

  it('refuses a body over the limit, counted while it streams and from a Content-Length', async () => {
    const server = await origin();
    const proxy = proxyWith({ maxBytes: 64 * 1024 });
    expect((await refusal(fetchImage(`${server.url}/big.png`, proxy.policy))).message).toMatch(/more than the 65536 bytes allowed/);
    expect((await refusal(fetchImage(`${server.url}/big-declared.png`, proxy.policy))).message).toMatch(/52428800 bytes, more than the 65536/);
    expect((await get(proxy, `${server.url}/big.png`)).status).toBe(502);
    // Just under the limit is fine.
    expect((await fetchImage(`${server.url}/ok.png`, { ...proxy.policy, maxBytes: png.length })).body).toEqual(png);
  });

  it('gives up on a server that never answers, with a 504, in time', async () => {
    const server = await origin();
    const proxy = proxyWith({ timeoutMs: 300 });
    const started = Date.now();
    const response = await get(proxy, `${server.url}/hang.png`);
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await refusal(fetchImage(`${server.url}/hang.png`, proxy.policy))).status).toBe(504);
  });

  it('follows a few redirects, and no more', async () => {
    const server = await origin();
    const policy = proxyWith().policy;
    const hop = (to: string) => `${server.url}/redirect?to=${encodeURIComponent(to)}`;
    expect((await fetchImage(hop(hop('/ok.png')), policy)).type).toBe('image/png');
    const tooMany = hop(hop(hop(hop('/ok.png'))));
    expect((await refusal(fetchImage(tooMany, policy))).message).toBe('more than 3 redirects');
    expect((await refusal(fetchImage(hop('ftp://images.example/x.png'), policy))).message).toMatch(/ftp: URLs are not fetched/);
  });

  it.each(['127.0.0.1', '169.254.169.254', 'localhost'])('refuses a redirect to %s when private addresses are not allowed', async (host) => {
    const server = await origin();
    const policy = { ...proxyWith().policy, allowPrivate: false, resolve: publicLoopback };
    const target = `http://${host}:${server.port}/ok.png`;
    // The first hop is "public" (images.test), the redirect is checked again and refused before any connection.
    const error = await refusal(fetchImage(`http://images.test:${server.port}/redirect?to=${encodeURIComponent(target)}`, policy));
    expect(error.message).toMatch(/is not a public address/);
    expect(server.hits).toEqual([`/redirect?to=${encodeURIComponent(target)}`]);
  });

  it('refuses a URL whose name resolves to a private address, checked after DNS', async () => {
    const server = await origin();
    const proxy = proxyWith({ allowPrivate: false });
    for (const url of [`http://localhost:${server.port}/ok.png`, `${server.url}/ok.png`, `http://[::1]:${server.port}/ok.png`]) {
      expect((await refusal(fetchImage(url, proxy.policy))).message).toMatch(/resolves to .*, which is not a public address/);
    }
    expect((await get(proxy, `http://localhost:${server.port}/ok.png`)).status).toBe(502);
    expect(server.hits).toEqual([]);
  });
});

describe('the image cache', () => {
  it('serves a second request, and one after a restart, without contacting the origin', async () => {
    const server = await origin();
    const proxy = proxyWith();
    const url = `${server.url}/ok.png`;
    const first = await get(proxy, url);
    const second = await get(proxy, url);
    expect(second.status).toBe(200);
    expect(Buffer.from(await second.arrayBuffer())).toEqual(png);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    const restarted = { ...proxy, cache: new ImageCache(proxy.cache.dir, proxy.cache.maxBytes) };
    expect((await get(restarted, url)).headers.get('content-type')).toBe('image/png');
    expect(server.hits).toEqual(['/ok.png']);
  });

  it('fetches an image once for requests that arrive together', async () => {
    const server = await origin();
    const proxy = proxyWith();
    const answers = await Promise.all(Array.from({ length: 5 }, () => get(proxy, `${server.url}/slow.png`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.hits).toEqual(['/slow.png']);
  });

  it('remembers a failure for a minute instead of asking the origin at every view', async () => {
    const server = await origin();
    const proxy = proxyWith();
    expect((await get(proxy, `${server.url}/missing.png`)).status).toBe(502);
    expect((await get(proxy, `${server.url}/missing.png`)).status).toBe(502);
    expect(server.hits).toEqual(['/missing.png']);
  });

  it('stays under its bound by deleting the least recently used images', async () => {
    const image = pngImage(3, 2, 1000);
    const bound = Math.floor(image.length * 3.5); // room for three
    const cache = new ImageCache(join(tempDir(), 'image-cache'), bound);
    const url = (name: string) => `https://images.example/${name}.png`;
    const keep = (name: string) => cache.get(url(name), async () => ({ type: 'image/png', body: image }));
    const fileOf = (name: string) => join(cache.dir, `${createHash('sha256').update(url(name)).digest('hex')}.img`);
    const kept = () => readdirSync(cache.dir).filter((f) => f.endsWith('.img')).sort();
    const ago = (ms: number) => new Date(Date.now() - ms);

    for (const name of ['a', 'b', 'c']) await keep(name);
    // a and b were last used minutes ago, a longest; using a now leaves b the least recently used.
    utimesSync(fileOf('a'), ago(300_000), ago(300_000));
    utimesSync(fileOf('b'), ago(200_000), ago(200_000));
    await keep('a');
    await keep('d');
    expect(kept()).toEqual(['a', 'c', 'd'].map((name) => basename(fileOf(name))).sort());
    for (const name of 'efghij') {
      await keep(name);
      expect(await cache.size()).toBeLessThanOrEqual(bound);
    }
    expect(kept()).toHaveLength(3);
  });
});

describe('the proxy in the server', () => {
  it('signs with a key made once and kept in the database', () => {
    const ctx = freshContext();
    const key = imageSecret(ctx.db);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(imageSecret(openDatabase(ctx.path))).toBe(key);
    const rewrite = proxiedImages(ctx, 'https://status.example.com');
    expect(rewrite('https://images.example/x.png')).toBe(`https://status.example.com${imagePath(key, 'https://images.example/x.png')}`);
    expect(rewrite('ftp://images.example/x.png')).toBeNull();
  });

  it('keeps its cache beside the database and refuses private addresses unless told', async () => {
    const ctx = freshContext();
    const server = await origin();
    const config = loadConfig({ HERALD_DB: ctx.path });
    const proxy = imageProxy({ db: ctx.db, config });
    expect(proxy.cache.dir).toBe(join(ctx.path, '..', 'image-cache'));
    expect(proxy.policy).toMatchObject({ allowPrivate: false, timeoutMs: 5_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 3 });
    expect((await get(proxy, `${server.url}/ok.png`)).status).toBe(502);
    expect(server.hits).toEqual([]);
    const open = imageProxy({ db: openDatabase(ctx.path), config: loadConfig({ HERALD_DB: ctx.path, IMAGE_PROXY_ALLOW_PRIVATE: '1' }) });
    expect((await get(open, `${server.url}/ok.png`)).status).toBe(200);
  });
});
