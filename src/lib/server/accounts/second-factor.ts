// Second factors for staff logins: an authenticator app (TOTP, totp.ts),
// passkeys and security keys (passkeys.ts), and recovery codes for when they
// are lost; the owners' rule on who must have one,
// and the owners' (and the CLI's) reset for someone locked out. Setting up
// needs no stored state: the new key travels in the set-up form, signed for
// that account, until a code from it proves the app has it. Every change ends
// the account's other sessions and is audited.
import { createHmac, randomBytes } from 'node:crypto';
import { and, count, eq, isNull, lt } from 'drizzle-orm';
import { renderSVG } from 'uqr';
import { loginChallenges, loginFailures, passkeys, recoveryCodes, sessions, totpFactors, users } from '../../../db/schema';
import { factorKey } from './accounts';
import { recordAudit, type Actor } from './audit';
import { otherSessionsOf } from './sessions';
import { readSetting, writeSetting, type HeraldDb } from '../db';
import { openSecret, sameSecret, sealPlain, sealSecret, sha256 } from '../secrets';
import { siteSecret } from '../site-secrets';
import { base32Encode, matchingStep, newTotpKey, otpauthUri } from './totp';
import { ActionError } from '../validate';

export const twoFactorPolicies = ['nobody', 'owners', 'everyone'] as const;
/** Whose accounts must have a second factor: they are walked through setting one up before anything else in the console. */
export type TwoFactorPolicy = (typeof twoFactorPolicies)[number];

const policySetting = 'two-factor-required';
/** How many recovery codes a set holds. */
export const recoveryCodeCount = 10;
/** How long a set-up form stays good: long enough to find the phone. */
const setupLifetimeMs = 30 * 60_000;

type Tx = Parameters<Parameters<HeraldDb['transaction']>[0]>[0];
/** What the factors' functions need of an account. */
export type Account = { id: number; email: string; role: string };

export function twoFactorPolicy(db: HeraldDb): TwoFactorPolicy {
  const value = readSetting(db, policySetting);
  return (twoFactorPolicies as readonly string[]).includes(value ?? '') ? (value as TwoFactorPolicy) : 'nobody';
}

export function setTwoFactorPolicy(db: HeraldDb, actor: Actor, value: unknown, now = new Date()): TwoFactorPolicy {
  if (typeof value !== 'string' || !(twoFactorPolicies as readonly string[]).includes(value)) {
    throw new ActionError('policy', `two-factor policy must be one of ${twoFactorPolicies.join(', ')}`);
  }
  const policy = value as TwoFactorPolicy;
  const before = twoFactorPolicy(db);
  if (policy === before) return policy;
  db.transaction((tx) => {
    // One connection: the setting is written inside this transaction too.
    writeSetting(db, policySetting, policy);
    recordAudit(tx, actor, 'settings.two_factor', null, { from: before, to: policy }, now);
  });
  return policy;
}

/** What an account has, for its own page and the users list. */
export interface FactorSummary {
  totpSince: Date | null;
  passkeys: number;
  recoveryCodesLeft: number;
}

export function factorsOf(db: HeraldDb, userId: number): FactorSummary {
  const totp = db.select({ createdAt: totpFactors.createdAt }).from(totpFactors).where(eq(totpFactors.userId, userId)).get();
  return { totpSince: totp?.createdAt ?? null, passkeys: passkeyCount(db, userId), recoveryCodesLeft: recoveryCodesLeft(db, userId) };
}

/** How many passkeys and security keys the account has. */
export const passkeyCount = (db: HeraldDb, userId: number) => db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)).get()?.n ?? 0;

/** True when the account has an authenticator app (it may have passkeys besides). */
export const hasAuthenticatorApp = (db: HeraldDb, userId: number) =>
  db.select({ id: totpFactors.userId }).from(totpFactors).where(eq(totpFactors.userId, userId)).get() !== undefined;

const recoveryCodesLeft = (db: HeraldDb, userId: number) =>
  db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .get()?.n ?? 0;

/** Accounts with a second factor, for the users list in one read. */
export function accountsWithSecondFactor(db: HeraldDb): Set<number> {
  return new Set([...db.select({ id: totpFactors.userId }).from(totpFactors).all(), ...db.select({ id: passkeys.userId }).from(passkeys).all()].map((r) => r.id));
}

