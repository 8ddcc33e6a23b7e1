// Passkeys and security keys (WebAuthn, through @simplewebauthn/server): a
// second factor after the password, or a login on their own when the
// authenticator verified its user (a PIN or a fingerprint: two factors in
// one). The relying party is SITE_URL's host. Challenges are not stored when
// issued: each is signed for what it is for (adding a key in this session,
// the login this browser started, a login without password, a proof before a
// change) and taken once when answered, so an anonymous visitor of the login
// page writes nothing.
import { createHmac, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { and, asc, eq, lt } from 'drizzle-orm';
import { passkeyChallengesUsed, passkeys, sessions, users, type PasskeyRow, type UserRow } from '../../../db/schema';
import { recordAudit, type Actor } from './audit';
import { FactorProof, firstFactorAdded, forgetFactorState, hasAuthenticatorApp, hasSecondFactor, passkeyCount, requireCurrentFactor, secondFactorRequired, type Account } from './second-factor';
import { otherSessionsOf } from './sessions';
import type { HeraldDb } from '../db';
import { siteSecret } from '../site-secrets';
import { sameSecret } from '../secrets';
import { ActionError } from '../validate';

/** Who the keys are made for: SITE_URL's host and origin, and the page's name as the browser shows it. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export const relyingParty = (siteUrl: string, name: string): RelyingParty => {
  const url = new URL(siteUrl);
  return { id: url.hostname, origin: url.origin, name };
};

/** What a challenge is for, and so what it must be bound to. */
type Purpose = 'add' | 'factor' | 'login' | 'proof';
/** Long enough to find the key in a pocket; a challenge is taken once anyway. */
const challengeLifetimeMs = 5 * 60_000;
const maxResponseLength = 16_000;
const passkeyNameLength = 60;

/**
 * What a challenge is bound to: the account and the session (add, proof) or
 * the login token (factor) it was made for; nothing for a login without
 * password, which any passkey of the site may answer.
 */
interface Binding {
  userId: number | null;
  to: string;
}
const unbound: Binding = { userId: null, to: '' };

const challengeSignature = (db: HeraldDb, purpose: Purpose, { userId, to }: Binding, payload: string) =>
  createHmac('sha256', siteSecret(db, 'factor-secret')).update(`passkey-${purpose}\n${userId ?? ''}\n${to}\n${payload}`).digest('base64url');

/** `<issued ms>.<nonce>.<signature>`: the authenticator signs these very bytes. */
function issueChallenge(db: HeraldDb, purpose: Purpose, binding: Binding, now: Date): string {
  const payload = `${now.getTime()}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${challengeSignature(db, purpose, binding, payload)}`;
}

/** The challenge a response signed (base64url of the bytes), if Herald issued it for this purpose and binding lately. */
function provenChallenge(db: HeraldDb, purpose: Purpose, binding: Binding, signed: string, now: Date): string | null {
  if (signed.length > 200) return null;
  const text = Buffer.from(signed, 'base64url').toString('utf8');
  const [issued, nonce, given, ...rest] = text.split('.');
  if (rest.length || !issued || !nonce || !given) return null;
  if (!sameSecret(given, challengeSignature(db, purpose, binding, `${issued}.${nonce}`))) return null;
  const age = now.getTime() - Number(issued);
  return age >= -60_000 && age < challengeLifetimeMs ? text : null;
}

/** Marks a challenge answered; false when it was already (a response sent twice, or two racing). */
function takeChallenge(db: HeraldDb, challenge: string, now: Date): boolean {
  return db.transaction((tx) => {
    tx.delete(passkeyChallengesUsed).where(lt(passkeyChallengesUsed.expiresAt, now)).run();
    const issued = Number(challenge.split('.')[0]);
    return (
      tx
        .insert(passkeyChallengesUsed)
        .values({ challenge, expiresAt: new Date(issued + challengeLifetimeMs + 60_000) })
        .onConflictDoNothing()
        .run().changes === 1
    );
  });
}

/** A browser's JSON, parsed, or null: what comes from a form field is never trusted to be the right shape. */
function parseResponse<T>(value: unknown): T | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxResponseLength) return null;
  try {
    const parsed = JSON.parse(value);
    return parsed && typeof parsed === 'object' && typeof parsed.id === 'string' && parsed.response && typeof parsed.response === 'object' ? (parsed as T) : null;
  } catch {
    return null;
  }
}

