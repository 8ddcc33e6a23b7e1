// `herald doctor`: what an operator checks after deploying, each answered in
// one line. The site is asked through SITE_URL, as visitors reach it, so the
// proxy, its certificate and its headers are part of what is checked; the
// rest is read where the server keeps it (database, backups, disks, clock).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { desc } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Config } from '../../config';
import { auditLog } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { resolveFromCwd } from '../paths';
import { isPublicAddress } from '../public-address';
import { formatBytes, freeBytes, lastBackupStatus, listBackups, verifyDigest } from '../storage';
import { issueProbe, probeHeader, type ProbeView } from './probe';

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  name: string;
  verdict: Verdict;
  detail: string;
}

export interface DoctorOptions {
  /** Send a test message to this address over SMTP_URL. */
  mailTo?: string;
  /** Each check as it is decided, for a terminal that should not wait for the slowest. */
  onCheck?: (check: DoctorCheck) => void;
}

const check = (name: string, verdict: Verdict, detail: string): DoctorCheck => ({ name, verdict, detail });

/** Runs every check, in the order an operator would fix them. */
export async function runDoctor(config: Config, db: HeraldDb, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => {
    checks.push(c);
    options.onCheck?.(c);
  };
  const site = await askSite(config, db);
  for (const c of siteChecks(config, site)) add(c);
  add(databaseCheck(config, db));
  add(await smtpCheck(config, options.mailTo));
  add(await backupsCheck(config));
  add(diskCheck(config));
  add(clockCheck(db, site.ok ? site.date : null));
  return checks;
}

/** What SITE_URL answered: to the doctor's probe, then to a plain /healthz. */
export type SiteAnswer =
  | { ok: false; reason: string }
  | {
      ok: true;
      status: number;
      ms: number;
      location: string | null;
      hsts: string | null;
      /** The proxy's clock (or Herald's, without one). */
      date: Date | null;
      view: ProbeView | null;
      health: { status: number; body: Record<string, unknown> | null } | null;
    };

