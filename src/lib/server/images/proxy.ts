// GET /img/<signature>/<url>: an image from another host, served as our own
// (links.ts makes these paths). A path Herald did not sign is a 404; an
// image that cannot be fetched within the limits (fetch.ts) is a small
// 502 (504 on a timeout), never a 500. Images come from the disk cache
// (cache.ts) when they can.
import type { Config } from '../../config';
import type { HeraldDb } from '../db';
import { ImageCache } from './cache';
import { fetchImage, ImageFetchError, imageFetchLimits, type ImageFetchPolicy } from './fetch';
import { imageSecret, verifiedImageUrl } from './links';
import { log } from '../log';

export interface ImageProxy {
  secret: string;
  policy: ImageFetchPolicy;
  cache: ImageCache;
}

/** Browsers and CDNs may keep an image a day: a signed URL names one image, and cached copies leak nothing to its origin. */
export const imageCachePolicy = 'public, max-age=86400';

const proxies = new WeakMap<HeraldDb, ImageProxy>();

/** The server's one proxy, with its cache (one per database, so one per process in practice). */
export function imageProxy(runtime: { db: HeraldDb; config: Pick<Config, 'imageProxy'> }): ImageProxy {
  let proxy = proxies.get(runtime.db);
  if (!proxy) {
    const { allowPrivate, cacheDir, cacheMb } = runtime.config.imageProxy;
    proxy = {
      secret: imageSecret(runtime.db),
      policy: { allowPrivate, ...imageFetchLimits },
      cache: new ImageCache(cacheDir, cacheMb * 1024 * 1024),
    };
    proxies.set(runtime.db, proxy);
  }
  return proxy;
}

const refusal = (status: number, message: string) =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

/** The answer to /img/<rest>. */
export async function imageResponse(proxy: ImageProxy, rest: string): Promise<Response> {
  const url = verifiedImageUrl(proxy.secret, rest);
  if (!url) return refusal(404, 'No such image.');
  try {
    const image = await proxy.cache.get(url, async () => {
      try {
        return await fetchImage(url, proxy.policy);
      } catch (error) {
        // Logged once per failure (the cache remembers it a minute); visitors get no details.
        log.warn(`image proxy: ${url}: ${(error as Error).message}`);
        throw error;
      }
    });
    return new Response(new Uint8Array(image.body), {
      headers: {
        'Content-Type': image.type,
        'Content-Length': String(image.body.length),
        'Cache-Control': imageCachePolicy,
        'X-Content-Type-Options': 'nosniff',
        // Feeds point here, and feed readers on other sites show what they point at.
        'Cross-Origin-Resource-Policy': 'cross-origin',
        ETag: image.etag,
      },
    });
  } catch (error) {
    const status = error instanceof ImageFetchError ? error.status : 502;
    return refusal(status, status === 504 ? 'The image took too long to fetch.' : 'The image could not be fetched.');
  }
}
