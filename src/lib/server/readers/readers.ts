// Readers of a private page (page.yml `visibility: private`): who may read it
// and how they prove it. A reader signs in with the shared reader password
// (set with `herald readers password`, kept as an argon2id hash), with a link
// mailed to an address of the page's reader domains (`readers.email_domains`),
// or is staff with a console session. The browser then keeps a signed reader cookie; feed
// readers, calendars and scripts send a reader token instead (`?token=` or
// `Authorization: Bearer`), which the signed-in reader copies from /reader.
// Both carry the readers' generation: a new password, or `herald readers
// revoke`, ends every reader's access at once. Nothing is stored per reader.
import { createHmac } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import { activeStaffEmail, consoleCookie, findStaffByEmail, hashPassword, passwordLength, recordAudit, verifyPassword, type Actor } from '../accounts';
import { readerLinksUsed } from '../../../db/schema';
import type { Config } from '../../config';
import type { PageSettings } from '../../content/catalog';
import { canonicalEmail } from '../../email-address';
import type { Locale } from '../../i18n/locales';
import { localizedPath } from '../../i18n/paths';
import { readerLinkMail } from '../../mail/messages';
import { mailTransport } from '../subscribers';
import { deleteSetting, readSetting, writeSetting, type HeraldDb } from '../db';
import { randomSecret, sameSecret, sha256 } from '../secrets';
import { siteSecret } from '../site-secrets';
import { ActionError } from '../validate';

/** Who reads: how they proved it, and what to call them. */
export interface Reader {
  via: 'password' | 'address' | 'staff' | 'token';
  /** An address of the reader domains (proved by a mailed link or the sign-on provider), the staff member's email, or "reader" for the shared password. */
  name: string;
}

const passwordSetting = 'reader-password';
/** Changes whenever every reader's access must end: a new password, or a revoke. */
const generationSetting = 'reader-generation';
/** How long a browser stays signed in as a reader. */
export const readerSessionDays = 30;

/** The reader's cookie: Lax, so a link to the private page from mail or chat arrives signed in. */
export const readerCookie = (siteUrl: string) => consoleCookie(siteUrl, 'herald_reader', { httpOnly: true, sameSite: 'lax', maxAge: readerSessionDays * 86_400 });

/** What every reader's proof is signed with now: the site's reader secret, the generation and the password's hash. */
function currentGeneration(db: HeraldDb): string {
  return sha256(`${readSetting(db, generationSetting) ?? ''}\n${readSetting(db, passwordSetting) ?? ''}`).slice(0, 16);
}

const sign = (db: HeraldDb, kind: 'cookie' | 'token' | 'link', payload: string) =>
  createHmac('sha256', siteSecret(db, 'reader-secret')).update(`reader-${kind}\n${currentGeneration(db)}\n${payload}`).digest('base64url');

/** `<p|l>.<name>.<expires ms>.<signature>`, base64url-safe: what the reader cookie holds (signed in with the password, or as an address of the reader domains). */
export function readerSessionValue(db: HeraldDb, reader: Pick<Reader, 'via' | 'name'>, now = new Date()): string {
  const payload = `${reader.via === 'address' ? 'l' : 'p'}.${Buffer.from(reader.name).toString('base64url')}.${now.getTime() + readerSessionDays * 86_400_000}`;
  return `${payload}.${sign(db, 'cookie', payload)}`;
}

/**
 * A token for a reader's feed reader or script: it lasts until the readers'
 * generation changes, and a staff member's while their account is active.
 * Every reader of the shared password gets the same one ("reader").
 */
export function readerToken(db: HeraldDb, reader: Pick<Reader, 'via' | 'name'>): string {
  const payload = `${reader.via === 'staff' ? 's' : reader.via === 'address' ? 'l' : 'r'}.${Buffer.from(reader.name).toString('base64url')}`;
  return `r2.${payload}.${sign(db, 'token', payload)}`;
}

function fromCookie(db: HeraldDb, value: string | undefined, linkDomains: readonly string[], now: Date): Reader | null {
  if (!value || value.length > 500) return null;
  const [kind, name, expires, signature, ...rest] = value.split('.');
  if (rest.length || (kind !== 'p' && kind !== 'l') || !name || !expires || !signature || !sameSecret(signature, sign(db, 'cookie', `${kind}.${name}.${expires}`))) return null;
  if (Number(expires) <= now.getTime()) return null;
  const address = Buffer.from(name, 'base64url').toString('utf8');
  // An address's reader reads while its domain still may.
  if (kind === 'l' && readerAddress(linkDomains, address) === null) return null;
  return { via: kind === 'l' ? 'address' : 'password', name: address };
}

function fromToken(db: HeraldDb, value: string | null | undefined, linkDomains: readonly string[]): Reader | null {
  if (!value || value.length > 500) return null;
  const [version, kind, encoded, signature, ...rest] = value.split('.');
  if (version !== 'r2' || rest.length || !['s', 'l', 'r'].includes(kind) || !encoded || !signature || !sameSecret(signature, sign(db, 'token', `${kind}.${encoded}`))) return null;
  const name = Buffer.from(encoded, 'base64url').toString('utf8');
  // Staff's own tokens end with their account; a link reader's with their domain's place in readers.email_domains.
  if (kind === 's') {
    const account = findStaffByEmail(db, name);
    if (!account || activeStaffEmail(db, account.id) === null) return null;
  }
  if (kind === 'l' && readerAddress(linkDomains, name) === null) return null;
  return { via: 'token', name };
}