/** What the account's page lists. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export function passkeysOf(db: HeraldDb, userId: number): PasskeySummary[] {
  return db
    .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt))
    .all();
}

const transportsOf = (row: PasskeyRow): AuthenticatorTransport[] | undefined => (row.transports ? JSON.parse(row.transports) : undefined);

/** What the browser said about how to reach the key, kept only where it is a known transport: it is handed back to browsers. */
const knownTransports = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
function checkedTransports(given: unknown): string | null {
  const kept = Array.isArray(given) ? [...new Set(given.filter((t): t is string => typeof t === 'string' && knownTransports.has(t)))] : [];
  return kept.length ? JSON.stringify(kept) : null;
}

/** The handle the authenticator keeps for the account: stable, and not its email or id. */
const userHandle = (db: HeraldDb, userId: number) => createHmac('sha256', siteSecret(db, 'factor-secret')).update(`passkey-user\n${userId}`).digest().subarray(0, 16);

/** What the browser needs to make a key for this account, in this session; keys it has already are excluded. */
export function passkeyCreationOptions(db: HeraldDb, rp: RelyingParty, account: Account, sessionHash: string, now = new Date()): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const own = db.select().from(passkeys).where(eq(passkeys.userId, account.id)).all();
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: account.email,
    userID: new Uint8Array(userHandle(db, account.id)),
    challenge: issueChallenge(db, 'add', { userId: account.id, to: sessionHash }, now),
    attestationType: 'none',
    excludeCredentials: own.map((row) => ({ id: row.id, transports: transportsOf(row) })),
    // A passkey the browser can offer without an email first, where the authenticator can keep one.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    timeout: challengeLifetimeMs,
  });
}

/**
 * Stores the key the browser made, once the password (checked by the page)
 * and, when the account has a factor already, a proof of it are given. The
 * first factor of an account comes with recovery codes (returned, to be shown
 * once). Other sessions end, as for every change of factor.
 */
export async function addPasskey(
  db: HeraldDb,
  actor: Actor,
  account: Account,
  form: { name: unknown; credential: unknown; factor?: unknown },
  rp: RelyingParty,
  secretsKey: Buffer | null,
  sessionHash: string,
  now = new Date(),
): Promise<string[] | null> {
  const name = typeof form.name === 'string' ? form.name.trim() : '';
  if (name.length === 0) throw new ActionError('name', 'name the key, so you know which to remove when it is lost ("YubiKey", "work laptop")');
  if (name.length > passkeyNameLength) throw new ActionError('name', `a name of at most ${passkeyNameLength} characters`);
  const response = parseResponse<RegistrationResponseJSON>(form.credential);
  if (!response) throw new ActionError('credential', 'the browser did not make a key: press the button again and follow what it asks');
  let challenge: string | null = null;
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge: (signed) => (challenge = provenChallenge(db, 'add', { userId: account.id, to: sessionHash }, signed, now)) !== null,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch(() => null);
  if (!verified?.verified || !challenge) throw new ActionError('credential', 'the key could not be checked, or this form is too old: reload the page and try again');
  const { credential } = verified.registrationInfo;
  if (db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.id, credential.id)).get()) {
    throw new ActionError('credential', 'this key is added already');
  }
  // Taken before the proof is checked: a form sent twice must not use up a recovery code for nothing.
  if (!takeChallenge(db, challenge, now)) throw new ActionError('credential', 'this form was sent already: press the button again to add another key');
  requireCurrentFactor(db, account, form.factor, secretsKey, now);
  return db.transaction((tx) => {
    const first = !hasSecondFactor(db, account.id);
    tx.insert(passkeys)
      .values({
        id: credential.id,
        userId: account.id,
        name,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: checkedTransports(credential.transports),
        createdAt: now,
      })
      .run();
    tx.delete(sessions).where(otherSessionsOf(account.id, sessionHash)).run();
    recordAudit(tx, actor, 'user.passkey_added', account.email, { name }, now);
    return first ? firstFactorAdded(tx, account.id, now) : null;
  });
}

