// Webhook subscribers: a URL that receives a signed JSON POST per update,
// through the same outbox, leases and retries as mail. The URL must point at a
// public address (checked when subscribing and again, after DNS, at every
// send) unless WEBHOOK_ALLOW_PRIVATE is set; redirects are never followed.
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { and, eq, isNotNull } from 'drizzle-orm';
import { subscriberComponents, subscribers, type SubscriberRow } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { pinnedLookup, resolvePublicAddress, UnsafeAddressError } from '../public-address';
import { allowHit } from '../accounts';
import { randomSecret, sealPlain, sealSecret } from '../secrets';
import { subscribeLimits } from './subscriptions';
import { ActionError, requireListedComponents } from '../validate';
import { chatPlatformLabels } from '../../../db/constants';
import { detectPlatform } from '../../chat/platforms';

/** The header a delivery's signature travels in: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const signatureHeader = 'Herald-Signature';
/** How long a receiver waits before Herald gives up on one attempt (it is then retried). */
export const webhookTimeoutMs = 10_000;

/** Parses and checks a webhook URL: http(s), a host, no credentials, a public address unless allowed. */
export async function checkWebhookUrl(value: unknown, allowPrivate: boolean): Promise<string> {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError('url', 'url is required');
  const raw = value.trim();
  if (raw.length > 2000) throw new ActionError('url', 'url is longer than 2000 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ActionError('url', `"${raw}" is not a URL, e.g. https://example.com/hooks/status`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ActionError('url', 'url must start with https:// or http://');
  if (url.username || url.password) throw new ActionError('url', 'url must not carry a user name or password; use the signature to authenticate Herald');
  url.hash = '';
  try {
    await resolvePublicAddress(url.hostname, allowPrivate);
  } catch (error) {
    if (error instanceof UnsafeAddressError) throw new ActionError('url', `${error.message}; webhooks must point at the public internet`);
    throw new ActionError('url', `${url.hostname} cannot be resolved`);
  }
  return url.toString();
}

export interface WebhookSubscription {
  subscriber: SubscriberRow;
  /** Shown once to whoever subscribed: their deliveries are signed with it. */
  secret: string;
}

/**
 * Subscribes a URL (confirmed at once: nobody's inbox is at stake, and the
 * signature lets the receiver refuse what it did not ask for). The same URL
 * twice is refused rather than given a new secret, which would let anyone
 * break someone else's integration. null when the client's rate limit is hit.
 */
export async function subscribeWebhook(
  db: HeraldDb,
  input: { url: unknown; componentIds: string[]; clientAddress: string; allowPrivate: boolean; secretsKey?: Buffer | null },
  now = new Date(),
): Promise<WebhookSubscription | null> {
  // A chat platform's URL here would be kept as it is and shown to staff, and get JSON the platform does not take.
  const chat = URL.canParse(String(input.url).trim()) ? detectPlatform(new URL(String(input.url).trim())) : null;
  if (chat?.certain) throw new ActionError('url', `this is a ${chatPlatformLabels[chat.platform]} incoming-webhook URL: subscribe it at /subscribe/chat, where it is kept secret and gets messages ${chatPlatformLabels[chat.platform]} shows`);
  const url = await checkWebhookUrl(input.url, input.allowPrivate);
  const chosen = requireListedComponents(db, 'components', input.componentIds);
  if (!allowHit(db, `subscribe-ip:${input.clientAddress}`, subscribeLimits.perClient, 60 * 60_000, now)) return null;
  const secret = randomSecret(32);
  return db.transaction((tx) => {
    const existing = tx.select({ id: subscribers.id }).from(subscribers).where(and(eq(subscribers.kind, 'webhook'), eq(subscribers.address, url))).get();
    if (existing) throw new ActionError('url', 'this URL is already subscribed; use the link you were given to change or end it', 'conflict');
    // Kept encrypted when SECRETS_KEY is set: the signature is only worth something while the secret stays secret.
    const stored = input.secretsKey ? sealSecret(secret, input.secretsKey) : secret;
    const subscriber = tx.insert(subscribers).values({ kind: 'webhook', address: url, secret: stored, confirmedAt: now, createdAt: now }).returning().get();
    for (const componentId of chosen) tx.insert(subscriberComponents).values({ subscriberId: subscriber.id, componentId }).run();
    return { subscriber, secret };
  });
}

/**
 * At start: with SECRETS_KEY set, seals the webhook secrets stored before it
 * was; without it, returns how many are stored as they are, for a warning.
 */
export function sealStoredSecrets(db: HeraldDb, key: Buffer | null): { sealed: number; plain: number } {
  const rows = db.select({ id: subscribers.id, secret: subscribers.secret }).from(subscribers).where(isNotNull(subscribers.secret)).all();
  return db.transaction((tx) =>
    sealPlain(rows, (row) => row.secret!, key, (row, secret) => tx.update(subscribers).set({ secret }).where(eq(subscribers.id, row.id)).run()),
  );
}

/** The signature of one delivery: HMAC-SHA256 over `<timestamp>.<body>` with the subscriber's secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Why a delivery failed, and whether trying again could help. */
export class WebhookError extends Error {
  constructor(
    message: string,
    /** No retry: the receiver refused it (4xx other than 408/429), or its address is not allowed. */
    readonly permanent: boolean,
    /** The receiver says it no longer exists (410 Gone; for chat, the platform's "no such webhook"): unsubscribed. */
    readonly gone = false,
    /** 429 or 503 with Retry-After: not before this many milliseconds. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  event: string;
  deliveryId: string;
}

/** What a receiver answered: its status, Retry-After (ms) and the start of its body (what chat platforms explain errors in). */
export interface PostAnswer {
  status: number;
  retryAfterMs: number | null;
  body: string;
}

/** The longest Retry-After honoured; a receiver asking for more is retried after this. */
const maxRetryAfterMs = 60 * 60_000;

/** Retry-After as seconds or an HTTP date (RFC 9110), in milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const ms = /^\s*\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), maxRetryAfterMs) : null;
}

/**
 * POSTs a JSON body to a URL whose host was checked for a public address,
 * connecting to the address checked. Never follows redirects; reads at most
 * 4 KB of the answer. Throws WebhookError when no answer came.
 */
export async function postJson(target: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<PostAnswer> {
  const url = new URL(target);
  let address;
  try {
    address = await resolvePublicAddress(url.hostname, allowPrivate);
  } catch (error) {
    throw new WebhookError((error as Error).message, error instanceof UnsafeAddressError);
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup: pinnedLookup(address), // the address just checked, whatever DNS says a moment later
        timeout: webhookTimeoutMs,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers },
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new WebhookError(`no answer within ${webhookTimeoutMs / 1000} s`, false)));
    req.on('error', (error) => reject(error instanceof WebhookError ? error : new WebhookError(error.message, false)));
    req.end(body);
  });
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve) => {
    response.on('data', (chunk: Buffer) => {
      if (size < 4096) chunks.push(chunk.subarray(0, 4096 - size));
      size += chunk.length; // the rest is drained, not kept
    });
    response.on('end', resolve);
    response.on('error', () => resolve());
    response.on('aborted', () => resolve());
  });
  return { status: response.statusCode ?? 0, retryAfterMs: retryAfterMs(response.headers['retry-after']), body: Buffer.concat(chunks).toString('utf8') };
}

