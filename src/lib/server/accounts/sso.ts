// Single sign-on for staff with an OpenID Connect provider (openid-client):
// the authorization code flow with PKCE, `state` and `nonce`. The browser
// keeps what the flow needs between the two legs in a signed, short-lived
// cookie, so an anonymous visitor starting a login writes nothing. Who gets
// in is decided by the configuration (OIDC_* in docs/running.md): verified
// emails of the allowed domains, and a claim whose values make owners and
// editors. An account is matched by the provider's subject, else linked by
// its email; one that does not exist yet is made, audited like any other. A
// reader of a private page may sign on too (`for: 'reader'`): then only the
// verified email comes back, for the page's own rule on who reads.
import { createHmac } from 'node:crypto';
import * as oidc from 'openid-client';
import { eq } from 'drizzle-orm';
import { users, type UserRow } from '../../../db/schema';
import type { SsoConfig } from '../../config';
import { canonicalEmail } from '../../email-address';
import { changeRole, createStaff, normalizeEmail, randomPassword } from './accounts';
import { recordAudit } from './audit';
import { consoleCookie } from './sessions';
import type { HeraldDb } from '../db';
import { sameSecret } from '../secrets';
import { siteSecret } from '../site-secrets';
import { ActionError } from '../validate';
import type { StaffRole } from '../../../db/constants';

/** How long a login may spend at the provider. */
const flowLifetimeMs = 10 * 60_000;

/** The path the provider sends the browser back to; register `SITE_URL` + this with the provider. */
export const ssoCallbackPath = '/admin/login/sso/callback';

/**
 * Carries the flow between its two legs. SameSite=Lax, not Strict: the
 * provider's redirect back is a top-level navigation from another site,
 * which must bring it.
 */
export const ssoCookie = (siteUrl: string) => consoleCookie(siteUrl, 'herald_sso', { httpOnly: true, sameSite: 'lax', maxAge: flowLifetimeMs / 1000 });

/** The provider's metadata, discovered once per issuer (again after a failure, so a provider down at start does not stay broken). */
const discovered = new Map<string, Promise<oidc.Configuration>>();

