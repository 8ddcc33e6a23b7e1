// The SQLite schema: the live side of Herald. Authored history lives in content/;
// this holds the component catalog as last synced, live component status, and
// incidents and updates posted by staff. SQL names snake_case, TS names camelCase.
// Times are UTC instants stored as integer milliseconds.
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  catalogSources,
  componentStatuses,
  deliveryStatuses,
  incidentImpacts,
  incidentKinds,
  staffRoles,
  subscriberKinds,
  chatPlatforms,
  tokenScopes,
  type UpdateStatus,
} from './constants';

const instant = (name: string) => integer(name, { mode: 'timestamp_ms' });
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const componentGroups = sqliteTable('component_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  position: integer('position').notNull().default(0),
  source: text('source', { enum: catalogSources }).notNull().default('file'),
});

export const components = sqliteTable('components', {
  /** Slug from content/components.yml; stable forever. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  groupId: text('group_id').references(() => componentGroups.id, { onDelete: 'set null' }),
  position: integer('position').notNull().default(0),
  status: text('status', { enum: componentStatuses }).notNull().default('operational'),
  /** False when the component has left the catalog: kept for history, not shown. */
  listed: integer('listed', { mode: 'boolean' }).notNull().default(true),
  /** 'file' follows content/components.yml at every start; 'console' was created or edited by staff and is theirs. */
  source: text('source', { enum: catalogSources }).notNull().default('file'),
  createdAt: instant('created_at').notNull().default(now),
  updatedAt: instant('updated_at').notNull().default(now),
});

/** Every change of a component's live status, so uptime can count outages set without an incident. */
export const componentStatusLog = sqliteTable(
  'component_status_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status', { enum: componentStatuses }).notNull(),
    at: instant('at').notNull(),
    /** The incident or maintenance that caused the change, if any. */
    incidentId: text('incident_id'),
  },
  (t) => [
    index('component_status_log_component_at').on(t.componentId, t.at),
    index('component_status_log_incident_at').on(t.incidentId, t.at),
    // A component's own changes (no incident), so finding the last one before a day is one seek however many incidents changed it.
    index('component_status_log_own').on(t.componentId, t.at).where(sql`incident_id IS NULL`),
  ],
);

/**
 * Staff's corrections of one day of a component's uptime (an outage that was
 * not one, a monitoring gap), with the reason; shown as corrected, audited.
 * `day` is the page's local day, YYYY-MM-DD.
 */
export const uptimeCorrections = sqliteTable(
  'uptime_corrections',
  {
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    /** The day's uptime as corrected, 0..100. */
    percent: real('percent').notNull(),
    reason: text('reason').notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.componentId, t.day] }), index('uptime_corrections_day').on(t.day)],
);

/** Incidents and maintenance created live (console, API, CLI). Markdown-authored ones live in content/. */
export const incidents = sqliteTable(
  'incidents',
  {
    /** Slug, e.g. 2026-11-02-webmail-slow; unique across markdown and database. */
    id: text('id').primaryKey(),
    kind: text('kind', { enum: incidentKinds }).notNull(),
    title: text('title').notNull(),
    impact: text('impact', { enum: incidentImpacts }).notNull(),
    startedAt: instant('started_at').notNull(),
    /** Maintenance window, for kind = maintenance. */
    scheduledFor: instant('scheduled_for'),
    scheduledUntil: instant('scheduled_until'),
    createdAt: instant('created_at').notNull().default(now),
    /** Set when staff move it to the trash: hidden everywhere, restorable until purged (TRASH_DAYS). */
    deletedAt: instant('deleted_at'),
    /** When its latest update closed it (resolved, postmortem, completed); null while open. Lets the page find open incidents without reading the history. */
    closedAt: instant('closed_at'),
    /**
     * Counts every change to the incident's updates, components and status
     * log rows, made by triggers (migration 0010) so no writer can forget it.
     * Readers keep a closed incident merged while its row, revision included, is unchanged.
     */
    revision: integer('revision').notNull().default(0),
    /** The template it was opened from, if any: its later messages are offered for later updates. */
    templateId: text('template_id'),
    /** For one window of a recurring maintenance: the series (maintenance_series.id, its first window's id). */
    seriesId: text('series_id'),
    /** And where the rule put this window's start: staff may move the window, this stays (RECURRENCE-ID). */
    occurrenceOf: instant('occurrence_of'),
  },
  (t) => [
    index('incidents_started_at').on(t.startedAt),
    index('incidents_closed_at').on(t.closedAt),
    index('incidents_kind_started_at').on(t.kind, t.startedAt),
    // A month's uptime: which incidents begun before it were still open at its start, from the index alone.
    index('incidents_started_closed').on(t.startedAt, t.closedAt),
    // One window per occurrence, however many workers make them.
    uniqueIndex('incidents_series_occurrence').on(t.seriesId, t.occurrenceOf),
  ],
);