export function hasSecondFactor(db: HeraldDb, userId: number): boolean {
  return hasAuthenticatorApp(db, userId) || passkeyCount(db, userId) > 0;
}

const requiredFor = (policy: TwoFactorPolicy, role: string) => policy === 'everyone' || (policy === 'owners' && role === 'owner');

/** True when the rule asks this account for a second factor: it has none yet, or may not turn its own off. */
export const secondFactorRequired = (db: HeraldDb, account: { role: string }) => requiredFor(twoFactorPolicy(db), account.role);

/** The rule asks this account for a second factor and it has none: the console sends it to set one up. */
export function mustSetUpSecondFactor(db: HeraldDb, account: { id: number; role: string }): boolean {
  return secondFactorRequired(db, account) && !hasSecondFactor(db, account.id);
}

/** A set-up in progress: the key to show (as a QR code and as text) and the signed form of it the form sends back. */
export interface TotpSetup {
  key: string;
  uri: string;
  /** The QR code of `uri`, as inline SVG made here (no request leaves the browser). */
  qrSvg: string;
  /** `<issued ms>.<key>.<signature>`: proves the key was made here, for this account, lately. */
  proof: string;
}

/** Signed for the account and the session that asked: another session, even of the same account, cannot send it back. */
const setupSignature = (db: HeraldDb, userId: number, sessionHash: string, payload: string) =>
  createHmac('sha256', siteSecret(db, 'factor-secret')).update(`totp-setup\n${userId}\n${sessionHash}\n${payload}`).digest('base64url');

/**
 * A key for this account's authenticator: the one a set-up form sent back
 * (`proof`) while it is still good, so a mistyped code does not mean scanning
 * again, or a fresh one. Nothing is stored until a code from it comes back.
 */
export function beginTotpSetup(db: HeraldDb, account: Account, sessionHash: string, issuer: string, proof?: unknown, now = new Date()): TotpSetup {
  const kept = provenKey(db, account.id, sessionHash, proof, now);
  const key = kept ?? newTotpKey();
  const payload = `${now.getTime()}.${key}`;
  const uri = otpauthUri(issuer, account.email, key);
  return { key, uri, qrSvg: renderSVG(uri, { border: 2 }), proof: kept ? (proof as string) : `${payload}.${setupSignature(db, account.id, sessionHash, payload)}` };
}

/** The key a set-up form carries, if Herald made it for this account and session within the set-up's lifetime. */
function provenKey(db: HeraldDb, userId: number, sessionHash: string, proof: unknown, now: Date): string | null {
  if (typeof proof !== 'string' || proof.length > 200) return null;
  const parts = proof.split('.');
  if (parts.length !== 3) return null;
  const [issued, key, given] = parts;
  if (!sameSecret(given, setupSignature(db, userId, sessionHash, `${issued}.${key}`))) return null;
  const age = now.getTime() - Number(issued);
  return age >= -60_000 && age < setupLifetimeMs ? key : null;
}

/**
 * New recovery codes, replacing any before: `xxxx-xxxx-xxxx-xxxx`, 80 random
 * bits each, so their hashes in a stolen copy of the database cannot be
 * searched for, even all accounts' at once.
 */
function issueRecoveryCodes(tx: Tx, userId: number, now: Date): string[] {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  const codes = Array.from({ length: recoveryCodeCount }, () => base32Encode(randomBytes(10)).toLowerCase().replace(/(.{4})(?=.)/g, '$1-'));
  tx.insert(recoveryCodes)
    .values(codes.map((code) => ({ codeHash: recoveryCodeHash(userId, code), userId, createdAt: now })))
    .run();
  return codes;
}

/** The stored form of an account's recovery code as typed: dashes, spaces and case do not matter. */
const recoveryCodeHash = (userId: number, typed: string) => sha256(`recovery\n${userId}\n${typed.replace(/[\s-]/g, '').toLowerCase()}`);

/** A passkey of the account answered a challenge just now: passkeys.ts makes these after checking the answer; form input is never one. */
export class FactorProof {
  constructor(readonly userId: number) {}
}

/**
 * A change to an account that has a second factor needs it too, besides the
 * password: whoever has the password and a session (a phishing page's proxy)
 * cannot put their own app or key in, take new recovery codes or turn it off.
 * `factor` is a code typed (the app's, or a recovery code) or a FactorProof.
 */
