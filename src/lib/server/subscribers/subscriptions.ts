// Email subscriptions: double opt-in, per-component choices, signed links for
// confirming, managing and unsubscribing, and limits so the form cannot be used
// to flood a stranger's inbox. Mails themselves go through the outbox.
import { createHmac } from 'node:crypto';
import { and, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { subscriberComponents, subscribers, suppressedAddresses, type SubscriberRow } from '../../../db/schema';
import { normalizeEmail, allowHit } from '../accounts';
import type { HeraldDb } from '../db';
import { enqueueOne } from './outbox';
import { sameSecret } from '../secrets';
import { siteSecret } from '../site-secrets';
import { requireListedComponents } from '../validate';
import { chatPlatformLabels } from '../../../db/constants';
import type { Locale } from '../../i18n/locales';
import { localizedPath } from '../../i18n/paths';

export const subscribeLimits = {
  /** Subscribe requests per client address per hour. */
  perClient: 10,
  /** Mails the form may cause to one address per day. */
  perAddress: 3,
  /** Unconfirmed addresses are deleted after this long. */
  unconfirmedMs: 48 * 60 * 60_000,
} as const;

/** The key that signs subscriber links: made once, kept in the database. */
export function linkSecret(db: HeraldDb): string {
  return siteSecret(db, 'link-secret');
}

export type LinkPurpose = 'confirm' | 'manage' | 'unsubscribe';

/** A token that names one purpose, one subscriber and their address: useless for any other. */
export function linkToken(secret: string, purpose: LinkPurpose, subscriber: Pick<SubscriberRow, 'id' | 'address'>): string {
  return createHmac('sha256', secret).update(`${purpose}\n${subscriber.id}\n${subscriber.address}`).digest('base64url');
}

/** A subscriber's signed link; with a language, to the page in it (`/de/subscribe/manage?…`). */
export function subscriberLink(siteUrl: string, secret: string, purpose: LinkPurpose, subscriber: Pick<SubscriberRow, 'id' | 'address'>, language?: { locale: Locale; fallback: Locale }): string {
  const path = purpose === 'unsubscribe' ? '/unsubscribe' : `/subscribe/${purpose}`;
  const localized = language ? localizedPath(language.locale, path, language.fallback) : path;
  return `${siteUrl}${localized}?s=${subscriber.id}&t=${linkToken(secret, purpose, subscriber)}`;
}

/** The subscriber a link names, if its token is right for that purpose; null otherwise. */
export function subscriberFromLink(db: HeraldDb, purpose: LinkPurpose, id: unknown, token: unknown): SubscriberRow | null {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || typeof token !== 'string' || token.length > 100) return null;
  const row = db.select().from(subscribers).where(eq(subscribers.id, n)).get();
  if (!row) return null;
  return sameSecret(linkToken(linkSecret(db), purpose, row), token) ? row : null;
}

export type SubscribeResult = 'sent' | 'client_limited';

/**
 * Handles the public form. Whatever the address's state, the visitor sees the
 * same answer ('sent'); the mail differs: a confirmation link for a new or
 * unconfirmed address, a link to manage for a confirmed one, nothing past the
 * per-address limit. Only the visitor's own rate limit is ever shown to them.
 */
export function subscribeEmail(
  db: HeraldDb,
  input: { email: unknown; componentIds: string[]; clientAddress: string; /** The language its mail comes in; null for the page's default. */ locale?: Locale | null },
  now = new Date(),
): SubscribeResult {
  const locale = input.locale ?? null;
  const address = normalizeEmail(input.email);
  const chosen = requireListedComponents(db, 'components', input.componentIds);
  if (!allowHit(db, `subscribe-ip:${input.clientAddress}`, subscribeLimits.perClient, 60 * 60_000, now)) return 'client_limited';
  if (!allowHit(db, `subscribe-to:${address}`, subscribeLimits.perAddress, 24 * 60 * 60_000, now)) return 'sent';
  // The mail server refused this address for good: mailing it again only bounces again (an owner can lift it).
  if (suppressionOf(db, address)) return 'sent';
  db.transaction((tx) => {
    let row = tx.select().from(subscribers).where(and(eq(subscribers.kind, 'email'), eq(subscribers.address, address))).get();
    if (!row) {
      row = tx.insert(subscribers).values({ kind: 'email', address, locale, createdAt: now }).returning().get();
    }
    if (!row.confirmedAt) {
      // Not confirmed yet: the choice in this request is the one that counts, its language too.
      if (row.locale !== locale) row = tx.update(subscribers).set({ locale }).where(eq(subscribers.id, row.id)).returning().get()!;
      tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, row.id)).run();
      for (const componentId of chosen) tx.insert(subscriberComponents).values({ subscriberId: row.id, componentId }).run();
    }
    enqueueOne(tx, row.id, `${row.confirmedAt ? 'already' : 'confirm'}:${now.getTime()}`, now);
  });
  return 'sent';
}