/**
 * A maintenance that repeats: an RFC 5545 rule from its first window (a live
 * maintenance, or a markdown file with `recurrence:`), expanded in the zone the
 * page had when it was scheduled. Each occurrence becomes a maintenance of its
 * own shortly before it (src/lib/server/publishing/maintenance-series.ts), so it
 * has its own page entry, reminders and mails.
 */
export const maintenanceSeries = sqliteTable(
  'maintenance_series',
  {
    /** The first window's incident id (a markdown file's slug for a series in content/). */
    id: text('id').primaryKey(),
    /** RRULE body in the library's normal form, e.g. FREQ=WEEKLY;COUNT=8;BYDAY=SU. */
    rule: text('rule').notNull(),
    timeZone: text('time_zone').notNull(),
    firstStart: instant('first_start').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** The next occurrence's start not made into a window yet; null once the series has none left (or was ended). */
    nextStart: instant('next_start'),
    source: text('source', { enum: ['live', 'file'] }).notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [index('maintenance_series_next_start').on(t.nextStart)],
);

/**
 * Components an incident affects, with the status it gives each one now. Like
 * updates, a row may belong to a markdown incident, so incident_id has no foreign key.
 */
export const incidentComponents = sqliteTable(
  'incident_components',
  {
    incidentId: text('incident_id').notNull(),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status', { enum: componentStatuses }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.componentId] }), index('incident_components_component').on(t.componentId)],
);

/**
 * The live timeline. incident_id names a database incident or a markdown one
 * (content/incidents/<id>.md), so it has no foreign key; the domain checks it.
 */
/**
 * What staff wrote in the page's other languages (content/page.yml:
 * languages): a live incident's title (update 0) or a live update's text, in
 * one language. What is missing is shown in the page's default language, and
 * says so. Keyed by incident first, so an incident's translations are one
 * range of the primary key.
 */
export const translations = sqliteTable(
  'translations',
  {
    incidentId: text('incident_id').notNull(),
    /** The incident_updates row translated; 0 for the incident's title. */
    updateId: integer('update_id').notNull(),
    locale: text('locale').$type<import('../lib/i18n/locales').Locale>().notNull(),
    text: text('text').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.updateId, t.locale] })],
);

export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: text('incident_id').notNull(),
    status: text('status').$type<UpdateStatus>().notNull(),
    /** Markdown source, rendered and sanitized on display. */
    body: text('body').notNull(),
    at: instant('at').notNull(),
    /** Whether subscribers are told about this update (the notify job reads it: subscribers/outbox.ts). */
    notify: integer('notify', { mode: 'boolean' }).notNull().default(true),
    /** Set when staff corrected the body; the original stays in the audit log. */
    editedAt: instant('edited_at'),
    /** Posted by Herald, not staff: a maintenance window that started or ended by the clock. */
    automatic: integer('automatic', { mode: 'boolean' }).notNull().default(false),
    /** Set when staff move it to the trash: hidden everywhere, restorable until purged (TRASH_DAYS). */
    deletedAt: instant('deleted_at'),
    /** The staff account that posted it (none for tokens, the CLI and Herald): who is told when its promise lapses. */
    postedBy: integer('posted_by'),
    /** When the next update is promised ("next update by 15:30"); null when the update promised none. */
    nextUpdateBy: instant('next_update_by'),
    /** Set when a later update kept the promise (or the incident left the page): no longer watched. */
    promiseKeptAt: instant('promise_kept_at'),
    /** Set when staff were mailed that the promise lapsed: once per promise. */
    overdueAlertedAt: instant('overdue_alerted_at'),
  },
  (t) => [
    index('incident_updates_incident_at').on(t.incidentId, t.at),
    index('incident_updates_at').on(t.at),
    // The worker and the console look for lapsed promises by time, among the few still watched.
    index('incident_updates_open_promises').on(t.nextUpdateBy).where(sql`promise_kept_at IS NULL`),
  ],
);