export function requireCurrentFactor(db: HeraldDb, account: Account, factor: unknown, secretsKey: Buffer | null, now: Date): void {
  if (!hasSecondFactor(db, account.id)) return;
  if (factor instanceof FactorProof && factor.userId === account.id) return;
  const used = typeof factor === 'string' ? useSecondFactor(db, account.id, factor, secretsKey, now) : null;
  if (used === 'unreadable') throw new ActionError('factor', 'your app\'s key cannot be read with this SECRETS_KEY: enter a recovery code');
  if (!used) {
    const app = hasAuthenticatorApp(db, account.id);
    const keys = passkeyCount(db, account.id) > 0;
    throw new ActionError('factor', `${app ? 'enter a new code from your app or one of your recovery codes' : 'enter one of your recovery codes'}${keys ? ', or use your passkey' : ''}`);
  }
}

/** The recovery codes an account's first factor comes with (to be shown once). */
export const firstFactorAdded = (tx: Tx, userId: number, now: Date): string[] => issueRecoveryCodes(tx, userId, now);

/** When an account's last factor goes: its recovery codes, pending logins and the lock on its codes go too. */
export function forgetFactorState(tx: Tx, userId: number): void {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId)).run();
  tx.delete(loginFailures).where(eq(loginFailures.key, factorKey(userId))).run();
}

/**
 * Stores the authenticator once a code from it is right, replacing any
 * before (which then needs a code of its own, `form.factor`), and returns a
 * new set of recovery codes (to be shown once). The account's other sessions
 * end: whoever held one got in without this factor. The session that asked
 * is `sessionHash`: only its own set-up form is taken.
 */
export function confirmTotpSetup(
  db: HeraldDb,
  actor: Actor,
  account: Account,
  form: { proof: unknown; code: unknown; factor?: unknown },
  secretsKey: Buffer | null,
  sessionHash: string,
  now = new Date(),
): string[] {
  const key = provenKey(db, account.id, sessionHash, form.proof, now);
  if (!key) throw new ActionError('code', 'this set-up has expired: scan the new code below and enter the code it shows');
  const step = typeof form.code === 'string' ? matchingStep(key, form.code, now, 0) : null;
  if (step === null) throw new ActionError('code', 'that code is not the one your app shows now: enter the 6 digits it shows for this account');
  const stored = db.select().from(totpFactors).where(eq(totpFactors.userId, account.id)).get();
  // The same form sent again (a reload): this app is set up already, and its codes stand.
  if (stored && readKey(stored.secret, secretsKey) === key) throw new ActionError('code', 'this app is set up already: its recovery codes were shown when it was');
  requireCurrentFactor(db, account, form.factor, secretsKey, now);
  return db.transaction((tx) => {
    const replaced = tx.delete(totpFactors).where(eq(totpFactors.userId, account.id)).run().changes > 0;
    tx.insert(totpFactors)
      .values({ userId: account.id, secret: secretsKey ? sealSecret(key, secretsKey) : key, lastStep: step, createdAt: now })
      .run();
    tx.delete(sessions).where(otherSessionsOf(account.id, sessionHash)).run();
    recordAudit(tx, actor, replaced ? 'user.totp_replaced' : 'user.totp_added', account.email, undefined, now);
    return issueRecoveryCodes(tx, account.id, now);
  });
}

/** A new set of recovery codes, for a code of the app or an old recovery code; the old ones stop working, and the account's other sessions end. */
export function replaceRecoveryCodes(db: HeraldDb, actor: Actor, account: Account, factor: unknown, secretsKey: Buffer | null, keepSessionHash: string | null, now = new Date()): string[] {
  if (!hasSecondFactor(db, account.id)) throw new ActionError('user', 'set up an authenticator app or a passkey first');
  requireCurrentFactor(db, account, factor, secretsKey, now);
  return db.transaction((tx) => {
    tx.delete(sessions).where(otherSessionsOf(account.id, keepSessionHash)).run();
    recordAudit(tx, actor, 'user.recovery_codes', account.email, undefined, now);
    return issueRecoveryCodes(tx, account.id, now);
  });
}

/**
 * The account removes its own authenticator app, with a proof of a factor.
 * With no passkey left, that turns two-factor login off, recovery codes and
 * all, which the owners' rule may forbid.
 */
