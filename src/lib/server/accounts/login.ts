// Logging in, with throttling per account and per client address. Failures are
// counted in SQLite (they survive a restart); after `limit` failures a key is
// locked for a delay that doubles with each further failure. Unknown emails
// are throttled and verified exactly like real ones, so neither the answer
// nor its timing says whether an account exists. A browser that logged in to
// the account before (its device cookie, devices.ts) is throttled on its own
// key instead, so a locked account still lets its own staff in; when a lock
// on an account starts, the audit log says so. An account with a second
// factor gets a challenge after its password: a short-lived token the
// browser keeps while it asks for the code or the passkey (answerChallenge).
// A passkey that verifies its user logs in without the password (loginWithPasskey).
import { eq, inArray, lt } from 'drizzle-orm';
import { loginChallenges, loginFailures, users, type UserRow } from '../../../db/schema';
import { accountKey, decoyPasswordHash, factorKey, findStaffByEmail, verifyPassword } from './accounts';
import { recordAudit, systemActor } from './audit';
import { deviceCookie, issueDeviceToken, trustedDeviceKey } from './devices';
import { passkeyAnswersChallenge, passkeyLogin, passkeyRequestOptions, type RelyingParty } from './passkeys';
import { hasAuthenticatorApp, passkeyCount, useSecondFactor } from './second-factor';
import { consoleCookie, sessionCookie, startSession, type SessionVia } from './sessions';
import type { HeraldDb } from '../db';
import { randomSecret, sha256 } from '../secrets';

export const loginThrottle = {
  /** Failures allowed per account before it is locked. */
  perAccount: 10,
  /** Failures allowed per client address (many staff may share one office address). */
  perAddress: 50,
  /** Failures allowed per known browser (device cookie) before it, too, is locked. */
  perDevice: 10,
  /** Wrong second-factor codes allowed per account (by whoever has its password) before codes are locked too. */
  perFactor: 10,
  /** The first lock; each further failure doubles it. */
  firstDelayMs: 60_000,
  maxDelayMs: 60 * 60_000,
  /** A key with no failure (and no lock) for this long starts again from zero. */
  forgetAfterMs: 60 * 60_000,
} as const;

export type LoginResult =
  /** `deviceToken`: the device cookie to give this browser (devices.ts). */
  | { ok: true; user: UserRow; deviceToken: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

const addressKey = (address: string) => `ip:${address}`;

function lockedFor(db: HeraldDb, keys: string[], now: Date): number {
  const rows = db.select().from(loginFailures).where(inArray(loginFailures.key, keys)).all();
  return Math.max(0, ...rows.map((row) => (row.lockedUntil ? row.lockedUntil.getTime() - now.getTime() : 0)));
}

/** Counts a failure against `key`; true when that failure starts a lock. */
function countFailure(db: HeraldDb, key: string, limit: number, now: Date): boolean {
  return db.transaction((tx) => {
    const row = tx.select().from(loginFailures).where(eq(loginFailures.key, key)).get();
    // Quiet since the last failure or the end of its lock, whichever is later:
    // counting from the failure alone would forget a key exactly as its longest
    // lock (maxDelayMs = forgetAfterMs) runs out, handing out a fresh allowance.
    const quietSince = row ? Math.max(row.lastFailureAt.getTime(), row.lockedUntil?.getTime() ?? 0) : 0;
    const stale = !row || now.getTime() - quietSince > loginThrottle.forgetAfterMs;
    const failures = stale ? 1 : row.failures + 1;
    const lockedUntil =
      failures >= limit
        ? new Date(now.getTime() + Math.min(loginThrottle.firstDelayMs * 2 ** (failures - limit), loginThrottle.maxDelayMs))
        : null;
    tx.insert(loginFailures)
      .values({ key, failures, lastFailureAt: now, lockedUntil })
      .onConflictDoUpdate({ target: loginFailures.key, set: { failures, lastFailureAt: now, lockedUntil } })
      .run();
    return lockedUntil !== null;
  });
}

/** A success takes back the failure counted before it was known (and the lock, if that count started one). */
function takeBackFailure(db: HeraldDb, key: string, limit: number): void {
  db.transaction((tx) => {
    const row = tx.select().from(loginFailures).where(eq(loginFailures.key, key)).get();
    if (!row) return;
    const failures = row.failures - 1;
    tx.update(loginFailures)
      .set({ failures, lockedUntil: failures >= limit ? row.lockedUntil : null })
      .where(eq(loginFailures.key, key))
      .run();
  });
}

export async function attemptLogin(
  db: HeraldDb,
  email: string,
  password: string,
  clientAddress: string,
  now = new Date(),
  /** The browser's device cookie, if it sent one. */
  deviceToken?: string,
): Promise<LoginResult> {
  const user = findStaffByEmail(db, email);
  const device = user ? trustedDeviceKey(db, deviceToken, user, now) : null;
  // A known browser answers for itself; any other for the account and its address.
  const throttles: [string, number][] = device
    ? [[device, loginThrottle.perDevice]]
    : [
        [accountKey(email), loginThrottle.perAccount],
        [addressKey(clientAddress), loginThrottle.perAddress],
      ];
  const keys = throttles.map(([key]) => key);
  const wait = lockedFor(db, keys, now);
  // While locked, not even the right password gets in: the guesser learns nothing.
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };

  // Counted as a failure before the slow, asynchronous password check, so a
  // burst of parallel guesses cannot all pass the lock check above before any
  // of them is counted. A success takes its count back.
  const locked = db.transaction(() => throttles.map(([key, limit]) => countFailure(db, key, limit, now)));

  const hash = user && !user.disabledAt ? user.passwordHash : await decoyPasswordHash();
  const valid = (await verifyPassword(hash, password)) && user !== undefined && !user.disabledAt;
  if (!valid) {
    // Staff see in the audit log that someone is guessing at an account: once per lock, and only for
    // real accounts, so made-up emails cannot fill the log (publishedAuditEntry keeps it out of the
    // public pages' version, so it does not tell a visitor which emails are staff's).
    // For an unknown email the same commit is made, so neither does the answer's time.
    if (!device && locked[0])
      db.transaction((tx) => {
        if (user) recordAudit(tx, systemActor, 'login.locked', keys[0], { address: clientAddress }, now);
        else tx.update(loginFailures).set({ lastFailureAt: now }).where(eq(loginFailures.key, keys[0])).run();
      });
    return { ok: false, reason: 'invalid' };
  }
  db.transaction((tx) => {
    tx.delete(loginFailures).where(eq(loginFailures.key, keys[0])).run();
    if (!device) takeBackFailure(db, keys[1], loginThrottle.perAddress);
  });
  return { ok: true, user, deviceToken: issueDeviceToken(db, user.id, now) };
}