/** What a request may carry to read a private page. */
export interface ReaderProof {
  cookie?: string;
  /** `?token=` or the bearer token of `Authorization`. */
  token?: string | null;
  /** The console session's account, if one came along: staff read their own page. */
  staffEmail?: string | null;
  /** The page's reader domains now (readers.email_domains): a link's reader outside them reads no more. */
  linkDomains?: readonly string[];
}

/** The reader a request proves, or null. */
export function readerFrom(db: HeraldDb, proof: ReaderProof, now = new Date()): Reader | null {
  if (proof.staffEmail) return { via: 'staff', name: proof.staffEmail };
  const domains = proof.linkDomains ?? [];
  return fromCookie(db, proof.cookie, domains, now) ?? fromToken(db, proof.token, domains);
}

export const hasReaderPassword = (db: HeraldDb) => readSetting(db, passwordSetting) !== undefined;

/** The shared reader password is right: a reader then signs in. */
export async function readerPasswordMatches(db: HeraldDb, password: string): Promise<boolean> {
  const stored = readSetting(db, passwordSetting);
  return stored !== undefined && password.length > 0 && password.length <= passwordLength.max && verifyPassword(stored, password);
}

/** Sets (or, with null, removes) the shared reader password; every reader signed in before must sign in again. */
export async function setReaderPassword(db: HeraldDb, actor: Actor, password: string | null, now = new Date()): Promise<void> {
  if (password !== null && (password.length < passwordLength.min || password.length > passwordLength.max)) {
    throw new ActionError('password', `the reader password must be ${passwordLength.min} to ${passwordLength.max} characters`);
  }
  const hash = password === null ? null : await hashPassword(password);
  db.transaction((tx) => {
    // One connection: the setting is written inside this transaction too.
    if (hash === null) deleteSetting(db, passwordSetting);
    else writeSetting(db, passwordSetting, hash);
    recordAudit(tx, actor, hash === null ? 'readers.password_removed' : 'readers.password_set', null, undefined, now);
  });
}

/** Ends every reader's access (cookies and tokens alike); they sign in again (the password, a link). */
export function revokeReaders(db: HeraldDb, actor: Actor, now = new Date()): void {
  db.transaction((tx) => {
    writeSetting(db, generationSetting, randomSecret(12)); // inside the transaction: one connection
    recordAudit(tx, actor, 'readers.revoked', null, undefined, now);
  });
}

/** How long a mailed sign-in link works. */
export const readerLinkMinutes = 15;

/** The address, folded as accounts are, if it is of one of the page's reader domains. */
export function readerAddress(domains: readonly string[], typed: string): string | null {
  const check = canonicalEmail(typed);
  if (!check.ok) return null;
  return domains.includes(check.address.slice(check.address.lastIndexOf('@') + 1)) ? check.address : null;
}

/** A sign-in link's token for this address: `<address>.<expires ms>.<signature>`, good for readerLinkMinutes. */
export function readerLinkToken(db: HeraldDb, address: string, now = new Date()): string {
  const payload = `${Buffer.from(address).toString('base64url')}.${now.getTime() + readerLinkMinutes * 60_000}`;
  return `${payload}.${sign(db, 'link', payload)}`;
}

/** The address a sign-in link was sent to, if the link is good and not used yet, without using it (the page that asks to confirm). */
export function readerLinkAddress(db: HeraldDb, token: string | null | undefined, now = new Date()): string | null {
  if (!token || token.length > 600) return null;
  const [address, expires, signature, ...rest] = token.split('.');
  if (rest.length || !address || !expires || !signature || !sameSecret(signature, sign(db, 'link', `${address}.${expires}`))) return null;
  if (Number(expires) <= now.getTime()) return null;
  if (db.select({ tokenHash: readerLinksUsed.tokenHash }).from(readerLinksUsed).where(eq(readerLinksUsed.tokenHash, sha256(token))).get()) return null;
  return Buffer.from(address, 'base64url').toString('utf8');
}

/** Uses a sign-in link: the reader it signs in, once; null when it is not good or was used. */
export function useReaderLink(db: HeraldDb, token: string | null | undefined, now = new Date()): Reader | null {
  const address = readerLinkAddress(db, token, now);
  if (!address) return null;
  const expiresAt = new Date(Number(token!.split('.')[1]));
  const taken = db.transaction((tx) => {
    tx.delete(readerLinksUsed).where(lt(readerLinksUsed.expiresAt, now)).run();
    return tx.insert(readerLinksUsed).values({ tokenHash: sha256(token!), expiresAt }).onConflictDoNothing().run().changes === 1;
  });
  return taken ? { via: 'address', name: address } : null;
}

/**
 * Mails a sign-in link to a reader's address, in the language they asked in,
 * leading back to `next`. Sent while they wait (a person is waiting for it,
 * and a failure is said at once), through SMTP or, without, as a file in MAIL_DIR.
 */
export async function sendReaderLink(db: HeraldDb, mail: Config['mail'], siteUrl: string, page: PageSettings, locale: Locale, address: string, next: string, now = new Date()): Promise<void> {
  const token = readerLinkToken(db, address, now);
  const link = `${siteUrl}${localizedPath(locale, '/reader/link', page.default_language)}?t=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`;
  const site = { pageName: page.name, siteUrl, timeZone: page.time_zone, componentNames: new Map<string, string>(), locale, defaultLocale: page.default_language };
  const transport = mailTransport(mail);
  try {
    await transport.send(readerLinkMail(site, address, link, now), mail.from);
  } finally {
    transport.close();
  }
}