export function turnOffOwnSecondFactor(db: HeraldDb, actor: Actor, account: Account, factor: unknown, secretsKey: Buffer | null, keepSessionHash: string | null, now = new Date()): void {
  if (!hasAuthenticatorApp(db, account.id)) throw new ActionError('user', 'no authenticator app is set up for this account', 'conflict');
  const last = passkeyCount(db, account.id) === 0;
  if (last && secondFactorRequired(db, account)) {
    throw new ActionError('user', 'the owners require a second factor for your account: set up a new app or add a passkey instead of turning it off', 'conflict');
  }
  requireCurrentFactor(db, account, factor, secretsKey, now);
  db.transaction((tx) => {
    tx.delete(totpFactors).where(eq(totpFactors.userId, account.id)).run();
    if (last) forgetFactorState(tx, account.id);
    tx.delete(sessions).where(otherSessionsOf(account.id, keepSessionHash)).run();
    recordAudit(tx, actor, 'user.totp_removed', account.email, undefined, now);
  });
}

/**
 * An owner's (or the CLI's) reset for someone who lost their app and codes:
 * they log in with the password alone, then set up again if the rule asks.
 * Never an owner's own, from the console (`actor.userId`): a borrowed session
 * must not shed the factor that guards it; the CLI (no user id) may, for the last owner locked out.
 */
export function resetSecondFactors(db: HeraldDb, actor: Actor, userId: number, now = new Date()): Account {
  const account = db.select({ id: users.id, email: users.email, role: users.role }).from(users).where(eq(users.id, userId)).get();
  if (!account) throw new ActionError('user', 'no such account', 'not_found');
  if (actor.userId === userId) throw new ActionError('user', 'your own second factor is managed under Account, with a code from it', 'conflict');
  if (!hasSecondFactor(db, userId)) throw new ActionError('user', `${account.email} has no second factor to reset`);
  db.transaction((tx) => {
    tx.delete(totpFactors).where(eq(totpFactors.userId, userId)).run();
    tx.delete(passkeys).where(eq(passkeys.userId, userId)).run();
    forgetFactorState(tx, userId);
    tx.delete(sessions).where(otherSessionsOf(userId, null)).run();
    recordAudit(tx, actor, 'user.factors_reset', account.email, undefined, now);
  });
  return account;
}

/** The plain key of a stored factor; null when SECRETS_KEY is missing or not the one it was sealed with. */
function readKey(stored: string, secretsKey: Buffer | null): string | null {
  try {
    return openSecret(stored, secretsKey);
  } catch {
    return null;
  }
}

/**
 * Checks a second factor and uses it up: a 6-digit code from the app (a
 * step later than the last one accepted), or an unused recovery code. The
 * update's own condition makes this hold for requests racing each other.
 * 'unreadable': the app's key cannot be decrypted with this SECRETS_KEY.
 */
export function useSecondFactor(
  db: HeraldDb,
  userId: number,
  typed: string,
  secretsKey: Buffer | null,
  now = new Date(),
): { by: 'totp' } | { by: 'recovery'; left: number } | 'unreadable' | null {
  const code = typed.trim();
  if (code.length === 0 || code.length > 40) return null;
  if (/^\d[\d\s]*$/.test(code)) {
    const factor = db.select().from(totpFactors).where(eq(totpFactors.userId, userId)).get();
    if (!factor) return null;
    const key = readKey(factor.secret, secretsKey);
    if (key === null) return 'unreadable';
    const step = matchingStep(key, code, now, factor.lastStep);
    if (step === null) return null;
    const taken = db
      .update(totpFactors)
      .set({ lastStep: step })
      .where(and(eq(totpFactors.userId, userId), lt(totpFactors.lastStep, step)))
      .run().changes;
    return taken === 1 ? { by: 'totp' } : null;
  }
  const used = db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.codeHash, recoveryCodeHash(userId, code)), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .run().changes;
  return used === 1 ? { by: 'recovery', left: recoveryCodesLeft(db, userId) } : null;
}

/** Seals keys stored before SECRETS_KEY was set, at start (as webhook secrets are). */
export function sealTotpKeys(db: HeraldDb, key: Buffer | null): { sealed: number; plain: number } {
  const rows = db.select({ userId: totpFactors.userId, secret: totpFactors.secret }).from(totpFactors).all();
  return db.transaction((tx) =>
    sealPlain(rows, (row) => row.secret, key, (row, secret) => tx.update(totpFactors).set({ secret }).where(eq(totpFactors.userId, row.userId)).run()),
  );
}

