// The delivery worker: expands notify jobs into outbox rows a batch of
// subscribers at a time, just ahead of sending, so the queue holds about a
// round's worth of rows, not one per subscriber; takes due rows, turns each into a mail
// (or, for webhooks, a signed POST), sends it and records the outcome. Runs
// inside the server by default and as `herald worker`. Temporary failures
// (connection refused, 4xx) wait and retry with doubling delays for
// MAIL_RETRY_HOURS; permanent ones (5xx) are marked failed with the reason.
// Chat posts are paced per channel and platform, wait as long as a 429's
// Retry-After asks, and are recorded one by one as they are accepted.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Config } from '../../config';
import { canonicalEmail, isCanonicalEmail } from '../../email-address';
import type { PageSettings } from '../../content/catalog';
import { alreadySubscribedMail, confirmationMail, overdueMail, updateMail, windowMail, type Mail, type MailSite } from '../../mail/messages';
import type { Incident, WindowMoment } from '../../model';
import type { Locale } from '../../i18n/locales';
import { incidentUpdates, subscribers, type OutboxRow, type SubscriberRow } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { readComponents, readIncident, readLapsedPromises, readWatchedMaintenance } from '../read-model';
import { claimDue, DEFAULT_EXPAND_BATCH, deferRow, dueCount, expandNext, markFailed, markRetry, markSent, queueNotification } from './outbox';
import { resolveFromCwd } from '../paths';
import { forgetPromises, makeOccurrences, postWindowUpdates, recordOverdueAlert, type LogContext } from '../publishing';
import { activeStaffEmail, recordAudit, systemActor } from '../accounts';
import { channelName, deleteStaleUnconfirmed, deleteSubscriber, linkSecret, subscriberLink, suppressAddress, suppressionsAmong } from './subscriptions';
import { redactEmails } from './redact';
import { isStorageFull, type StorageHealth } from '../storage';
import { openSecret } from '../secrets';
import { sendWebhook, WebhookError, type WebhookRequest } from './webhooks';
import { ChatPacer, noteDelivered, noteFailure, sendChat, type ChatPost } from './chat';
import { chatPayload, confirmNotice, updateNotice, windowNotice } from '../../chat/messages';
import { webhookPayload } from '../../webhook-payload';
import { log } from '../log';
import type { DeliveryResult, Metrics } from '../metrics';

export interface MailTransport {
  send(mail: Mail, from: string): Promise<void>;
  close(): void;
}

/** SMTP through a pooled nodemailer transport, or, without SMTP_URL, .eml files in MAIL_DIR. */
export function mailTransport(mail: Config['mail']): MailTransport {
  const message = (m: Mail, from: string) => ({
    from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    headers: m.headers,
  });
  if (mail.smtpUrl) {
    const url = new URL(mail.smtpUrl);
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
    if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '5');
    const transport = nodemailer.createTransport(url.toString());
    return { send: async (m, from) => void (await transport.sendMail(message(m, from))), close: () => transport.close() };
  }
  const dir = resolveFromCwd(mail.dir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let n = 0;
  return {
    async send(m, from) {
      const info = await transport.sendMail(message(m, from));
      mkdirSync(dir, { recursive: true });
      const name = `${Date.now()}-${process.pid}-${++n}.eml`;
      // Written then renamed, so a reader never sees half a message.
      writeFileSync(join(dir, `.${name}.tmp`), info.message as Buffer);
      renameSync(join(dir, `.${name}.tmp`), join(dir, name));
    },
    close: () => transport.close(),
  };
}

/**
 * Retrying will not help: a webhook receiver's refusal, or the mail server's
 * 5xx for this message (at RCPT TO or DATA). A 5xx elsewhere (AUTH, MAIL FROM)
 * is Herald's own configuration, fixed by staff, so it is retried like
 * network errors and 4xx.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof WebhookError) return error.permanent;
  const { responseCode, command } = error as { responseCode?: unknown; command?: unknown };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && (command === 'RCPT TO' || command === 'DATA');
}

/**
 * A hard bounce: the mail server refused the recipient itself (5xx at RCPT TO,
 * or an enhanced status 5.1.x / 5.2.1 "no such mailbox" after DATA). A
 * refusal of the message's content (5.7.x spam policy) is not the address's fault.
 */