function provider(sso: SsoConfig): Promise<oidc.Configuration> {
  const key = `${sso.issuer}\n${sso.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    const issuer = new URL(sso.issuer);
    found = oidc.discovery(issuer, sso.clientId, sso.clientSecret, undefined, {
      // Plain HTTP only for a provider on loopback (config.ts refuses it elsewhere).
      ...(issuer.protocol === 'http:' && { execute: [oidc.allowInsecureRequests] }),
      timeout: 10,
    });
    found.catch(() => discovered.delete(key));
    discovered.set(key, found);
  }
  return found;
}

/** Who signs on: staff, to the console, or a reader of a private page. */
export type SsoFor = 'staff' | 'reader';

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  issued: number;
  for: SsoFor;
}

const flowSignature = (db: HeraldDb, payload: string) => createHmac('sha256', siteSecret(db, 'factor-secret')).update(`sso-flow\n${payload}`).digest('base64url');

function readFlow(db: HeraldDb, cookie: string | undefined, now: Date): Flow | null {
  if (!cookie || cookie.length > 2000) return null;
  const [payload, signature, ...rest] = cookie.split('.');
  if (rest.length || !payload || !signature || !sameSecret(signature, flowSignature(db, payload))) return null;
  try {
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flow;
    const age = now.getTime() - flow.issued;
    return age >= -60_000 && age < flowLifetimeMs ? flow : null;
  } catch {
    return null;
  }
}

/** Where to send the browser to log in at the provider, and the cookie value it keeps meanwhile. */
export async function startSsoLogin(db: HeraldDb, sso: SsoConfig, siteUrl: string, next: string, now = new Date(), signsOn: SsoFor = 'staff'): Promise<{ url: string; cookie: string }> {
  const config = await provider(sso);
  const flow: Flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), next, issued: now.getTime(), for: signsOn };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: siteUrl + ssoCallbackPath,
    scope: 'openid email profile',
    response_type: 'code',
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
  });
  const payload = Buffer.from(JSON.stringify(flow)).toString('base64url');
  return { url: url.href, cookie: `${payload}.${flowSignature(db, payload)}` };
}

/** Why a single sign-on did not log in: each is a fixed sentence on the login page (ssoRefusals), never text from the request. */
export type SsoRefusal = 'expired' | 'state' | 'denied' | 'exchange' | 'unverified' | 'domain' | 'role' | 'disabled' | 'linked' | 'unavailable';

/** Refusals that only a real login at the provider leads to: worth the audit log (within a limit per address). */
export const auditedSsoRefusals: ReadonlySet<SsoRefusal> = new Set(['unverified', 'domain', 'role', 'disabled', 'linked']);

export const ssoRefusals: Record<SsoRefusal, string> = {
  expired: 'That sign-on took too long or was started in another browser. Start it again.',
  state: 'That sign-on answer does not belong to the login this browser started, so it was not used. Start it again.',
  denied: 'The sign-on provider did not log you in.',
  exchange: 'The sign-on provider did not confirm that login (it may have been used already). Start it again.',
  unverified: 'The sign-on provider has not verified your email address, so Herald cannot match it to an account.',
  domain: 'Accounts of that email domain cannot sign on here. Ask an owner.',
  role: 'Your sign-on account is not in a group that may use this console. Ask an owner.',
  disabled: 'That account is disabled. Ask an owner.',
  linked: 'That email belongs to an account that signs on as someone else at the provider. Ask an owner.',
  unavailable: 'The sign-on provider cannot be reached just now. Try again in a moment.',
};

export type SsoResult =
  | { ok: true; for: 'staff'; user: UserRow; next: string }
  /** A reader's sign-on: the verified address, for the page's readers.email_domains to decide. */
  | { ok: true; for: 'reader'; email: string; next: string }
  | { ok: false; reason: SsoRefusal; for: SsoFor };

/** The role the provider's claim gives, or null when it gives none (or no claim is mapped). */
function claimedRole(sso: SsoConfig, claims: Record<string, unknown>): StaffRole | null | 'none' {
  if (!sso.roleClaim) return null;
  const raw = claims[sso.roleClaim];
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  if (values.some((v) => sso.ownerValues.includes(v))) return 'owner';
  if (values.some((v) => sso.editorValues.includes(v))) return 'editor';
  return 'none';
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * True when this address must sign on through the provider
 * (OIDC_PASSWORD_LOGIN=0 for its domain): read in the same canonical form
 * accounts are found by, so no spelling of the domain slips past.
 */
export function passwordLoginOff(sso: SsoConfig | null, email: string): boolean {
  if (sso === null || sso.passwordLogin) return false;
  const check = canonicalEmail(email);
  return check.ok && sso.emailDomains.includes(domainOf(check.address));
}

/** Whether the provider said the email is verified (some send the string "true"). */
const verifiedEmail = (claims: Record<string, unknown>) => claims.email_verified === true || claims.email_verified === 'true';

/**
 * The provider's answer (`callback`, the URL it sent the browser to) for the
 * flow in this browser's cookie: the state must be this browser's, the code
 * is exchanged with the PKCE verifier, and the ID token must carry the nonce.
 * Then the rules decide who this is: see the file's head.
 */
export async function finishSsoLogin(db: HeraldDb, sso: SsoConfig, siteUrl: string, callback: URL, cookie: string | undefined, now = new Date()): Promise<SsoResult> {
  const flow = readFlow(db, cookie, now);
  if (!flow) return { ok: false, reason: 'expired', for: 'staff' };
  const refused = (reason: SsoRefusal) => ({ ok: false, reason, for: flow.for }) as const;
  // Refused before anything is sent to the provider: a code meant for another browser's login is never spent here.
  if (callback.searchParams.get('state') !== flow.state) return refused('state');
  if (callback.searchParams.has('error')) return refused('denied');
  let config: oidc.Configuration;
  try {
    config = await provider(sso);
  } catch {
    return refused('unavailable');
  }
  let claims: Record<string, unknown>;
  try {
    // The URL the provider redirected to, as redirect_uri named it (a proxy in front may have changed the request's own).
    const answered = new URL(siteUrl + ssoCallbackPath + callback.search);
    const tokens = await oidc.authorizationCodeGrant(config, answered, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    const idToken = tokens.claims();
    if (!idToken) return refused('exchange');
    claims = { ...idToken };
    // Providers that keep the ID token small give the email and groups at the UserInfo endpoint, for the same subject.
    const missing = claims.email === undefined || claims.email_verified === undefined || (sso.roleClaim !== null && claims[sso.roleClaim] === undefined);
    if (missing && config.serverMetadata().userinfo_endpoint) {
      claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...claims };
    }
  } catch (error) {
    // The provider down or slow is not the same as a refused code (used already, a wrong verifier, a bad ID token).
    const network = error instanceof TypeError || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'));
    return refused(network ? 'unavailable' : 'exchange');
  }
  if (flow.for === 'reader') {
    // A reader is an address, no account: the page's own list decides (src/lib/server/readers).
    if (typeof claims.email !== 'string' || !verifiedEmail(claims)) return refused('unverified');
    return { ok: true, for: 'reader', email: claims.email, next: flow.next };
  }
  const result = await admit(db, sso, config.serverMetadata().issuer, claims, now);
  return result.ok ? { ...result, for: 'staff', next: flow.next } : refused(result.reason);
}

/**
 * The account these claims belong to, made or linked when the rules allow.
 * `issuer` is the provider's own (from its metadata), so the subjects stay
 * the same however OIDC_ISSUER is spelled.
 */
async function admit(db: HeraldDb, sso: SsoConfig, issuer: string, claims: Record<string, unknown>, now: Date): Promise<{ ok: true; user: UserRow } | { ok: false; reason: SsoRefusal }> {
  const subject = `${issuer} ${String(claims.sub)}`;
  if (typeof claims.email !== 'string' || !verifiedEmail(claims)) return { ok: false, reason: 'unverified' };
  let email: string;
  try {
    email = normalizeEmail(claims.email);
  } catch {
    return { ok: false, reason: 'unverified' };
  }
  if (sso.emailDomains.length && !sso.emailDomains.includes(domainOf(email))) return { ok: false, reason: 'domain' };
  const role = claimedRole(sso, claims);
  if (role === 'none') return { ok: false, reason: 'role' };
  const actor = { label: `${email} (single sign-on)`, userId: null };
  let user = db.select().from(users).where(eq(users.ssoSubject, subject)).get() ?? db.select().from(users).where(eq(users.email, email)).get();
  if (user?.disabledAt) return { ok: false, reason: 'disabled' };
  // Found by its email but linked to another identity (a recycled address, a second account at the provider): never taken over.
  if (user && user.ssoSubject !== null && user.ssoSubject !== subject) return { ok: false, reason: 'linked' };
  if (!user) {
    // Nobody knows this password: the account logs in through the provider only.
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : undefined;
    const made = await createStaff(db, actor, { email, name, role: role ?? 'editor', password: randomPassword() }, now).catch((error: unknown) => {
      if (error instanceof ActionError && error.reason === 'conflict') return null; // made meanwhile by a racing login
      throw error;
    });
    user = db.select().from(users).where(eq(users.email, made?.email ?? email)).get()!;
  }
  if (user.ssoSubject !== subject) {
    db.transaction((tx) => {
      tx.update(users).set({ ssoSubject: subject }).where(eq(users.id, user!.id)).run();
      recordAudit(tx, actor, 'user.sso_linked', user!.email, { issuer }, now);
    });
  }
  // The provider's groups are the truth for the role, except that the last owner is never demoted by a claim.
  if (role && role !== user.role) {
    try {
      changeRole(db, actor, user.id, role, now);
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      recordAudit(db, actor, 'user.sso_role_kept', user.email, { claimed: role, kept: user.role }, now);
    }
  }
  return { ok: true, user: db.select().from(users).where(eq(users.id, user.id)).get()! };
}