async function askSite(config: Config, db: HeraldDb): Promise<SiteAnswer> {
  const url = `${config.siteUrl}/healthz`;
  const token = issueProbe(db);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, { headers: { [probeHeader]: token }, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
  const ms = Math.round(performance.now() - started);
  const probe = parseJson(await response.text())?.probe as ProbeView | undefined;
  const date = response.headers.get('date');
  let health: { status: number; body: Record<string, unknown> | null } | null = null;
  if (response.status === 200) {
    try {
      const plain = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      health = { status: plain.status, body: parseJson(await plain.text()) };
    } catch {
      health = null;
    }
  }
  return {
    ok: true,
    status: response.status,
    ms,
    location: response.headers.get('location'),
    hsts: response.headers.get('strict-transport-security'),
    date: date ? new Date(date) : null,
    view: probe && typeof probe.peer === 'string' ? probe : null,
    health,
  };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The innermost cause a failed fetch gives (ECONNREFUSED, a certificate error), in words. */
function reasonOf(error: unknown): string {
  let e = error as { cause?: unknown; code?: string; message?: string; name?: string };
  while (e?.cause) e = e.cause as typeof e;
  if (e?.name === 'TimeoutError') return 'no answer within 10 s';
  if (e?.code && e.message?.includes(e.code)) return e.message;
  return [e?.code, e?.message].filter(Boolean).join(': ') || String(error);
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || host.startsWith('127.');

/** site-url, https, hsts, trust-proxy and health: what visitors reach. */
export function siteChecks(config: Config, site: SiteAnswer): DoctorCheck[] {
  const https = config.siteUrl.startsWith('https:');
  const local = isLoopbackHost(new URL(config.siteUrl).hostname);
  if (!site.ok) {
    const unreachable = `${config.siteUrl}/healthz cannot be reached: ${site.reason}`;
    const skipped = ['hsts', 'trust-proxy', 'health'].map((name) => check(name, 'skip', 'SITE_URL could not be reached'));
    const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|altnames/i.test(site.reason);
    return [check('site-url', 'fail', unreachable), certificate ? check('https', 'fail', `the certificate is not valid for visitors: ${site.reason}`) : httpsCheck(https, local, true), ...skipped];
  }
  const checks: DoctorCheck[] = [];
  if (site.status >= 300 && site.status < 400) {
    checks.push(check('site-url', 'fail', `${config.siteUrl}/healthz answers ${site.status} to ${site.location ?? '?'}: SITE_URL must be the address visitors end up at`));
  } else if (!site.view) {
    checks.push(
      check('site-url', 'fail', `${config.siteUrl} answers ${site.status}, but not as the Herald on HERALD_DB=${config.databasePath}: SITE_URL reaches another server, or the server uses another database`),
    );
  } else {
    checks.push(check('site-url', 'ok', `${config.siteUrl} reaches this Herald (${site.status} in ${site.ms} ms)`));
  }
  checks.push(httpsCheck(https, local, false));
  checks.push(hstsCheck(https, site.hsts));
  checks.push(site.view ? trustProxyCheck(config, https, site.view) : check('trust-proxy', 'skip', 'Herald did not answer through SITE_URL'));
  checks.push(healthCheck(site.health));
  return checks;
}

function httpsCheck(https: boolean, local: boolean, unreached: boolean): DoctorCheck {
  if (!https && !local) return check('https', 'fail', 'SITE_URL is http://: logins, cookies and HSTS need https; put a TLS proxy in front (deploy/)');
  if (!https) return check('https', 'warn', 'SITE_URL is http:// on this machine: fine for trying Herald, not for visitors');
  if (unreached) return check('https', 'skip', 'SITE_URL could not be reached');
  return check('https', 'ok', 'the certificate is valid for SITE_URL (checked against this machine\'s trust store)');
}

function hstsCheck(https: boolean, hsts: string | null): DoctorCheck {
  if (!https) return check('hsts', 'skip', 'SITE_URL is not https');
  if (!hsts) return check('hsts', 'fail', 'no Strict-Transport-Security on an https answer: the proxy drops it, or Herald did not learn the request was https (TRUST_PROXY, X-Forwarded-Proto)');
  // Headers received twice arrive joined with ", ".
  if ((hsts.match(/max-age/gi) ?? []).length > 1) return check('hsts', 'warn', `Strict-Transport-Security is sent twice (${hsts}): the proxy adds its own; Herald already sends it`);
  const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0);
  if (maxAge < 15_552_000) return check('hsts', 'warn', `Strict-Transport-Security "${hsts}" promises less than 180 days; Herald itself sends two years`);
  return check('hsts', 'ok', hsts);
}

/** Whether TRUST_PROXY matches what arrives: a proxy's headers believed, and nobody else's. */
export function trustProxyCheck(config: Config, https: boolean, view: ProbeView): DoctorCheck {
  const from = `the request through SITE_URL came from ${view.peer}`;
  if (config.trustProxy) {
    if (!view.forwardedFor) return check('trust-proxy', 'fail', `TRUST_PROXY=1, but ${from} without X-Forwarded-For: the proxy does not set it (deploy/ shows how), so the login throttle cannot tell visitors apart`);
    if (https && !view.https) return check('trust-proxy', 'fail', `${from} without X-Forwarded-Proto: https, so Herald sends no HSTS and its cookies cannot be Secure; have the proxy set it`);
    if (isPublicAddress(view.peer)) {
      return check('trust-proxy', 'warn', `TRUST_PROXY=1 and ${from}, a public address: only the proxy may reach Herald's port (HOST=127.0.0.1 or a firewall), or anyone can claim any address`);
    }
    return check('trust-proxy', 'ok', `TRUST_PROXY=1, and the proxy at ${view.peer} passes X-Forwarded-For (${view.forwardedFor}) and X-Forwarded-Proto (${view.forwardedProto ?? 'none'})`);
  }
  if (view.forwardedFor || view.forwardedProto) {
    return check('trust-proxy', 'fail', `a proxy at ${view.peer} sends X-Forwarded-For/-Proto, but TRUST_PROXY is off: every visitor counts as ${view.peer} for the login throttle, and https is not recognised; set TRUST_PROXY=1`);
  }
  if (https && !view.https) return check('trust-proxy', 'warn', `SITE_URL is https, but ${from} as plain HTTP without forwarding headers: Herald sends no HSTS; have the proxy set X-Forwarded-For/-Proto and TRUST_PROXY=1`);
  return check('trust-proxy', 'ok', `no proxy headers arrive and TRUST_PROXY is off (${from})`);
}

function healthCheck(health: { status: number; body: Record<string, unknown> | null } | null): DoctorCheck {
  if (!health) return check('health', 'skip', '/healthz did not answer');
  const body = health.body ?? {};
  if (health.status !== 200 || body.status === 'error') return check('health', 'fail', `/healthz answers ${health.status}: the database does not answer`);
  if (body.status === 'degraded') {
    // `backup` carries the last backup's message whatever its outcome: it is the reason when nothing else is.
    const reasons = ['storage', 'content'].filter((k) => body[k] !== 'ok').map((k) => `${k}: ${String(body[k])}`);
    if (reasons.length === 0) reasons.push(`backup: ${String(body.backup)}`);
    return check('health', 'warn', `/healthz says degraded: ${reasons.join('; ')}`);
  }
  return check('health', 'ok', '/healthz: database, storage and content ok');
}

/** The database's own check, as the server runs it at start. */
function databaseCheck(config: Config, db: HeraldDb): DoctorCheck {
  const problems = (db.$client.pragma('quick_check(3)') as Record<string, string>[]).map((r) => Object.values(r)[0]).join('; ');
  if (problems !== 'ok') return check('database', 'fail', `${config.databasePath} fails its integrity check (${problems}): restore the last good backup (herald backup list, herald restore FILE)`);
  const mode = String(db.$client.pragma('journal_mode', { simple: true }));
  return check('database', 'ok', `${config.databasePath}: ${formatBytes(databaseBytes(config))}, integrity ok, journal ${mode}`);
}

/** The database with its write-ahead log, which a checkpoint folds in. */
function databaseBytes(config: Config): number {
  const file = resolveFromCwd(config.databasePath);
  return [file, `${file}-wal`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
}

/** SMTP_URL reachable and its login accepted; with `mailTo`, a message the server accepts. */
export async function smtpCheck(config: Config, mailTo: string | undefined): Promise<DoctorCheck> {
  if (!config.mail.smtpUrl) {
    return check('smtp', mailTo ? 'fail' : 'warn', `no SMTP_URL: mail is written as files in ${config.mail.dir}, and no subscriber receives it`);
  }
  const url = new URL(config.mail.smtpUrl);
  const server = `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`; // never the password
  const login = url.username ? 'its login' : 'no login (none in SMTP_URL)';
  const transport = nodemailer.createTransport({ url: config.mail.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  try {
    await transport.verify();
    if (!mailTo) return check('smtp', 'ok', `${server} accepts the connection and ${login} (add --mail-to ADDRESS to send a test message)`);
    const sent = await transport.sendMail({
      from: config.mail.from,
      to: mailTo,
      subject: 'Herald doctor: test message',
      text: `This message was sent by herald doctor on the status page ${config.siteUrl}, to check that mail to subscribers leaves.\n`,
    });
    return check('smtp', 'ok', `${server} accepts ${login} and took a test message from ${config.mail.from} to ${mailTo} (${sent.response})`);
  } catch (error) {
    const e = error as { code?: string; response?: string; message: string };
    const what = e.code === 'EAUTH' ? 'refused the login' : mailTo ? 'did not take the test message' : 'could not be used';
    return check('smtp', 'fail', `${server} ${what}: ${e.response ?? e.message}`);
  } finally {
    transport.close();
  }
}

const hours = (ms: number) => (ms < 2 * 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 48 * 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} days`);

/** A recent backup that passed its check when it was made and still has the bytes it had. */
export async function backupsCheck(config: Config, now = Date.now()): Promise<DoctorCheck> {
  const { dir, intervalHours } = config.backup;
  const status = lastBackupStatus(dir);
  if (status && !status.ok) return check('backups', 'fail', `the last backup, at ${status.at}, was refused: ${status.message}`);
  const newest = listBackups(dir)[0];
  if (!newest) {
    const taker = intervalHours > 0 ? `the server takes one every ${intervalHours} h, the first a few seconds after it starts` : 'BACKUP_INTERVAL_HOURS=0, so only a scheduled herald backup takes them';
    return check('backups', 'fail', `no backup in ${dir} (${taker})`);
  }
  const age = now - Date.parse(newest.createdAt);
  // A daily job (cron, a timer) when the server takes none.
  const expected = (intervalHours > 0 ? intervalHours : 24) * 3_600_000;
  const file = join(resolveFromCwd(dir), newest.file);
  if (age > expected * 2) return check('backups', 'fail', `the newest backup, ${newest.file}, is ${hours(age)} old (one is expected every ${hours(expected)})`);
  const digest = await verifyDigest(file);
  if (digest === 'changed') return check('backups', 'fail', `the newest backup, ${newest.file}, changed since it was made (sha256 differs): do not restore it; take a new one (herald backup)`);
  const summary = `newest ${hours(age)} ago: ${newest.file} (${formatBytes(newest.size)}, integrity ${newest.integrity}, sha256 ${digest === 'ok' ? 'as recorded' : 'not recorded'}${newest.encrypted ? ', encrypted' : ''})`;
  if (sameDisk(file, resolveFromCwd(config.databasePath))) return check('backups', 'warn', `${summary}; on the same disk as the database: copy them off this machine too`);
  return check('backups', 'ok', summary);
}

function sameDisk(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(existsSync(b) ? b : dirname(b)).dev;
  } catch {
    return false;
  }
}

/** Room for the database to grow its log and checkpoint, and for the next backup before the oldest goes. */
export function diskCheck(config: Config): DoctorCheck {
  const size = databaseBytes(config);
  const reserve = 64 * 2 ** 20;
  const dbFree = freeBytes(resolveFromCwd(config.databasePath));
  const backupDir = resolveFromCwd(config.backup.dir);
  const backupFree = freeBytes(join(existsSync(backupDir) ? backupDir : dirname(backupDir), '.'));
  if (dbFree === null) return check('disk', 'skip', 'this system does not say how much space is free');
  const problems: string[] = [];
  if (dbFree < size + reserve) problems.push(`the database's disk has ${formatBytes(dbFree)} free, less than the database (${formatBytes(size)}) plus ${formatBytes(reserve)}`);
  if (backupFree !== null && backupFree < 2 * size + reserve) problems.push(`the backups' disk has ${formatBytes(backupFree)} free, less than two backups (${formatBytes(2 * size)}) plus ${formatBytes(reserve)}`);
  if (problems.length) return check('disk', 'fail', problems.join('; '));
  return check('disk', 'ok', `${formatBytes(dbFree)} free beside the database (${formatBytes(size)})${backupFree !== null ? `, ${formatBytes(backupFree)} beside the backups` : ''}`);
}

/** This clock against the proxy's, the database's newest entry and NTP where the system says. */
export function clockCheck(db: HeraldDb, proxyDate: Date | null, now = new Date()): DoctorCheck {
  const notes = [`${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}`];
  const newest = db.select({ at: auditLog.at }).from(auditLog).orderBy(desc(auditLog.at)).limit(1).get()?.at;
  if (newest && newest.getTime() - now.getTime() > 60_000) {
    return check('clock', 'fail', `the database holds entries from ${newest.toISOString()}, ${hours(newest.getTime() - now.getTime())} ahead of this clock: it was set back, so new updates would sort before old ones`);
  }
  if (proxyDate && !Number.isNaN(proxyDate.getTime())) {
    const skew = Math.abs(proxyDate.getTime() - now.getTime()) / 1000;
    // Date has whole seconds, and the answer took a moment.
    if (skew > 30) return check('clock', 'fail', `${notes[0]} here, but SITE_URL's Date header says ${proxyDate.toISOString()} (${Math.round(skew)} s apart)`);
    notes.push('SITE_URL\'s Date header agrees');
  }
  const ntp = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 5_000 });
  const synchronised = ntp.status === 0 ? ntp.stdout.trim() : '';
  if (synchronised === 'no') return check('clock', 'warn', `${notes.join('; ')}; but timedatectl says it is not synchronised with NTP`);
  if (synchronised === 'yes') notes.push('synchronised with NTP');
  return check('clock', 'ok', notes.join('; '));
}