export function isAddressRejection(error: unknown): boolean {
  if (!isPermanentFailure(error) || error instanceof WebhookError) return false;
  const { command, response } = error as { command?: unknown; response?: unknown };
  return command === 'RCPT TO' || (typeof response === 'string' && /^5\d\d[ -]5\.(?:1\.\d+|2\.1)\b/.test(response));
}

const windowMoments: readonly string[] = ['reminder', 'started', 'completed'] satisfies WindowMoment[];
/** How late a window's start or end may be noticed and still announced (a server down for longer says nothing). */
const windowNoticeMs = 60 * 60_000;

/** An outbox row's event, split once. */
type OutboxEvent = { kind: string; rest: string };

/** One row's message: a mail, a webhook POST, or a chat post. */
type Outgoing = { kind: 'mail'; mail: Mail } | { kind: 'webhook'; hook: WebhookRequest } | { kind: 'chat'; post: ChatPost };

/** A chat post whose slot is further off than this goes back to the queue until then, rather than holding one of the worker's lanes. */
const CHAT_WAIT_INLINE_MS = 1500;

/**
 * Acknowledged sends are recorded in one commit per this many rows, or sooner
 * when the last commit is RECORD_EVERY_MS old: each commit is a disk sync, and
 * one per message halves the delivery rate. A crash can therefore resend at
 * most RECORD_EVERY + concurrency messages (acknowledged but unrecorded, plus
 * those in flight), the bound docs/integrators.md documents and the crash test checks.
 */
export const RECORD_EVERY = 25;
export const RECORD_EVERY_MS = 250;
export const DEFAULT_CONCURRENCY = 5;
/** Expansion steps per round at most: enough to fill a batch when components filter most subscribers out. */
export const EXPAND_STEPS = 8;

export interface WorkerOptions extends LogContext {
  config: Config;
  page: PageSettings;
  transport: MailTransport;
  /** Counts each delivery's outcome for /metrics (the server's worker). */
  metrics?: Pick<Metrics, 'countDelivery'>;
  /** Sends one webhook delivery; the real POST unless a test replaces it. */
  webhooks?: (hook: WebhookRequest) => Promise<void>;
  /** Posts one chat message; the real POST unless a test replaces it. */
  chat?: (post: ChatPost) => Promise<void>;
  /** Rows taken per round, and how many are sent at once. */
  batchSize?: number;
  concurrency?: number;
  /** How long a claimed row stays reserved for this worker. */
  leaseMs?: number;
  /** How long to sleep when nothing is due. */
  idleMs?: number;
  /** Subscribers expanded from a notify job per transaction (config.outboxExpandBatch). */
  expandBatch?: number;
  /** The runtime's view of the disk, told when a round fails for want of space. */
  storage?: StorageHealth;
}

export class DeliveryWorker {
  private running = false;
  /** Acknowledged by the mail server, not yet recorded: flushed every few sends and at the end of a batch. */
  private acknowledged: number[] = [];
  /** Rendered update bodies for the batch at hand: the same update goes to many people. */
  private rendered = new Map<string, unknown>();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastHousekeeping = 0;
  private lastRecorded = Date.now();
  private readonly pacer = new ChatPacer();

  constructor(private readonly options: WorkerOptions) {}

  /** The page's facts for this batch's messages, set by runOnce before any is composed; component names read once per batch (staff may rename one). */
  private site!: MailSite;
  /** The key of subscribers' links, read once per batch. */
  private secret!: string;
  /** This batch's facts in each language asked for so far (siteIn). */
  private sitesByLocale = new Map<Locale, MailSite>();