export function confirmSubscriber(db: HeraldDb, subscriber: SubscriberRow, now = new Date()): void {
  if (subscriber.confirmedAt) return;
  db.update(subscribers).set({ confirmedAt: now }).where(eq(subscribers.id, subscriber.id)).run();
}

/** Unsubscribing deletes the address and everything queued for it. */
export function deleteSubscriber(db: Pick<HeraldDb, 'delete'>, id: number): void {
  db.delete(subscribers).where(eq(subscribers.id, id)).run();
}

export function followedComponents(db: HeraldDb, subscriberId: number): string[] {
  return db
    .select({ id: subscriberComponents.componentId })
    .from(subscriberComponents)
    .where(eq(subscriberComponents.subscriberId, subscriberId))
    .all()
    .map((r) => r.id);
}

/** The language a subscriber's mail and pages come in; null for the page's default. */
export function setSubscriberLocale(db: HeraldDb, subscriberId: number, locale: Locale | null): void {
  db.update(subscribers).set({ locale }).where(eq(subscribers.id, subscriberId)).run();
}

/** Replaces what a subscriber follows; an empty list means everything. */
export function setFollowedComponents(db: HeraldDb, subscriberId: number, ids: string[]): void {
  const chosen = requireListedComponents(db, 'components', ids);
  db.transaction((tx) => {
    tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, subscriberId)).run();
    for (const componentId of chosen) tx.insert(subscriberComponents).values({ subscriberId, componentId }).run();
  });
}

/** Email addresses and chat channels never confirmed, older than 48 hours at `now`: what housekeeping deletes. */
export function staleUnconfirmed(now = new Date()) {
  const before = new Date(now.getTime() - subscribeLimits.unconfirmedMs);
  return and(inArray(subscribers.kind, ['email', 'chat']), isNull(subscribers.confirmedAt), lt(subscribers.createdAt, before))!;
}

/** Housekeeping: addresses and channels never confirmed go after 48 hours. */
export function deleteStaleUnconfirmed(db: HeraldDb, now = new Date()): number {
  return db.delete(subscribers).where(staleUnconfirmed(now)).run().changes;
}

/** j***@example.com: enough for staff to recognise, not enough to copy out. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

export interface SubscriberListing {
  id: number;
  kind: SubscriberRow['kind'];
  /** The email address (masked unless revealed), the webhook URL, or the chat channel's name (its URL masked). */
  address: string;
  platform: SubscriberRow['platform'];
  confirmedAt: Date | null;
  createdAt: Date;
  components: string[];
  /** Chat: the last accepted post, and failed attempts since. */
  lastSentAt: Date | null;
  failures: number;
  lastError: string | null;
}

/** "Slack channel (hooks.slack.com …x7Qa)": how a channel is named on its own pages, in the console and the logs. */
export function channelName(subscriber: Pick<SubscriberRow, 'platform' | 'label'>): string {
  const platform = subscriber.platform ? chatPlatformLabels[subscriber.platform] : 'Chat';
  return `${platform} channel (${subscriber.label ?? 'unknown'})`;
}

/** How staff see a subscriber: an email masked (unless revealed), a webhook's URL, a chat channel by platform and masked URL. */
export function subscriberName(s: Pick<SubscriberRow, 'kind' | 'address' | 'platform' | 'label'>, reveal = false): string {
  if (s.kind === 'chat') return channelName(s);
  return reveal || s.kind === 'webhook' ? s.address : maskEmail(s.address);
}

/** Subscribers for the console (of one kind, if given), newest first; addresses masked unless `reveal`. */
export function listSubscribers(db: HeraldDb, { reveal, limit = 200, kind }: { reveal: boolean; limit?: number; kind?: SubscriberRow['kind'] }): SubscriberListing[] {
  const query = db.select().from(subscribers);
  const rows = (kind ? query.where(eq(subscribers.kind, kind)) : query).orderBy(desc(subscribers.id)).limit(limit).all();
  const follows = new Map<number, string[]>();
  const listed = rows.map((s) => s.id);
  for (const f of listed.length ? db.select().from(subscriberComponents).where(inArray(subscriberComponents.subscriberId, listed)).all() : []) {
    follows.set(f.subscriberId, [...(follows.get(f.subscriberId) ?? []), f.componentId]);
  }
  return rows.map((s) => ({
    id: s.id,
    kind: s.kind,
    address: subscriberName(s, reveal),
    platform: s.platform,
    confirmedAt: s.confirmedAt,
    createdAt: s.createdAt,
    components: follows.get(s.id) ?? [],
    lastSentAt: s.lastSentAt,
    failures: s.failures,
    lastError: s.lastError,
  }));
}