/**
 * Templates staff saved in the console (templates in git live in
 * content/templates/; ids are unique across both). Same fields as
 * lib/content/template-file.ts IncidentTemplate, lists as JSON.
 */
export const incidentTemplates = sqliteTable('incident_templates', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: incidentKinds }).notNull(),
  title: text('title').notNull(),
  impact: text('impact', { enum: incidentImpacts }).notNull(),
  status: text('status').$type<UpdateStatus>().notNull(),
  /** JSON: [{id, status}]. */
  components: text('components').notNull(),
  nextUpdate: text('next_update'),
  duration: text('duration'),
  message: text('message').notNull(),
  /** JSON: {status: message}. */
  followUps: text('follow_ups').notNull(),
  createdAt: instant('created_at').notNull(),
  updatedAt: instant('updated_at').notNull(),
});

/** Staff accounts. Email is stored lower-cased; the password only as an argon2id hash. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: staffRoles }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** Disabled accounts cannot log in; they are kept so the audit log keeps its names. */
  disabledAt: instant('disabled_at'),
  passwordChangedAt: instant('password_changed_at').notNull().default(now),
  /** The password was made by Herald and shown to someone (printed at first start, issued by an owner): the console asks its holder to choose their own. */
  passwordGenerated: integer('password_generated', { mode: 'boolean' }).notNull().default(false),
  /** The single sign-on identity it logs in with: `<issuer> <subject>` (sso.ts); null for none. */
  ssoSubject: text('sso_subject').unique(),
  createdAt: instant('created_at').notNull().default(now),
});

/** Console sessions. The cookie carries the token; only its SHA-256 is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Sent back in every console form; a cross-site page cannot read it. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: instant('created_at').notNull(),
    lastSeenAt: instant('last_seen_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    /** How it logged in: with a password (and its second factor), a passkey, or the single sign-on provider (whose own factors apply). */
    via: text('via', { enum: ['password', 'passkey', 'sso'] }).notNull().default('password'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Bearer tokens for /api/admin. Shown once at creation; only the SHA-256 is stored. */
export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  scope: text('scope', { enum: tokenScopes }).notNull(),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: instant('created_at').notNull(),
  lastUsedAt: instant('last_used_at'),
  revokedAt: instant('revoked_at'),
});

/** Failed logins per key (`email:<address>` or `ip:<address>`), for throttling. Survives restarts. */
export const loginFailures = sqliteTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: instant('last_failure_at').notNull(),
  lockedUntil: instant('locked_until'),
});

/**
 * A staff account's authenticator app (TOTP, RFC 6238), one per account,
 * stored once a code from it was entered. Its key is the one secret of a
 * second factor that cannot be stored hashed: both sides compute codes from it.
 */
export const totpFactors = sqliteTable('totp_factors', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The shared key, base32; sealed with SECRETS_KEY when one is set. */
  secret: text('secret').notNull(),
  /** The last time step a code was accepted for: no code is accepted twice, nor an older one. */
  lastStep: integer('last_step').notNull().default(0),
  createdAt: instant('created_at').notNull(),
});

/** One-time codes for when the authenticator is lost: shown once, stored as SHA-256 (each carries 80 random bits). */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    usedAt: instant('used_at'),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [index('recovery_codes_user').on(t.userId)],
);

/** A login whose password was right and whose second factor is still due: the browser holds the token, for a few minutes. */
export const loginChallenges = sqliteTable(
  'login_challenges',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Wrong codes entered against it; past the limit it ends and the password is asked again. */
    failures: integer('failures').notNull().default(0),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [index('login_challenges_expiry').on(t.expiresAt)],
);