/** The error for a non-2xx answer: permanent for 3xx and 4xx other than 408 and 429; `explained` adds what the receiver said (a chat platform's error code). */
export function answerError(answer: PostAnswer, gone: boolean, explained = false): WebhookError {
  const { status } = answer;
  const permanent = status >= 300 && status < 500 && status !== 408 && status !== 429;
  const hint = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  const said = answer.body.trim().replace(/\s+/g, ' ').slice(0, 200);
  return new WebhookError(`HTTP ${status}${hint}${explained && said && status >= 400 ? `: ${said}` : ''}`, permanent, gone, status === 429 || status === 503 ? answer.retryAfterMs : null);
}

/** POSTs one signed delivery. Resolves on 2xx; throws WebhookError otherwise. */
export async function sendWebhook(hook: WebhookRequest, allowPrivate: boolean): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  const answer = await postJson(
    hook.url,
    {
      'User-Agent': 'Herald-Webhook/1',
      'Herald-Event': hook.event,
      'Herald-Delivery': hook.deliveryId,
      [signatureHeader]: signWebhook(hook.secret, timestamp, hook.body),
    },
    hook.body,
    allowPrivate,
  );
  if (answer.status >= 200 && answer.status < 300) return;
  throw answerError(answer, answer.status === 410);
}
