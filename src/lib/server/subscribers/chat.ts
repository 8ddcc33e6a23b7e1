// Chat channels as subscribers: an incoming-webhook URL for Slack, Teams,
// Discord, Google Chat or Mattermost. The URL is the channel's only
// credential, so it is kept like a secret (sealed with SECRETS_KEY, masked
// everywhere it is shown) and the row is found by a keyed hash of it. The
// first message posted asks the channel to confirm; until someone does,
// nothing else is sent. Deliveries go through the same outbox as mail, paced
// per channel and per platform to stay inside the platforms' rate limits.
import { createHmac } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { chatPlatformLabels, isChatPlatform, type ChatPlatform } from '../../../db/constants';
import { subscriberComponents, subscribers, type SubscriberRow } from '../../../db/schema';
import { detectPlatform, isGoneAnswer, maskChatUrl, pathFits, postUrl } from '../../chat/platforms';
import { allowHit, recordAudit, type Actor } from '../accounts';
import type { HeraldDb } from '../db';
import { sealSecret } from '../secrets';
import { ActionError, requireListedComponents } from '../validate';
import { enqueueOne } from './outbox';
import { channelName, deleteSubscriber, linkSecret, subscribeLimits } from './subscriptions';
import { answerError, checkWebhookUrl, postJson } from './webhooks';
import type { Locale } from '../../i18n/locales';

/** The row's address for a channel: a keyed hash, so the same channel is found again without keeping its URL in the clear. */
export function chatAddress(db: HeraldDb, url: string): string {
  return `chat:${createHmac('sha256', linkSecret(db)).update(`chat\n${url}`).digest('base64url')}`;
}

export interface ChatUrl {
  url: string;
  platform: ChatPlatform;
}

/**
 * Checks a pasted incoming-webhook URL and settles its platform: from the
 * host when only one platform serves it (the visitor's choice cannot
 * contradict it), else from the path, else the visitor's choice; with none of
 * these the form asks.
 */
export async function checkChatUrl(value: unknown, choice: unknown, allowPrivate: boolean): Promise<ChatUrl> {
  const url = new URL(await checkWebhookUrl(value, allowPrivate));
  if (url.protocol !== 'https:' && !allowPrivate) throw new ActionError('url', 'a chat webhook URL starts with https://');
  const guess = detectPlatform(url);
  const chosen = isChatPlatform(choice) ? choice : null;
  const platform = guess?.certain ? guess.platform : (chosen ?? guess?.platform ?? null);
  if (!platform) throw new ActionError('platform', 'choose the chat platform: this URL does not say which one it belongs to');
  if (!pathFits(platform, url)) throw new ActionError('url', `this is not a ${chatPlatformLabels[platform]} incoming-webhook URL; copy the whole URL the platform gave you`);
  return { url: url.toString(), platform };
}

export type ChatSubscribeResult = { subscriber: SubscriberRow } | 'client_limited';

/**
 * Subscribes a channel: stores it unconfirmed and queues the confirmation
 * message. The same channel again re-sends the confirmation while it is
 * unconfirmed (at most three a day) and is refused once confirmed: the
 * unsubscribe link is in every message it gets.
 */
export async function subscribeChat(
  db: HeraldDb,
  input: { url: unknown; platform: unknown; componentIds: string[]; clientAddress: string; allowPrivate: boolean; secretsKey?: Buffer | null; /** The language its messages come in; null for the page's default. */ locale?: Locale | null },
  now = new Date(),
): Promise<ChatSubscribeResult> {
  const { url, platform } = await checkChatUrl(input.url, input.platform, input.allowPrivate);
  const chosen = requireListedComponents(db, 'components', input.componentIds);
  if (!allowHit(db, `subscribe-ip:${input.clientAddress}`, subscribeLimits.perClient, 60 * 60_000, now)) return 'client_limited';
  const address = chatAddress(db, url);
  const existing = db.select({ confirmedAt: subscribers.confirmedAt }).from(subscribers).where(and(eq(subscribers.kind, 'chat'), eq(subscribers.address, address))).get();
  if (existing?.confirmedAt) throw new ActionError('url', 'this channel is already subscribed; every message in it has a link to unsubscribe', 'conflict');
  if (!allowHit(db, `subscribe-to:${address}`, subscribeLimits.perAddress, 24 * 60 * 60_000, now)) {
    throw new ActionError('url', 'a confirmation was posted to this channel three times today; follow the link in it, or try again tomorrow');
  }
  return db.transaction((tx) => {
    let row = tx.select().from(subscribers).where(and(eq(subscribers.kind, 'chat'), eq(subscribers.address, address))).get();
    if (row?.confirmedAt) throw new ActionError('url', 'this channel is already subscribed; every message in it has a link to unsubscribe', 'conflict');
    const secret = input.secretsKey ? sealSecret(url, input.secretsKey) : url;
    const label = maskChatUrl(new URL(url));
    const locale = input.locale ?? null;
    if (!row) row = tx.insert(subscribers).values({ kind: 'chat', address, secret, platform, label, locale, createdAt: now }).returning().get();
    else row = tx.update(subscribers).set({ secret, platform, label, locale }).where(eq(subscribers.id, row.id)).returning().get();
    tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, row.id)).run();
    for (const componentId of chosen) tx.insert(subscriberComponents).values({ subscriberId: row.id, componentId }).run();
    enqueueOne(tx, row.id, `confirm:${now.getTime()}`, now);
    return { subscriber: row };
  });
}

