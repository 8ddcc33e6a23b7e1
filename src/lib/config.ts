// Configuration comes from environment variables, validated once. A bad value
// stops start-up with one line naming the variable (docs/running.md: Configuration).
import { dirname, join, resolve } from 'node:path';
import { canonicalEmail } from './email-address';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  host: string;
  port: number;
  /** SQLite file; created with its folder when missing. */
  databasePath: string;
  /** Public base URL, no trailing slash; used in links the CLI prints, feeds and mail. */
  siteUrl: string;
  /** Believe X-Forwarded-For/-Proto from a reverse proxy in front (src/lib/server/http/forwarded.ts). */
  trustProxy: boolean;
  mail: {
    /** smtp:// or smtps:// with credentials; null writes each message as an .eml file under `dir`. */
    smtpUrl: string | null;
    from: string;
    dir: string;
    /** Temporary failures are retried, with doubling waits from `retryMinSeconds`, for this long. */
    retryHours: number;
    retryMinSeconds: number;
    /** Told, besides the staff who posted it, when a promised next update is overdue (STAFF_ALERT_EMAILS). */
    staffAlerts: string[];
  };
  /** Hours before a maintenance starts to remind subscribers; 0 for no reminder. */
  maintenanceReminderHours: number;
  /** Run the delivery worker inside the server (off when `herald worker` runs it elsewhere). */
  worker: boolean;
  /** Read the content folder again when a file in it changes (SIGHUP and `herald reload` work either way). */
  contentWatch: boolean;
  /** Lets /metrics answer a scraper that is not on loopback (Authorization: Bearer …); null: loopback only. */
  metricsToken: string | null;
  /** Keep this folder a static export, fresh after every change (`herald mirror`, run by the server); null for none. */
  mirrorDir: string | null;
  /** How the server writes its log lines: `Herald: …` text, or one JSON object per line. */
  logFormat: 'text' | 'json';
  /** How long a worker holds the rows it took; after a crash they are sent again once this passes. */
  outboxLeaseSeconds: number;
  /** Subscribers a worker expands from a notify job per transaction. */
  outboxExpandBatch: number;
  /** Let webhooks point at loopback and private addresses (tests, closed networks). */
  webhookAllowPrivate: boolean;
  /** Encrypts secrets Herald keeps for others (webhook signing secrets); null stores them as they are. */
  secretsKey: Buffer | null;
  /** For /.well-known/security.txt (RFC 9116). */
  security: {
    /** A mailto: or https: URI for reporting vulnerabilities. */
    contact: string;
    /** When the file's promises lapse; null means "180 days from now", always current. */
    expires: Date | null;
  };
  retention: {
    /** Days an incident or update stays restorable in the trash before it is purged. */
    trashDays: number;
    /** Days audit entries are kept. */
    auditDays: number;
  };
  backup: {
    dir: string;
    /** Hours between the server's own backups; 0 for none. */
    intervalHours: number;
    keepDaily: number;
    keepWeekly: number;
    /** AES-256-GCM key for backup files; null keeps them unencrypted. */
    key: Buffer | null;
  };
  /** Single sign-on for staff with an OpenID Connect provider (src/lib/server/accounts/sso.ts); null: passwords and passkeys only. */
  sso: SsoConfig | null;
  /** Images on other hosts, shown through /img/ (src/lib/server/images/proxy.ts). */
  imageProxy: {
    /** Let image URLs reach loopback, private and link-local addresses (tests only). */
    allowPrivate: boolean;
    /** Where fetched images are kept. */
    cacheDir: string;
    /** The cache's bound in MiB; the least recently used images go first. */
    cacheMb: number;
  };
}

export interface SsoConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the login button calls the provider: "Log in with <name>". */
  name: string;
  /** Who may sign in: verified emails in these domains (lower case); empty when the role claim alone decides. */
  emailDomains: string[];
  /** A claim (a string or a list, such as `groups`) whose values make owners and editors; null: every new account is an editor. */
  roleClaim: string | null;
  ownerValues: string[];
  editorValues: string[];
  /** False: accounts in emailDomains log in only through the provider, not with a password. */
  passwordLogin: boolean;
}

type Env = Record<string, string | undefined>;

function port(env: Env): number {
  const raw = env.PORT?.trim() || '4321';
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function host(env: Env): string {
  const raw = env.HOST?.trim() || 'localhost';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(raw)) throw new ConfigError('HOST', `is not a host name or address: "${raw}"`);
  return raw;
}

