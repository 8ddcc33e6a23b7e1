// The image proxy's one outbound request. Whoever wrote the markdown chose the
// URL and whoever runs that host chooses the answer, so: http and https only;
// every hop's host resolved and checked (public-address.ts) and the connection
// made to the address that was checked; a few redirects at most, each checked
// again; one time limit for the whole fetch; only image types, confirmed by
// their first bytes; and a size limit counted while the body arrives.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { imageTypes, declaredImageType, sniffImageType, type ImageType } from './types';
import { pinnedLookup, resolvePublicAddress, type ResolvedAddress } from '../public-address';

export interface ImageFetchPolicy {
  /** Let URLs reach loopback, private and link-local addresses (tests only). */
  allowPrivate: boolean;
  /** For the whole fetch, redirects and body included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Resolves and checks a host (resolvePublicAddress); tests pass one that calls a loopback host public. */
  resolve?: (hostname: string, allowPrivate: boolean) => Promise<ResolvedAddress>;
}

export const imageFetchLimits = { timeoutMs: 5_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 3 } as const;

/** Why an image could not be fetched; `status` is what the proxy answers (502, or 504 on a timeout). */
export class ImageFetchError extends Error {
  constructor(
    message: string,
    readonly status: 502 | 504 = 502,
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

export interface FetchedImage {
  /** Checked against the bytes, not taken from the origin's header. */
  type: ImageType;
  body: Buffer;
}

const redirects = new Set([301, 302, 303, 307, 308]);

async function requestOnce(url: URL, policy: ImageFetchPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ImageFetchError(`${url.protocol} URLs are not fetched`);
  if (url.username || url.password) throw new ImageFetchError('URLs with credentials are not fetched');
  let target: ResolvedAddress;
  try {
    target = await (policy.resolve ?? resolvePublicAddress)(url.hostname, policy.allowPrivate);
  } catch (error) {
    throw new ImageFetchError((error as Error).message);
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      {
        // A fresh connection to the address just checked, never a pooled one.
        agent: false,
        lookup: pinnedLookup(target),
        signal,
        headers: {
          Accept: imageTypes.join(', '),
          'Accept-Encoding': 'identity',
          'User-Agent': 'Herald-ImageProxy/1',
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    response.destroy();
    throw new ImageFetchError(`the image is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new ImageFetchError(`the image is more than the ${maxBytes} bytes allowed`));
        response.destroy(); // stop reading; the first reason given is the one that counts
      } else chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(new ImageFetchError('the connection closed before the image was complete')));
  });
}

async function follow(source: string, policy: ImageFetchPolicy, signal: AbortSignal): Promise<FetchedImage> {
  let url = new URL(source);
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(url, policy, signal);
    const status = response.statusCode ?? 0;
    if (redirects.has(status) && response.headers.location) {
      response.destroy();
      if (hop >= policy.maxRedirects) throw new ImageFetchError(`more than ${policy.maxRedirects} redirects`);
      try {
        url = new URL(response.headers.location, url);
      } catch {
        throw new ImageFetchError(`a redirect to "${response.headers.location}", which is not a URL`);
      }
      continue;
    }
    if (status !== 200) {
      response.destroy();
      throw new ImageFetchError(`the origin answered HTTP ${status}`);
    }
    if (!declaredImageType(response.headers['content-type'])) {
      response.destroy();
      throw new ImageFetchError(`"${response.headers['content-type'] ?? ''}" is not an image type the proxy passes on (${imageTypes.join(', ')})`);
    }
    const body = await readBody(response, policy.maxBytes);
    const type = sniffImageType(body);
    if (!type) throw new ImageFetchError('the body is not a PNG, JPEG, GIF, WebP or AVIF image');
    return { type, body };
  }
}

/** Fetches the image at `source` within the policy's limits, or throws ImageFetchError. */
export async function fetchImage(source: string, policy: ImageFetchPolicy): Promise<FetchedImage> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ImageFetchError(`no complete answer within ${policy.timeoutMs / 1000} s`, 504));
      controller.abort(); // closes whatever connection is open
    }, policy.timeoutMs);
  });
  const work = follow(source, policy, controller.signal);
  work.catch(() => {}); // after the deadline, its own failure is of no interest
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof ImageFetchError) throw error;
    throw new ImageFetchError((error as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