  private siteNow(): MailSite {
    const componentNames = new Map(readComponents(this.options.db).map((c) => [c.id, c.name]));
    const { page } = this.options;
    return { pageName: page.name, siteUrl: this.options.config.siteUrl, timeZone: page.time_zone, componentNames, locale: page.default_language, defaultLocale: page.default_language };
  }

  /** This batch's facts in a subscriber's language: the one they chose while the page still offers it, else the page's own. */
  private siteIn(locale: Locale | null): MailSite {
    const { page } = this.options;
    const chosen = locale && page.languages.includes(locale) ? locale : page.default_language;
    if (chosen === this.site.locale) return this.site;
    let site = this.sitesByLocale.get(chosen);
    if (!site) this.sitesByLocale.set(chosen, (site = { ...this.site, locale: chosen }));
    return site;
  }

  /** A subscriber's own link (confirm, manage, unsubscribe), to the page in their language. */
  private linkOf(purpose: 'confirm' | 'manage' | 'unsubscribe', subscriber: SubscriberRow, site: MailSite): string {
    return subscriberLink(site.siteUrl, this.secret, purpose, subscriber, { locale: site.locale, fallback: site.defaultLocale });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let sent = 0;
        try {
          sent = await this.runOnce();
        } catch (error) {
          // A full disk fails every round: said once a minute, not once a second.
          if (isStorageFull(error)) this.options.storage?.noteFull();
          else log.error(`delivery worker: ${redactEmails((error as Error).message)}`);
        }
        if (sent === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.options.idleMs ?? 1000);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  /** Finishes the messages in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.options.transport.close();
  }

  /**
   * One round: housekeeping now and then; then, while fewer than a batch of
   * rows are due, expansion steps of the oldest notify jobs (each its own short
   * transaction, at most EXPAND_STEPS a round); then one batch. Returns how
   * many rows it handled, plus one if it expanded (so the loop goes on at once
   * while a job is being expanded).
   */
  async runOnce(now = new Date()): Promise<number> {
    if (now.getTime() - this.lastHousekeeping > 60_000) {
      this.lastHousekeeping = now.getTime();
      this.housekeeping(now);
      await this.alertOverdue(now);
    }
    const { db } = this.options;
    const batchSize = this.options.batchSize ?? 500;
    let expanded = false;
    for (let step = 0; step < EXPAND_STEPS && dueCount(db, batchSize, now) < batchSize; step++) {
      if (step > 0) await new Promise((resolve) => setImmediate(resolve)); // the server's requests go between steps
      if (!this.expand(now)) break;
      expanded = true;
    }
    const rows = claimDue(db, batchSize, this.options.leaseMs ?? this.options.config.outboxLeaseSeconds * 1000, now);
    if (rows.length === 0) return expanded ? 1 : 0;
    const people = new Map(
      db.select().from(subscribers).where(inArray(subscribers.id, [...new Set(rows.map((r) => r.subscriberId))])).all().map((s) => [s.id, s]),
    );
    // Only the incidents this batch is about, each by its id: the cost follows the batch, not the history.
    const timeline = [...new Set(rows.map((r) => r.incidentId).filter((id): id is string => !!id))]
      .map((id) => readIncident({ db, authored: this.options.authored }, id, now)?.incident)
      .filter((incident): incident is Incident => !!incident);
    const suppressed = suppressionsAmong(db, [...people.values()].filter((p) => p.kind === 'email').map((p) => p.address));
    const queue = [...rows];
    this.rendered.clear();
    this.site = this.siteNow();
    this.secret = linkSecret(db);
    this.sitesByLocale.clear();
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await this.deliver(row, people.get(row.subscriberId), timeline, suppressed);
    });
    try {
      await Promise.all(workers);
    } finally {
      this.recordAcknowledged();
    }
    return rows.length + (expanded ? 1 : 0);
  }

  /** One expansion step (one transaction); whether there was a job to expand. */
  private expand(now: Date): boolean {
    const batch = Math.floor(this.options.expandBatch ?? this.options.config.outboxExpandBatch ?? DEFAULT_EXPAND_BATCH);
    return expandNext(this.options.db, batch, now) !== null;
  }

  private recordAcknowledged(): void {
    this.lastRecorded = Date.now();
    markSent(this.options.db, this.acknowledged.splice(0));
  }

  private async deliver(row: OutboxRow, subscriber: SubscriberRow | undefined, timeline: Incident[], suppressed: Map<string, string>): Promise<void> {
    const { db, config } = this.options;
    if (!subscriber) return; // unsubscribed meanwhile: its rows went with it
    const count = (result: DeliveryResult) => this.options.metrics?.countDelivery(subscriber.kind, result);
    if (subscriber.kind === 'email') {
      const refusal = suppressed.get(subscriber.address) ?? this.suppressIfInvalid(subscriber.address, suppressed);
      if (refusal) {
        count('failed');
        return markFailed(db, row.id, `not sent: the address is suppressed (${refusal})`);
      }
    }
    let message: Outgoing | null;
    try {
      message = this.compose(row, subscriber, timeline);
    } catch (error) {
      count('failed');
      markFailed(db, row.id, `cannot compose: ${(error as Error).message}`);
      return;
    }
    if (!message) {
      count('failed');
      markFailed(db, row.id, 'what it announced no longer exists');
      return;
    }
    if (message.kind === 'chat' && !(await this.paced(row, subscriber.id, message.post))) return;
    try {
      if (message.kind === 'mail') await this.options.transport.send(message.mail, config.mail.from);
      else if (message.kind === 'webhook') await (this.options.webhooks ?? ((hook) => sendWebhook(hook, config.webhookAllowPrivate)))(message.hook);
      else await (this.options.chat ?? ((post) => sendChat(post, config.webhookAllowPrivate)))(message.post);
      count('sent');
      this.acknowledged.push(row.id);
      // A chat message cannot be taken back or deduplicated by the platform: recorded at once, so a crash repeats at most the posts in flight.
      if (message.kind === 'chat') {
        db.transaction(() => {
          noteDelivered(db, subscriber.id);
          this.recordAcknowledged();
        });
      } else if (this.acknowledged.length >= RECORD_EVERY || Date.now() - this.lastRecorded >= RECORD_EVERY_MS) this.recordAcknowledged();
    } catch (error) {
      const reason = redactEmails((error as Error).message).slice(0, 500);
      count(isAddressRejection(error) || isPermanentFailure(error) || (error instanceof WebhookError && error.gone) ? 'failed' : 'retried');
      if (subscriber.kind === 'chat') noteFailure(db, subscriber.id, reason);
      // 410 Gone (for chat, the platform's "no such webhook"): the receiver is forgotten, and its queue goes with it.
      if (error instanceof WebhookError && error.gone) return this.forgetGone(subscriber, reason);
      const giveUpAt = new Date(row.createdAt.getTime() + config.mail.retryHours * 60 * 60_000);
      if (error instanceof WebhookError && error.retryAfterMs !== null) {
        // 429 with Retry-After: this row and everything else for the channel wait that long; no attempt is used up.
        const until = new Date(Date.now() + error.retryAfterMs);
        this.pacer.holdUntil(subscriber.id, until.getTime());
        if (until > giveUpAt) return markFailed(db, row.id, `gave up: ${reason}`);
        return deferRow(db, row.id, until, reason);
      }
      if (isAddressRejection(error) && subscriber.kind === 'email') {
        suppressed.set(subscriber.address, reason); // the batch's other rows for it are not tried
        return db.transaction((tx) => {
          suppressAddress(tx, subscriber.address, reason);
          markFailed(tx, row.id, reason);
        });
      }
      if (isPermanentFailure(error)) return markFailed(db, row.id, reason);
      const wait = Math.min(config.mail.retryMinSeconds * 1000 * 2 ** Math.max(0, row.attempts - 1), 60 * 60_000);
      markRetry(db, row, reason, new Date(Date.now() + wait), giveUpAt);
    }
  }

  /**
   * Addresses stored before Herald accepted only plain addr-specs may be read
   * differently by the mail library: never mailed, suppressed with the reason.
   */
  private suppressIfInvalid(address: string, suppressed: Map<string, string>): string | null {
    if (isCanonicalEmail(address)) return null;
    const check = canonicalEmail(address);
    const reason = `not a valid address: ${check.ok ? 'not in canonical form' : check.reason}`;
    suppressAddress(this.options.db, address, reason);
    suppressed.set(address, reason); // the batch's other rows for it are not checked again
    return reason;
  }

  private compose(row: OutboxRow, subscriber: SubscriberRow, timeline: Incident[]): Outgoing | null {
    // `<kind>:<rest>`, e.g. `update:42` or `started:<incident>` (schema.ts, outbox.event).
    const colon = row.event.indexOf(':');
    const event = { kind: row.event.slice(0, colon), rest: row.event.slice(colon + 1) };
    if (subscriber.kind === 'webhook') return this.composeWebhook(row, event, subscriber, timeline);
    if (subscriber.kind === 'chat') return this.composeChat(row, event, subscriber, timeline);
    const mail = this.composeMail(row, event, subscriber, timeline);
    return mail && { kind: 'mail', mail };
  }

  private composeWebhook(row: OutboxRow, { kind, rest }: OutboxEvent, subscriber: SubscriberRow, timeline: Incident[]): Outgoing | null {
    if (kind !== 'update' && !windowMoments.includes(kind)) throw new Error(`no webhook for "${row.event}"`);
    if (!subscriber.secret) throw new Error('webhook subscriber without a secret');
    const incident = timeline.find((i) => i.id === row.incidentId);
    if (!incident) return null;
    const what = kind === 'update' ? incident.updates.find((u) => u.id === `${incident.id}#${rest}`) : (kind as WindowMoment);
    if (!what) return null;
    const deliveryId = String(row.id);
    const payload = webhookPayload(this.site, incident, what, deliveryId);
    const secret = openSecret(subscriber.secret, this.options.config.secretsKey);
    return { kind: 'webhook', hook: { url: subscriber.address, secret, body: JSON.stringify(payload), event: payload.event, deliveryId } };
  }

  private composeChat(row: OutboxRow, { kind, rest }: OutboxEvent, subscriber: SubscriberRow, timeline: Incident[]): Outgoing | null {
    if (!subscriber.secret || !subscriber.platform) throw new Error('chat subscriber without a URL or platform');
    const site = this.siteIn(subscriber.locale);
    const unsubscribe = this.linkOf('unsubscribe', subscriber, site);
    let notice;
    if (kind === 'confirm') notice = confirmNotice(site, this.linkOf('confirm', subscriber, site), unsubscribe, row.createdAt);
    else {
      const incident = timeline.find((i) => i.id === row.incidentId);
      if (!incident) return null;
      if (windowMoments.includes(kind)) notice = windowNotice(site, incident, kind as WindowMoment, unsubscribe, row.createdAt);
      else if (kind === 'update') {
        const update = incident.updates.find((u) => u.id === `${incident.id}#${rest}`);
        if (!update) return null;
        notice = updateNotice(site, incident, update, unsubscribe);
      } else throw new Error(`no chat message for "${row.event}"`);
    }
    const url = openSecret(subscriber.secret, this.options.config.secretsKey);
    return { kind: 'chat', post: { platform: subscriber.platform, url, body: JSON.stringify(chatPayload(subscriber.platform, notice)), threadKey: notice.threadKey } };
  }

  /**
   * Waits for the channel's slot when it is close; when it is further off
   * (a Retry-After, or many posts queued for one platform), puts the row back
   * until then. Whether to send now.
   */
  private async paced(row: OutboxRow, subscriberId: number, post: ChatPost): Promise<boolean> {
    const now = Date.now();
    const at = this.pacer.slot(subscriberId, post.platform, CHAT_WAIT_INLINE_MS, now);
    if (at - now > CHAT_WAIT_INLINE_MS) {
      deferRow(this.options.db, row.id, new Date(at));
      return false;
    }
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    // A 429 for this channel while this post waited: it waits as long too.
    const held = this.pacer.heldFor(subscriberId);
    if (held !== null) {
      deferRow(this.options.db, row.id, new Date(held));
      return false;
    }
    return true;
  }

  /** The receiver says it is gone: deleted with its queue; for a chat channel, why is kept in the audit log. */
  private forgetGone(subscriber: SubscriberRow, reason: string): void {
    const { db } = this.options;
    db.transaction((tx) => {
      if (subscriber.kind === 'chat') recordAudit(tx, systemActor, 'subscribers.chat-removed', channelName(subscriber), { reason });
      deleteSubscriber(tx, subscriber.id);
    });
    if (subscriber.kind === 'chat') log.info(`unsubscribed ${channelName(subscriber)}: the platform says the webhook is gone (${reason})`);
  }

  private composeMail(row: OutboxRow, { kind, rest }: OutboxEvent, subscriber: SubscriberRow, timeline: Incident[]): Mail | null {
    const site = this.siteIn(subscriber.locale);
    const links = { manage: this.linkOf('manage', subscriber, site), unsubscribe: this.linkOf('unsubscribe', subscriber, site) };
    const sentAt = row.createdAt;
    if (kind === 'confirm') return confirmationMail(site, subscriber, this.linkOf('confirm', subscriber, site), sentAt);
    if (kind === 'already') return alreadySubscribedMail(site, subscriber, links, sentAt);
    const incident = timeline.find((i) => i.id === row.incidentId);
    if (!incident) return null;
    if (windowMoments.includes(kind)) return windowMail(site, incident, kind as WindowMoment, subscriber, links);
    if (kind === 'update') {
      const update = incident.updates.find((u) => u.id === `${incident.id}#${rest}`);
      if (!update) return null;
      return updateMail(site, incident, update, Number(rest), subscriber, links, this.rendered);
    }
    throw new Error(`unknown event "${row.event}"`);
  }

  /**
   * Forget unconfirmed addresses. Announce what maintenance windows do by the
   * clock: a reminder before one starts (unless it was announced less than the
   * reminder period ahead), and its start and end when no staff update did
   * (posting those as automatic updates).
   * Each is queued once (one notify job per event), and only within an hour
   * of happening.
   */
  private housekeeping(now: Date): void {
    const { db, authored, config } = this.options;
    deleteStaleUnconfirmed(db, now);
    makeOccurrences({ db, authored }, now);
    for (const m of readWatchedMaintenance({ db, authored }, windowNoticeMs, now)) {
      if (!m.scheduledFor || !m.scheduledUntil) continue;
      // Still `scheduled` in what staff wrote: the window, not an update, moves it.
      if (m.updates.find((u) => !u.automatic)?.status !== 'scheduled') continue;
      // On the timeline and in the JSON API too, as updates of Herald's own.
      postWindowUpdates({ db, authored }, m, now);
      const sinceStart = now.getTime() - m.scheduledFor.getTime();
      const sinceEnd = now.getTime() - m.scheduledUntil.getTime();
      const remindMs = config.maintenanceReminderHours * 60 * 60_000;
      // Announced within the reminder period: that announcement was the reminder. A later window of a series
      // was announced by the first, and made quietly: it is always reminded of, however late it was made.
      const laterWindow = m.occurrence !== null && m.occurrence.seriesId !== m.id;
      const announcedEarly = laterWindow || (m.updates.at(-1)?.at.getTime() ?? 0) < m.scheduledFor.getTime() - remindMs;
      const moment: WindowMoment | null =
        m.status === 'scheduled' && remindMs > 0 && announcedEarly && -sinceStart <= remindMs
          ? 'reminder'
          : m.status === 'in_progress' && sinceStart < windowNoticeMs
            ? 'started'
            : m.status === 'completed' && sinceEnd >= 0 && sinceEnd < windowNoticeMs
              ? 'completed'
              : null;
      // A window of a series is as quiet as the series' first window was scheduled.
      if (!moment || this.scheduledQuietly(m.occurrence?.seriesId ?? m.id)) continue;
      db.transaction((tx) =>
        queueNotification(tx, `${moment}:${m.id}`, { incidentId: m.id, updateId: null, componentIds: m.components.map((c) => c.id) }, now),
      );
    }
  }

  /**
   * A next update promised to customers whose time passed with no update:
   * whoever posted it (while their account is enabled) and STAFF_ALERT_EMAILS
   * are mailed, once per promise. Recorded once each address was accepted or
   * refused for good (a refusal is logged); while the mail server fails for a
   * while, tried again at the next housekeeping, so a crash between sending and
   * recording can repeat it, never drop it. Promises that no longer stand
   * (closed, trashed, superseded) stop being watched.
   */
  private async alertOverdue(now: Date): Promise<void> {
    const { db, authored, config } = this.options;
    const lapsed = readLapsedPromises({ db, authored }, now);
    forgetPromises(db, lapsed.filter((p) => !p.incident).map((p) => p.updateId), now);
    for (const promise of lapsed) {
      if (!promise.incident || promise.alertedAt) continue;
      const poster = promise.postedBy !== null ? activeStaffEmail(db, promise.postedBy) : null;
      const to = [...new Set([...(poster ? [poster] : []), ...config.mail.staffAlerts])];
      if (to.length === 0) log.error(`the update promised on ${promise.incidentId} is overdue, and nobody is set to be told (STAFF_ALERT_EMAILS)`);
      const site = this.siteNow();
      let retry = false;
      for (const [n, address] of to.entries()) {
        try {
          await this.options.transport.send(overdueMail(site, promise.incident, promise.nextUpdateBy, promise.updateId, address, n), config.mail.from);
        } catch (error) {
          const reason = redactEmails((error as Error).message);
          if (isPermanentFailure(error)) {
            log.error(`the mail server refused to tell ${redactEmails(address)} that the update promised on ${promise.incidentId} is overdue (${reason})`);
            continue;
          }
          log.error(`could not tell staff that the update promised on ${promise.incidentId} is overdue (${reason}); trying again in a minute`);
          retry = true;
          break;
        }
      }
      if (!retry) recordOverdueAlert(db, promise.updateId, to, now);
    }
  }

  /** Staff who scheduled a maintenance without notifying want no reminder or announcement either. */
  private scheduledQuietly(incidentId: string): boolean {
    return !!this.options.db
      .select({ id: incidentUpdates.id })
      .from(incidentUpdates)
      .where(and(eq(incidentUpdates.incidentId, incidentId), eq(incidentUpdates.status, 'scheduled'), eq(incidentUpdates.notify, false)))
      .get();
  }
}

/** Starts a worker for this database and content, sending as configured. `content` is read at each use: a reload shows in the next batch. */
export function startDeliveryWorker(
  db: HeraldDb,
  content: { readonly authored: LogContext['authored']; readonly page: PageSettings },
  config: Config,
  storage?: StorageHealth,
  metrics?: Pick<Metrics, 'countDelivery'>,
): DeliveryWorker {
  const worker = new DeliveryWorker({
    metrics,
    db,
    get authored() {
      return content.authored;
    },
    get page() {
      return content.page;
    },
    config,
    transport: mailTransport(config.mail),
    storage,
  });
  worker.start();
  return worker;
}