function siteUrl(env: Env, hostName: string, portNumber: number): string {
  const raw = env.SITE_URL?.trim();
  if (!raw) return `http://${hostName.includes(':') ? `[${hostName}]` : hostName}:${portNumber}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SITE_URL', `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('SITE_URL', `must start with https:// or http://, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

function databasePath(env: Env): string {
  const raw = env.HERALD_DB ?? './data/herald.db';
  if (raw.trim() === '') throw new ConfigError('HERALD_DB', 'is empty; name a file, e.g. ./data/herald.db');
  if (raw.includes('\0')) throw new ConfigError('HERALD_DB', 'contains a NUL byte');
  return raw;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(name, `must be 1/true or 0/false, got "${env[name]}"`);
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function smtpUrl(env: Env): string | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL', 'is not a URL, e.g. smtps://user:password@mail.example.com:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps://, got "${url.protocol}//"`);
  }
  return raw;
}

function mailFrom(env: Env, site: string): string {
  const raw = env.MAIL_FROM?.trim();
  if (!raw) return `status@${new URL(site).hostname.replace(/^\[|\]$/g, '') || 'localhost'}`;
  if (!/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(raw)) {
    throw new ConfigError('MAIL_FROM', `is not an address, e.g. "Example status <status@example.com>", got "${raw}"`);
  }
  return raw;
}

/** Comma-separated addresses, each checked and folded as the subscribe form does. */
function addressList(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  const addresses = raw.split(',').map((part) => part.trim()).filter(Boolean);
  return [
    ...new Set(
      addresses.map((address) => {
        const check = canonicalEmail(address);
        if (!check.ok) throw new ConfigError(name, `"${address}" is not an address: ${check.reason}`);
        return check.address;
      }),
    ),
  ];
}

function securityContact(env: Env, site: string): string {
  const raw = env.SECURITY_CONTACT?.trim();
  if (!raw) return `mailto:security@${new URL(site).hostname.replace(/^\[|\]$/g, '') || 'localhost'}`;
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(raw)) {
    throw new ConfigError('SECURITY_CONTACT', `must be a mailto: or https: URI, e.g. mailto:security@example.com, got "${raw}"`);
  }
  return raw;
}

function securityTxtExpires(env: Env): Date | null {
  const raw = env.SECURITY_TXT_EXPIRES?.trim();
  if (!raw) return null;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) throw new ConfigError('SECURITY_TXT_EXPIRES', `is not a date, e.g. 2027-06-30T00:00:00Z, got "${raw}"`);
  if (date.getTime() <= Date.now()) throw new ConfigError('SECURITY_TXT_EXPIRES', `${raw} has passed; an expired security.txt tells researchers to ignore it`);
  return date;
}

const list = (env: Env, name: string) => (env[name] ?? '').split(',').map((part) => part.trim()).filter(Boolean);

/** OIDC_*: all or nothing; the issuer over HTTPS (plain HTTP only on loopback, for a provider on this host). */
function sso(env: Env): SsoConfig | null {
  const issuer = env.OIDC_ISSUER?.trim();
  if (!issuer) {
    const stray = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_NAME', 'OIDC_EMAIL_DOMAINS', 'OIDC_ROLE_CLAIM', 'OIDC_OWNER_VALUES', 'OIDC_EDITOR_VALUES', 'OIDC_PASSWORD_LOGIN'].find((name) => env[name]?.trim());
    if (stray) throw new ConfigError('OIDC_ISSUER', `is not set, but ${stray} is: name the provider's issuer URL, e.g. https://login.example.com`);
    return null;
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('OIDC_ISSUER', `is not a URL: "${issuer}"`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new ConfigError('OIDC_ISSUER', `must be an https:// URL (http:// only on loopback), got "${issuer}"`);
  const clientId = env.OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'must be set with OIDC_ISSUER: the client id the provider gave Herald');
  const clientSecret = env.OIDC_CLIENT_SECRET?.trim();
  if (!clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'must be set with OIDC_ISSUER: the client secret the provider gave Herald');
  const emailDomains = list(env, 'OIDC_EMAIL_DOMAINS').map((d) => d.toLowerCase().replace(/^@/, ''));
  const bad = emailDomains.find((d) => !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d));
  if (bad) throw new ConfigError('OIDC_EMAIL_DOMAINS', `"${bad}" is not a domain, e.g. example.com`);
  const roleClaim = env.OIDC_ROLE_CLAIM?.trim() || null;
  const ownerValues = list(env, 'OIDC_OWNER_VALUES');
  const editorValues = list(env, 'OIDC_EDITOR_VALUES');
  if (roleClaim && ownerValues.length + editorValues.length === 0) throw new ConfigError('OIDC_ROLE_CLAIM', 'needs OIDC_OWNER_VALUES or OIDC_EDITOR_VALUES: the claim values that make owners and editors');
  // Without either, everyone the provider knows could become staff.
  if (!roleClaim && emailDomains.length === 0) throw new ConfigError('OIDC_EMAIL_DOMAINS', 'name the email domains that may sign in (or OIDC_ROLE_CLAIM with its values), or everyone the provider knows becomes staff');
  const passwordLogin = flag(env, 'OIDC_PASSWORD_LOGIN', true);
  if (!passwordLogin && emailDomains.length === 0) throw new ConfigError('OIDC_PASSWORD_LOGIN', 'turns passwords off for the accounts in OIDC_EMAIL_DOMAINS, which is empty');
  return { issuer, clientId, clientSecret, name: env.OIDC_NAME?.trim() || 'single sign-on', emailDomains, roleClaim, ownerValues, editorValues, passwordLogin };
}