/** Passkeys and security keys (WebAuthn): as second factor, or to log in without the password (passkeys.ts). */
export const passkeys = sqliteTable(
  'passkeys',
  {
    /** The credential id, base64url, as the authenticator made it. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** What its owner called it ("YubiKey", "laptop"), shown in the list. */
    name: text('name').notNull(),
    /** The COSE public key the authenticator signs with. */
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    /** The authenticator's signature counter at its last use (0 when it keeps none). */
    counter: integer('counter').notNull().default(0),
    /** How the browser can reach it (usb, nfc, internal, hybrid…), JSON. */
    transports: text('transports'),
    createdAt: instant('created_at').notNull(),
    lastUsedAt: instant('last_used_at'),
  },
  (t) => [index('passkeys_user').on(t.userId)],
);

/** Sign-in links of a private page's readers that were used: each works once (src/lib/server/readers), kept until it expires. */
export const readerLinksUsed = sqliteTable(
  'reader_links_used',
  {
    tokenHash: text('token_hash').primaryKey(),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [index('reader_links_used_expiry').on(t.expiresAt)],
);

/** Passkey challenges answered: each is signed when issued (no row) and taken once, here, until it expires. */
export const passkeyChallengesUsed = sqliteTable(
  'passkey_challenges_used',
  {
    challenge: text('challenge').primaryKey(),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [index('passkey_challenges_used_expiry').on(t.expiresAt)],
);

/** Who did what, when, to what. Append-only; corrections keep the original here. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: instant('at').notNull(),
    /** Display name of who acted: an email, `token <name>` or `cli <os user>`. */
    actor: text('actor').notNull(),
    /** No foreign key: the entry outlives any change to the account. */
    actorUserId: integer('actor_user_id'),
    action: text('action').notNull(),
    target: text('target'),
    /** JSON with what changed, e.g. the original body of a corrected update. */
    detail: text('detail'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

/** Site-wide values Herald makes for itself, e.g. the secret that signs subscriber links. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** People (email) and systems (webhook) that follow the page. Deleting one deletes its queue too. */
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: subscriberKinds }).notNull(),
    /** A lower-cased email address, the webhook URL, or for a chat channel a keyed hash of its URL (the URL itself is a secret). */
    address: text('address').notNull(),
    /** Webhooks: the key their deliveries are signed with. Chat: the incoming-webhook URL. Sealed with SECRETS_KEY when set. */
    secret: text('secret'),
    /** Chat only: which platform's format its messages take. */
    platform: text('platform', { enum: chatPlatforms }),
    /** Chat only: the URL masked (host and the last characters), for the console, the logs and the channel's own pages. */
    label: text('label'),
    /** Chat only: when a post was last accepted, and failed attempts since then with the last reason, for the console. */
    lastSentAt: instant('last_sent_at'),
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    /** The language its mail, messages and pages come in (one of the page's languages); null for the page's default. */
    locale: text('locale').$type<import('../lib/i18n/locales').Locale>(),
    /** Null until the emailed link is followed (double opt-in); webhooks are confirmed at creation. */
    confirmedAt: instant('confirmed_at'),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [uniqueIndex('subscribers_kind_address').on(t.kind, t.address), index('subscribers_confirmed').on(t.confirmedAt)],
);

/**
 * Addresses Herald no longer mails: the mail server refused the recipient for
 * good (a hard bounce). Keyed by the canonical address, so it outlives an
 * unsubscribe and a new subscription; kept until an owner lifts it.
 */
export const suppressedAddresses = sqliteTable('suppressed_addresses', {
  /** What the console's "Lift" names, so the page never has to carry the address. */
  id: integer('id').primaryKey({ autoIncrement: true }),
  address: text('address').notNull().unique(),
  /** What the mail server said (addresses in it masked). */
  reason: text('reason').notNull(),
  createdAt: instant('created_at').notNull(),
});

/** The components a subscriber follows; none means all of them. */
export const subscriberComponents = sqliteTable(
  'subscriber_components',
  {
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.componentId] }), index('subscriber_components_component').on(t.componentId)],
);

/**
 * One notification to many: an update (or a maintenance window's moment) to
 * every subscriber it concerns, written as one row in the same transaction as
 * the update. The delivery worker expands it into outbox rows a few thousand
 * subscribers at a time, in subscriber id order, recording how far it got here
 * in the same transaction; what is sent is counted here, not kept as a row.
 */