/** A cookie to set on the answer: its name, value and attributes. */
export interface CookieToSet {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: 'lax' | 'strict'; secure: boolean; path: string; maxAge?: number; expires?: Date };
}

/** An account is in: a new session, and this browser known to it from now on (`deviceToken`, devices.ts). */
export function loggedInCookies(db: HeraldDb, siteUrl: string, userId: number, deviceToken: string, via: SessionVia, now = new Date()): CookieToSet[] {
  const { token, expiresAt } = startSession(db, userId, now, via);
  const session = sessionCookie(siteUrl);
  const device = deviceCookie(siteUrl);
  return [
    { name: session.name, value: token, options: { ...session.options, expires: expiresAt } },
    { name: device.name, value: deviceToken, options: device.options },
  ];
}

/** A login half done: the password was right, the second factor is due. */
export const challengeLimits = {
  lifetimeMs: 5 * 60_000,
  /** Wrong codes against one challenge before it ends and the password is asked again. */
  failures: 5,
} as const;

/** The cookie a challenge travels in: only the login form reads it. */
export const challengeCookie = (siteUrl: string) =>
  consoleCookie(siteUrl, 'herald_login', { httpOnly: true, sameSite: 'strict', maxAge: challengeLimits.lifetimeMs / 1000 });

/** After the right password for an account with a second factor: the token the browser keeps while it asks for the code. */
export function startChallenge(db: HeraldDb, userId: number, now = new Date()): string {
  const token = randomSecret(32);
  db.transaction((tx) => {
    // Housekeeping: expired challenges go whenever a new one starts.
    tx.delete(loginChallenges).where(lt(loginChallenges.expiresAt, now)).run();
    tx.insert(loginChallenges)
      .values({ tokenHash: sha256(token), userId, expiresAt: new Date(now.getTime() + challengeLimits.lifetimeMs) })
      .run();
  });
  return token;
}