/**
 * How often one channel may be posted to, and how many posts a second one
 * platform takes from Herald in all. Slack and Google Chat allow about one
 * message a second per channel, Discord five per two seconds per webhook (and
 * 50 requests a second per client, kept under), Teams Workflows about one a
 * second per flow; Mattermost is self-hosted and has no such limit by default.
 */
export const chatPacing: Record<ChatPlatform, { channelMs: number; perSecond: number }> = {
  slack: { channelMs: 1000, perSecond: 200 },
  google_chat: { channelMs: 1000, perSecond: 200 },
  discord: { channelMs: 500, perSecond: 40 },
  teams: { channelMs: 1000, perSecond: 100 },
  mattermost: { channelMs: 250, perSecond: 200 },
};

/**
 * Spaces posts out, in the worker's memory: per channel (the last post, and
 * any Retry-After the platform gave it) and per platform (a sliding second).
 * `slot` reserves the time a post may go only when the caller will wait for
 * it, so concurrent sends to one channel queue up instead of racing, and a
 * post put back in the queue holds no slot it will not use.
 */
export class ChatPacer {
  private nextPerChannel = new Map<number, number>();
  private heldUntil = new Map<number, number>();
  private recentPerPlatform = new Map<ChatPlatform, number[]>();

  /** When a post to this channel may go (ms since the epoch); reserved only when that is at most `maxWaitMs` away. */
  slot(subscriberId: number, platform: ChatPlatform, maxWaitMs: number, now = Date.now()): number {
    const pace = chatPacing[platform];
    let at = Math.max(now, this.nextPerChannel.get(subscriberId) ?? 0, this.heldUntil.get(subscriberId) ?? 0);
    const recent = (this.recentPerPlatform.get(platform) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= pace.perSecond) at = Math.max(at, recent[recent.length - pace.perSecond] + 1000);
    this.recentPerPlatform.set(platform, recent);
    if (at - now > maxWaitMs) return at;
    recent.push(at);
    recent.sort((a, b) => a - b);
    this.nextPerChannel.set(subscriberId, at + pace.channelMs);
    if (this.nextPerChannel.size > 100_000) this.forgetBefore(now);
    return at;
  }

  /** The platform asked this channel to wait (429): nothing more to it before then, including posts already waiting for their slot. */
  holdUntil(subscriberId: number, until: number): void {
    this.heldUntil.set(subscriberId, Math.max(until, this.heldUntil.get(subscriberId) ?? 0));
  }

  /** Until when the platform asked this channel to wait, if it did. */
  heldFor(subscriberId: number, now = Date.now()): number | null {
    const until = this.heldUntil.get(subscriberId);
    return until !== undefined && until > now ? until : null;
  }

  private forgetBefore(now: number): void {
    for (const [id, at] of this.nextPerChannel) if (at < now) this.nextPerChannel.delete(id);
    for (const [id, at] of this.heldUntil) if (at < now) this.heldUntil.delete(id);
  }
}

export interface ChatPost {
  platform: ChatPlatform;
  url: string;
  body: string;
  threadKey: string | null;
}

/** Posts one message. Resolves on 2xx; throws WebhookError (gone when the platform says the webhook no longer exists). */
export async function sendChat(post: ChatPost, allowPrivate: boolean): Promise<void> {
  const answer = await postJson(postUrl(post.platform, post.url, post.threadKey), { 'User-Agent': 'Herald-Chat/1' }, post.body, allowPrivate);
  if (answer.status >= 200 && answer.status < 300) return;
  if (answer.status === 429 && answer.retryAfterMs === null) {
    // Discord says how long in its body too; Google Chat says nothing: a second, then the retries' own doubling.
    const said = Number(/"retry_after"\s*:\s*([\d.]+)/.exec(answer.body)?.[1]);
    answer.retryAfterMs = Number.isFinite(said) ? Math.min(said * 1000, 60 * 60_000) : 1000;
  }
  throw answerError(answer, isGoneAnswer(post.platform, answer.status, answer.body), true);
}

/** Staff unsubscribe a channel, audited in the same transaction; its name, or null when it was no longer subscribed. */
export function removeChatChannel(db: HeraldDb, id: number, actor: Actor): string | null {
  return db.transaction((tx) => {
    const row = tx.select().from(subscribers).where(and(eq(subscribers.id, id), eq(subscribers.kind, 'chat'))).get();
    if (!row) return null;
    deleteSubscriber(tx, row.id);
    recordAudit(tx, actor, 'subscribers.chat-remove', channelName(row));
    return channelName(row);
  });
}

/** A post to a channel was accepted: shown in the console as its last delivery. */
export function noteDelivered(db: Pick<HeraldDb, 'update'>, subscriberId: number, now = new Date()): void {
  db.update(subscribers).set({ lastSentAt: now, failures: 0, lastError: null }).where(eq(subscribers.id, subscriberId)).run();
}

/** A post to a channel failed: counted, with the reason, until one is accepted again. */
export function noteFailure(db: Pick<HeraldDb, 'update'>, subscriberId: number, reason: string): void {
  db.update(subscribers)
    .set({ failures: sql`${subscribers.failures} + 1`, lastError: reason.slice(0, 300) })
    .where(eq(subscribers.id, subscriberId))
    .run();
}