export const notifyJobs = sqliteTable(
  'notify_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** As outbox.event: `update:<update row id>` or `reminder:`/`started:`/`completed:<incident>`. Unique: one job per event. */
    event: text('event').notNull().unique(),
    incidentId: text('incident_id').notNull(),
    updateId: integer('update_id'),
    /** JSON array of the components it touches; subscribers following none of them are skipped (those following nothing get everything). */
    componentIds: text('component_ids').notNull(),
    /** The highest subscriber id when it was posted: anyone who joins later is not told. */
    lastSubscriberId: integer('last_subscriber_id').notNull(),
    /** Subscribers confirmed after this (also posting time) are not told either. */
    confirmedBefore: instant('confirmed_before').notNull(),
    /** Progress: every subscriber id up to this one has been expanded into outbox rows. */
    expandedThrough: integer('expanded_through').notNull().default(0),
    /** Outbox rows made so far (the recipients). */
    recipients: integer('recipients').notNull().default(0),
    /** Deliveries acknowledged by the mail server or webhook receiver, and recorded. */
    sent: integer('sent').notNull().default(0),
    createdAt: instant('created_at').notNull(),
    /** Set when every subscriber up to lastSubscriberId has been expanded. */
    expandedAt: instant('expanded_at'),
    /** Set when what it announced went to the trash: nothing more is expanded or sent. */
    droppedAt: instant('dropped_at'),
  },
  (t) => [index('notify_jobs_expanded').on(t.expandedAt), index('notify_jobs_incident').on(t.incidentId)],
);

/**
 * A notify job's proof of delivery per channel (email, webhook): how many
 * subscribers it was expanded to, how many the mail server or receiver
 * accepted, and when the last one went out. Kept in step by the transactions
 * that expand and record sends; failures stay as outbox rows, with their reason.
 */
export const notifyJobChannels = sqliteTable(
  'notify_job_channels',
  {
    jobId: integer('job_id')
      .notNull()
      .references(() => notifyJobs.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: subscriberKinds }).notNull(),
    recipients: integer('recipients').notNull().default(0),
    sent: integer('sent').notNull().default(0),
    lastSentAt: instant('last_sent_at'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.channel] })],
);

/**
 * The durable outbox: one row per message still to send or failed. Mail for
 * one subscriber (confirmations) is written in the same transaction as what
 * caused it; an update's mail is expanded from its notify job. Unique per
 * (subscriber, event), so nothing is queued twice; a job's row is deleted once
 * sent (and counted on the job), other rows are marked sent; either way it is
 * never sent again.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** What happened: `update:<update row id>`, `reminder:`/`started:`/`completed:<incident>` (a maintenance window), `confirm:<time>`, `already:<time>`. */
    event: text('event').notNull(),
    incidentId: text('incident_id'),
    updateId: integer('update_id'),
    /** The notify job it was expanded from, if any. No cascade (SQLite cannot add one to an existing table): a job's rows are deleted before it. */
    jobId: integer('job_id').references(() => notifyJobs.id),
    status: text('status', { enum: deliveryStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    /** While a worker holds the row; another may take it once this has passed (the worker died). */
    leaseUntil: instant('lease_until'),
    lastError: text('last_error'),
    sentAt: instant('sent_at'),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [uniqueIndex('outbox_subscriber_event').on(t.subscriberId, t.event), index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_job').on(t.jobId, t.status)],
);

/** Fixed-window counters for rate limits other than logins (e.g. `subscribe-ip:<address>`). */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  windowStart: instant('window_start').notNull(),
});

export type ComponentRow = typeof components.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type MaintenanceSeriesRow = typeof maintenanceSeries.$inferSelect;
export type IncidentUpdateRow = typeof incidentUpdates.$inferSelect;
export type TranslationRow = typeof translations.$inferSelect;
export type IncidentComponentRow = typeof incidentComponents.$inferSelect;
export type ComponentStatusLogRow = typeof componentStatusLog.$inferSelect;
export type TotpFactorRow = typeof totpFactors.$inferSelect;
export type PasskeyRow = typeof passkeys.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type SubscriberRow = typeof subscribers.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type NotifyJobRow = typeof notifyJobs.$inferSelect;
export type NotifyJobChannelRow = typeof notifyJobChannels.$inferSelect;