export function subscriberCounts(db: HeraldDb): { confirmed: number; unconfirmed: number; webhooks: number; channels: number; unconfirmedChannels: number } {
  const rows = db
    .select({ kind: subscribers.kind, confirmed: sql<number>`${subscribers.confirmedAt} IS NOT NULL`, n: count() })
    .from(subscribers)
    .groupBy(subscribers.kind, sql`${subscribers.confirmedAt} IS NOT NULL`)
    .all();
  const sum = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).reduce((total, r) => total + r.n, 0);
  return {
    confirmed: sum((r) => r.kind === 'email' && !!r.confirmed),
    unconfirmed: sum((r) => r.kind === 'email' && !r.confirmed),
    webhooks: sum((r) => r.kind === 'webhook'),
    channels: sum((r) => r.kind === 'chat' && !!r.confirmed),
    unconfirmedChannels: sum((r) => r.kind === 'chat' && !r.confirmed),
  };
}

/** The follower count as last counted, per database: the public page shows it rounded, and may be a minute behind. */
const followersCounted = new WeakMap<HeraldDb, { at: number; n: number }>();

/**
 * How many confirmed email subscribers follow the page, for the public
 * subscribe form (when an owner chose to show it): counted at most once a
 * minute, from the confirmed_at index, so a render of / does not scan them.
 */
export function followerCount(db: HeraldDb, now = Date.now()): number {
  const known = followersCounted.get(db);
  if (known && now - known.at < 60_000) return known.n;
  const confirmed = db.select({ n: count() }).from(subscribers).where(sql`${subscribers.confirmedAt} IS NOT NULL`).get()!.n;
  const others = db
    .select({ n: count() })
    .from(subscribers)
    .where(and(inArray(subscribers.kind, ['webhook', 'chat']), sql`${subscribers.confirmedAt} IS NOT NULL`))
    .get()!.n;
  const n = confirmed - others;
  followersCounted.set(db, { at: now, n });
  return n;
}

/** Masked addresses (webhook URLs as they are, chat channels by name) for the given subscribers, for the outbox view. */
export function maskedAddresses(db: HeraldDb, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = db.select().from(subscribers).where(inArray(subscribers.id, [...new Set(ids)])).all();
  return new Map(rows.map((s) => [s.id, subscriberName(s)]));
}

/** The suppression on an email address, if any. */
export function suppressionOf(db: Pick<HeraldDb, 'select'>, address: string) {
  return db.select().from(suppressedAddresses).where(eq(suppressedAddresses.address, address)).get();
}

/** Suppressed addresses among `addresses`, with why: one query for a delivery batch. */
export function suppressionsAmong(db: HeraldDb, addresses: string[]): Map<string, string> {
  if (addresses.length === 0) return new Map();
  const rows = db.select().from(suppressedAddresses).where(inArray(suppressedAddresses.address, [...new Set(addresses)])).all();
  return new Map(rows.map((r) => [r.address, r.reason]));
}

/** Stops all mail to `address` (a hard bounce); the first reason is kept. Whether it was new. */
export function suppressAddress(db: Pick<HeraldDb, 'insert'>, address: string, reason: string, now = new Date()): boolean {
  return db.insert(suppressedAddresses).values({ address, reason: reason.slice(0, 500), createdAt: now }).onConflictDoNothing().run().changes > 0;
}

/** An owner lifts a suppression; the address may be mailed again. Returns the address lifted, or null. */
export function liftSuppression(db: HeraldDb, id: number): string | null {
  return db.delete(suppressedAddresses).where(eq(suppressedAddresses.id, id)).returning({ address: suppressedAddresses.address }).get()?.address ?? null;
}

export interface SuppressionListing {
  id: number;
  address: string;
  reason: string;
  createdAt: Date;
}

/** Suppressed addresses for the console, newest first; masked unless `reveal`. */
export function listSuppressions(db: HeraldDb, { reveal, limit = 200 }: { reveal: boolean; limit?: number }): SuppressionListing[] {
  return db
    .select()
    .from(suppressedAddresses)
    .orderBy(desc(suppressedAddresses.id))
    .limit(limit)
    .all()
    .map((r) => ({ id: r.id, address: reveal ? r.address : maskEmail(r.address), reason: r.reason, createdAt: r.createdAt }));
}

export function suppressionCount(db: HeraldDb): number {
  return db.select({ n: count() }).from(suppressedAddresses).get()?.n ?? 0;
}