/** Removes one of the account's keys, with a proof of a factor; refused when it is the last one the owners' rule needs. */
export function removePasskey(db: HeraldDb, actor: Actor, account: Account, passkeyId: unknown, factor: unknown, secretsKey: Buffer | null, keepSessionHash: string | null, now = new Date()): void {
  const row = typeof passkeyId === 'string' ? db.select().from(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, account.id))).get() : undefined;
  if (!row) throw new ActionError('user', 'no such key on this account (removed already?)', 'not_found');
  const last = passkeyCount(db, account.id) === 1 && !hasAuthenticatorApp(db, account.id);
  if (last && secondFactorRequired(db, account)) {
    throw new ActionError('user', 'the owners require a second factor for your account: add another key or an app before removing this one', 'conflict');
  }
  requireCurrentFactor(db, account, factor, secretsKey, now);
  db.transaction((tx) => {
    tx.delete(passkeys).where(eq(passkeys.id, row.id)).run();
    if (last) forgetFactorState(tx, account.id);
    tx.delete(sessions).where(otherSessionsOf(account.id, keepSessionHash)).run();
    recordAudit(tx, actor, 'user.passkey_removed', account.email, { name: row.name }, now);
  });
}

/** What the browser needs to ask for one of these keys: after the password (`factor`, bound to the login's token) or before a change (`proof`, bound to the session). */
export function passkeyRequestOptions(db: HeraldDb, rp: RelyingParty, purpose: 'factor' | 'proof', userId: number, binding: string, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const own = db.select().from(passkeys).where(eq(passkeys.userId, userId)).all();
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: own.map((row) => ({ id: row.id, transports: transportsOf(row) })),
    challenge: issueChallenge(db, purpose, { userId, to: binding }, now),
    userVerification: 'preferred',
    timeout: challengeLifetimeMs,
  });
}

/** For a login without a password: any passkey of this site, and the authenticator must verify its user. */
export function passkeyLoginOptions(db: HeraldDb, rp: RelyingParty, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, challenge: issueChallenge(db, 'login', unbound, now), userVerification: 'required', timeout: challengeLifetimeMs });
}

/**
 * Checks a browser's answer to a challenge of `purpose` and takes it: the key
 * must be one of the account's (`userId`; any account's for a login without
 * password, which also needs the user verified). Its counter must move on
 * where the authenticator keeps one: a lower one means a cloned key.
 */
async function verifyAssertion(db: HeraldDb, rp: RelyingParty, purpose: Purpose, binding: Binding, answer: unknown, now: Date): Promise<UserRow | null> {
  const response = parseResponse<AuthenticationResponseJSON>(answer);
  if (!response) return null;
  const found = db.select({ passkey: passkeys, user: users }).from(passkeys).innerJoin(users, eq(users.id, passkeys.userId)).where(eq(passkeys.id, response.id)).get();
  if (!found || (binding.userId !== null && found.user.id !== binding.userId) || found.user.disabledAt) return null;
  const { passkey, user } = found;
  let challenge: string | null = null;
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge: (signed) => (challenge = provenChallenge(db, purpose, binding, signed, now)) !== null,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: transportsOf(passkey) },
    requireUserVerification: purpose === 'login',
  }).catch(() => null);
  if (!verified?.verified || !challenge || !takeChallenge(db, challenge, now)) return null;
  // The counter only moves on (keys that keep none stay at 0), whatever answers race each other.
  const { newCounter } = verified.authenticationInfo;
  db.update(passkeys)
    .set({ counter: newCounter, lastUsedAt: now })
    .where(and(eq(passkeys.id, passkey.id), newCounter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, newCounter)))
    .run();
  return user;
}

/** The second step of a login answered with a key: the account's own, for the challenge of the login this browser started. */
export const passkeyAnswersChallenge = (db: HeraldDb, rp: RelyingParty, userId: number, loginTokenHash: string, answer: unknown, now = new Date()) =>
  verifyAssertion(db, rp, 'factor', { userId, to: loginTokenHash }, answer, now);

/** A login without a password: the account whose passkey answered, its user verified. */
export const passkeyLogin = (db: HeraldDb, rp: RelyingParty, answer: unknown, now = new Date()) => verifyAssertion(db, rp, 'login', unbound, answer, now);

/** A proof of a key before a change to the account's factors, for requireCurrentFactor. */
export async function passkeyProof(db: HeraldDb, rp: RelyingParty, userId: number, sessionHash: string, answer: unknown, now = new Date()): Promise<FactorProof | null> {
  const user = await verifyAssertion(db, rp, 'proof', { userId, to: sessionHash }, answer, now);
  return user ? new FactorProof(user.id) : null;
}
