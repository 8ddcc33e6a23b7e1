// Images in markdown that live on other hosts are shown through Herald, at
// /img/<signature>/<the URL in base64url>, so a visitor's browser never
// contacts a third party. The signature (HMAC-SHA256 with a key kept in the
// database) limits the proxy to URLs Herald itself wrote into a page, so
// nobody can use it as an open proxy. The URL travels in the path, not in a
// query string, so the static export fetches each image and writes it as a file.
import { createHmac } from 'node:crypto';
import type { HeraldDb } from '../db';
import { sameSecret } from '../secrets';
import { siteSecret } from '../site-secrets';

export const imagePathPrefix = '/img/';

/** Longer URLs stay links: nobody writes them by hand, and paths must stay well under file-system limits. */
export const maxImageUrlLength = 2000;

/** A file name may have at most 255 bytes, so a long encoded URL is split into folders. */
const segmentLength = 200;

/** The key that signs image URLs: made once, kept in the database, so links survive restarts and exports. */
export function imageSecret(db: HeraldDb): string {
  return siteSecret(db, 'image-secret');
}

export function signImageUrl(secret: string, url: string): string {
  return createHmac('sha256', secret).update(`image\n${url}`).digest('base64url');
}

/** The form of `src` the proxy fetches (http or https, no credentials, no fragment), or null when it fetches no such URL. */
export function proxiableUrl(src: string): string | null {
  let url: URL;
  try {
    url = new URL(src.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  url.hash = '';
  return url.href.length <= maxImageUrlLength ? url.href : null;
}

const encodedPath = (url: string) => Buffer.from(url, 'utf8').toString('base64url').match(new RegExp(`.{1,${segmentLength}}`, 'g'))!.join('/');

/** The same-origin path that shows the image at `src`, or null when it cannot be proxied. */
export function imagePath(secret: string, src: string): string | null {
  const url = proxiableUrl(src);
  return url ? `${imagePathPrefix}${signImageUrl(secret, url)}/${encodedPath(url)}` : null;
}

/**
 * The URL a proxy path names (`rest` is what follows /img/), when its
 * signature is right and it is the one path Herald writes for that URL; null otherwise.
 */
export function verifiedImageUrl(secret: string, rest: string): string | null {
  const slash = rest.indexOf('/');
  if (slash < 1 || rest.length > maxImageUrlLength * 2) return null;
  const [signature, encoded] = [rest.slice(0, slash), rest.slice(slash + 1)];
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(encoded)) return null;
  const url = Buffer.from(encoded.replaceAll('/', ''), 'base64url').toString('utf8');
  if (!sameSecret(signImageUrl(secret, url), signature)) return null;
  return proxiableUrl(url) === url && encodedPath(url) === encoded ? url : null;
}

const linkMakers = new WeakMap<HeraldDb, Map<string, (src: string) => string | null>>();

/**
 * What renderMarkdown needs to show images on other hosts: their proxy path,
 * prefixed with `base` where the answer is read away from the site (feeds).
 */
export function proxiedImages(runtime: { db: HeraldDb }, base = ''): (src: string) => string | null {
  // One function per database and base: renderMarkdown keeps what it rendered per function.
  let byBase = linkMakers.get(runtime.db);
  if (!byBase) linkMakers.set(runtime.db, (byBase = new Map()));
  let make = byBase.get(base);
  if (!make) {
    const secret = imageSecret(runtime.db);
    make = (src) => {
      const path = imagePath(secret, src);
      return path && base + path;
    };
    if (byBase.size < 16) byBase.set(base, make); // bounded: a base is the site's own address
  }
  return make;
}