export type ChallengeResult =
  | { ok: true; user: UserRow; deviceToken: string; by: 'totp' | 'recovery' | 'passkey'; recoveryCodesLeft?: number }
  /** No such challenge (any more): ask for the password again. */
  | { ok: false; reason: 'expired' }
  | { ok: false; reason: 'invalid' }
  /** The account's authenticator key cannot be decrypted with this SECRETS_KEY: only a recovery code or a reset gets in. */
  | { ok: false; reason: 'unreadable' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** The challenge in this browser's cookie, while it is good, with its account. */
function liveChallenge(db: HeraldDb, token: string | undefined, now: Date) {
  if (!token || token.length > 100) return null;
  const tokenHash = sha256(token);
  const found = db
    .select({ challenge: loginChallenges, user: users })
    .from(loginChallenges)
    .innerJoin(users, eq(users.id, loginChallenges.userId))
    .where(eq(loginChallenges.tokenHash, tokenHash))
    .get();
  if (!found || found.challenge.expiresAt <= now || found.user.disabledAt) {
    if (found) db.delete(loginChallenges).where(eq(loginChallenges.tokenHash, tokenHash)).run();
    return null;
  }
  return { ...found, tokenHash };
}

/**
 * How the login this browser started can be finished: with a code of an app
 * (`app`), and with a passkey (the options the browser needs to ask for one);
 * null when the login is over.
 */
export async function challengeFactors(db: HeraldDb, rp: RelyingParty, token: string | undefined, now = new Date()) {
  const live = liveChallenge(db, token, now);
  if (!live) return null;
  const passkey = passkeyCount(db, live.user.id) > 0 ? await passkeyRequestOptions(db, rp, 'factor', live.user.id, live.tokenHash, now) : null;
  return { app: hasAuthenticatorApp(db, live.user.id), passkey };
}

/** How a login's second step is answered: a code typed, or a passkey's answer (the browser's JSON). */
export type ChallengeAnswer = { code: string } | { passkey: unknown; rp: RelyingParty };

/**
 * The second step of a login: a code or a passkey for the challenge in this
 * browser's cookie. Wrong answers count against the challenge (a few, then
 * the password again) and against the account (perFactor, then the same
 * doubling lock; the audit log says so, for it means someone has the
 * password). A recovery code used is audited with how many are left.
 */
export async function answerChallenge(
  db: HeraldDb,
  token: string | undefined,
  answer: ChallengeAnswer,
  clientAddress: string,
  secretsKey: Buffer | null,
  now = new Date(),
): Promise<ChallengeResult> {
  const live = liveChallenge(db, token, now);
  if (!live) return { ok: false, reason: 'expired' };
  const { user, challenge, tokenHash } = live;
  const key = factorKey(user.id);
  const wait = lockedFor(db, [key], now);
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
  const used =
    'code' in answer
      ? useSecondFactor(db, user.id, answer.code, secretsKey, now)
      : (await passkeyAnswersChallenge(db, answer.rp, user.id, tokenHash, answer.passkey, now))
        ? ({ by: 'passkey' } as const)
        : null;
  if (used === 'unreadable') return { ok: false, reason: 'unreadable' };
  if (!used) {
    return db.transaction((tx) => {
      if (countFailure(db, key, loginThrottle.perFactor, now)) {
        recordAudit(tx, systemActor, 'login.factor_locked', user.email, { address: clientAddress }, now);
      }
      const failures = challenge.failures + 1;
      if (failures >= challengeLimits.failures) {
        tx.delete(loginChallenges).where(eq(loginChallenges.tokenHash, tokenHash)).run();
        return { ok: false, reason: 'expired' } as const;
      }
      tx.update(loginChallenges).set({ failures }).where(eq(loginChallenges.tokenHash, tokenHash)).run();
      return { ok: false, reason: 'invalid' } as const;
    });
  }
  db.transaction((tx) => {
    tx.delete(loginChallenges).where(eq(loginChallenges.tokenHash, tokenHash)).run();
    tx.delete(loginFailures).where(eq(loginFailures.key, key)).run();
    if (used.by === 'recovery') recordAudit(tx, { label: user.email, userId: user.id }, 'login.recovery_code', user.email, { left: used.left, address: clientAddress }, now);
  });
  return {
    ok: true,
    user,
    deviceToken: issueDeviceToken(db, user.id, now),
    by: used.by,
    ...(used.by === 'recovery' ? { recoveryCodesLeft: used.left } : {}),
  };
}

/**
 * A login with a passkey alone: the authenticator verified its user (PIN,
 * fingerprint), so it stands for both factors. Answers that fail are counted
 * against the client's address like wrong passwords.
 */
export async function loginWithPasskey(db: HeraldDb, rp: RelyingParty, answer: unknown, clientAddress: string, now = new Date()): Promise<LoginResult> {
  const key = addressKey(clientAddress);
  const wait = lockedFor(db, [key], now);
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
  // Counted before the check, as attemptLogin does, so parallel answers cannot all pass the lock check; a success takes it back.
  countFailure(db, key, loginThrottle.perAddress, now);
  const user = await passkeyLogin(db, rp, answer, now);
  if (!user) return { ok: false, reason: 'invalid' };
  takeBackFailure(db, key, loginThrottle.perAddress);
  return { ok: true, user, deviceToken: issueDeviceToken(db, user.id, now) };
}

/**
 * The current password asked again before a change to the account itself,
 * checked like a login, throttle included, so a borrowed session cannot
 * guess at leisure (a known browser on its own throttle). The field's error, or null when right.
 */
export async function recheckPassword(db: HeraldDb, email: string, password: string, clientAddress: string, deviceToken: string | undefined, now = new Date()): Promise<string | null> {
  const check = await attemptLogin(db, email, password, clientAddress, now, deviceToken);
  if (check.ok) return null;
  return check.reason === 'throttled' ? tooManyAttempts(check.retryAfterMs) : 'That is not your current password.';
}

/** What a throttled login or check says, in whole minutes. */
export function tooManyAttempts(retryAfterMs: number): string {
  const minutes = Math.ceil(retryAfterMs / 60_000);
  return `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
