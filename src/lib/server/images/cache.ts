// The image proxy's disk cache: one file per image URL, named by the URL's
// SHA-256, holding a header line (the checked type and an ETag) and then the
// bytes. It is bounded: after each new file the least recently used files go
// (a hit refreshes a file's mtime) until the folder is under its limit. Files
// are written under a temporary name and renamed into place, so the server and
// `herald export`'s server can share the folder. One URL is fetched once at a
// time, and a failure is remembered for a minute, so a page full of visitors
// with a broken image neither queues fetches nor floods the log.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageTypes, type ImageType } from './types';
import type { FetchedImage } from './fetch';
import { log } from '../log';

export interface CachedImage extends FetchedImage {
  etag: string;
}

/** How long a failed fetch is answered from memory before the origin is asked again. */
export const failureMemoryMs = 60_000;
/** A hit refreshes the file's mtime at most this often; a minute is precise enough for "least recently used". */
const touchEveryMs = 60_000;

const hash = (value: string | Buffer) => createHash('sha256').update(value).digest('hex');

function parse(file: Buffer): CachedImage | null {
  const end = file.indexOf(0x0a);
  if (end < 0 || end > 100) return null;
  const [type, etag] = file.subarray(0, end).toString('latin1').split(' ');
  if (!(imageTypes as readonly string[]).includes(type) || !etag) return null;
  return { type: type as ImageType, etag, body: file.subarray(end + 1) };
}

export class ImageCache {
  private readonly fetching = new Map<string, Promise<CachedImage>>();
  private readonly failures = new Map<string, { error: unknown; until: number }>();
  private trimming: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private path(key: string): string {
    return join(this.dir, `${key}.img`);
  }

  /** The image for `url`: from disk, or from `fetch` (never two at once for one URL), then kept. */
  async get(url: string, fetch: () => Promise<FetchedImage>): Promise<CachedImage> {
    const key = hash(url);
    const kept = await this.read(key);
    if (kept) return kept;
    const failed = this.failures.get(key);
    if (failed && failed.until > Date.now()) throw failed.error;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetchAndKeep(key, fetch).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  private async fetchAndKeep(key: string, fetch: () => Promise<FetchedImage>): Promise<CachedImage> {
    let image: CachedImage;
    try {
      const fetched = await fetch();
      image = { ...fetched, etag: `"${hash(fetched.body).slice(0, 32)}"` };
    } catch (error) {
      this.forgetOldFailures();
      this.failures.set(key, { error, until: Date.now() + failureMemoryMs });
      throw error;
    }
    try {
      await this.write(key, image);
    } catch (error) {
      // A full or read-only disk costs the cache, not the visitor's image.
      log.error(`could not keep an image in ${this.dir}: ${(error as Error).message}`);
    }
    return image;
  }

  private forgetOldFailures() {
    const now = Date.now();
    for (const [key, failure] of this.failures) if (failure.until <= now) this.failures.delete(key);
  }

  private async read(key: string): Promise<CachedImage | null> {
    let handle;
    try {
      handle = await open(this.path(key), 'r');
    } catch {
      return null; // not kept (or just evicted)
    }
    try {
      const [info, file] = [await handle.stat(), await handle.readFile()];
      const now = new Date();
      if (now.getTime() - info.mtimeMs > touchEveryMs) await handle.utimes(now, now);
      return parse(file);
    } catch {
      return null;
    } finally {
      await handle.close();
    }
  }

  private async write(key: string, image: CachedImage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temporary = `${this.path(key)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeFile(temporary, Buffer.concat([Buffer.from(`${image.type} ${image.etag}\n`, 'latin1'), image.body]));
    await rename(temporary, this.path(key));
    this.trimming = this.trimming.then(() => this.trim()).catch(() => {});
    await this.trimming;
  }

  /** Deletes the least recently used files until the folder holds at most maxBytes. */
  async trim(): Promise<void> {
    const files: { path: string; size: number; used: number }[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.img')) continue; // temporary files belong to a write in progress
      try {
        const info = await stat(join(this.dir, name));
        files.push({ path: join(this.dir, name), size: info.size, used: info.mtimeMs });
      } catch {
        /* deleted meanwhile by another process */
      }
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    for (const file of files.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes) break;
      await rm(file.path, { force: true });
      total -= file.size;
    }
  }

  /** Bytes the kept images take now. */
  async size(): Promise<number> {
    let total = 0;
    for (const name of await readdir(this.dir).catch(() => [])) {
      if (name.endsWith('.img')) total += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }
}