/** A 32-byte AES-256 key, as 64 hex digits or base64; unset is null. */
function logFormat(env: Env): 'text' | 'json' {
  const raw = (env.LOG_FORMAT ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'text') return 'text';
  if (raw === 'json') return 'json';
  throw new ConfigError('LOG_FORMAT', `must be text or json, got "${env.LOG_FORMAT}"`);
}

/** A bearer token a scraper sends: long enough that guessing it is hopeless, and plain characters only. */
function metricsToken(env: Env): string | null {
  const raw = env.METRICS_TOKEN?.trim();
  if (!raw) return null;
  if (!/^[\x21-\x7e]{24,256}$/.test(raw)) throw new ConfigError('METRICS_TOKEN', 'must be 24 to 256 visible characters without spaces, e.g. the output of: openssl rand -hex 24');
  return raw;
}

function aesKey(env: Env, name: string): Buffer | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const hex = /^[0-9a-f]{64}$/i.test(raw);
  const key = hex ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32 || (!hex && key.toString('base64').replace(/=+$/, '') !== raw.replace(/=+$/, ''))) {
    throw new ConfigError(name, 'must be 32 bytes as 64 hex digits or base64, e.g. the output of: openssl rand -base64 32');
  }
  return key;
}

export function loadConfig(env: Env = process.env): Config {
  const h = host(env);
  const p = port(env);
  const site = siteUrl(env, h, p);
  return {
    host: h,
    port: p,
    databasePath: databasePath(env),
    siteUrl: site,
    trustProxy: flag(env, 'TRUST_PROXY', false),
    mail: {
      smtpUrl: smtpUrl(env),
      from: mailFrom(env, site),
      // Beside the database, like backups: two instances with their own HERALD_DB never share a folder.
      dir: env.MAIL_DIR?.trim() || join(dirname(databasePath(env)), 'mail'),
      retryHours: number(env, 'MAIL_RETRY_HOURS', 24, 0, 24 * 30),
      retryMinSeconds: number(env, 'MAIL_RETRY_MIN_SECONDS', 30, 0.01, 3600),
      staffAlerts: addressList(env, 'STAFF_ALERT_EMAILS'),
    },
    maintenanceReminderHours: number(env, 'MAINTENANCE_REMINDER_HOURS', 24, 0, 24 * 30),
    worker: flag(env, 'HERALD_WORKER', true),
    contentWatch: flag(env, 'CONTENT_WATCH', true),
    metricsToken: metricsToken(env),
    mirrorDir: env.MIRROR_DIR?.trim() ? resolve(env.MIRROR_DIR.trim()) : null,
    logFormat: logFormat(env),
    outboxLeaseSeconds: number(env, 'OUTBOX_LEASE_SECONDS', 120, 1, 3600),
    outboxExpandBatch: number(env, 'OUTBOX_EXPAND_BATCH', 2000, 1, 100_000),
    webhookAllowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    secretsKey: aesKey(env, 'SECRETS_KEY'),
    security: { contact: securityContact(env, site), expires: securityTxtExpires(env) },
    retention: {
      trashDays: number(env, 'TRASH_DAYS', 7, 1, 365),
      auditDays: number(env, 'AUDIT_RETENTION_DAYS', 180, 1, 3650),
    },
    backup: {
      // Beside the database unless told otherwise (./data/backups by default).
      dir: env.BACKUP_DIR?.trim() || join(dirname(databasePath(env)), 'backups'),
      intervalHours: number(env, 'BACKUP_INTERVAL_HOURS', 24, 0, 24 * 30),
      keepDaily: number(env, 'BACKUP_KEEP_DAILY', 7, 1, 366),
      keepWeekly: number(env, 'BACKUP_KEEP_WEEKLY', 4, 0, 520),
      key: aesKey(env, 'BACKUP_KEY'),
    },
    sso: sso(env),
    imageProxy: {
      allowPrivate: flag(env, 'IMAGE_PROXY_ALLOW_PRIVATE', false),
      // Beside the database unless told otherwise (./data/image-cache by default).
      cacheDir: env.IMAGE_CACHE_DIR?.trim() || join(dirname(databasePath(env)), 'image-cache'),
      cacheMb: number(env, 'IMAGE_CACHE_MB', 100, 1, 1_000_000),
    },
  };
}
