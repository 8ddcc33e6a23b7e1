// Device cookies (OWASP's defence against lockout attacks): a browser that
// has logged in to an account gets a signed cookie naming that account. Its
// later logins are throttled on that cookie alone, so guesses from anywhere
// else, which lock the account for every other client, cannot keep its owner
// out of the console during an incident. The cookie is no credential: the
// password is still checked, a stolen cookie only gives its holder a throttle
// of its own (as many guesses again, then the same doubling lock), and every
// cookie of an account ends when its password changes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { siteSecret } from '../site-secrets';
import { consoleCookie } from './sessions';
import type { HeraldDb } from '../db';

/** How long a browser stays known to an account without logging in again. */
export const deviceLifetimeMs = 400 * 24 * 60 * 60_000;

// Strict: only the console's own login form needs it.
export const deviceCookie = (siteUrl: string) => consoleCookie(siteUrl, 'herald_device', { httpOnly: true, sameSite: 'strict', maxAge: deviceLifetimeMs / 1000 });

const signature = (db: HeraldDb, payload: string) => createHmac('sha256', siteSecret(db, 'device-secret')).update(`device\n${payload}`).digest('base64url');

/** A new device cookie's value for this account: `<user id>.<issued, ms>.<nonce>.<signature>`. */
export function issueDeviceToken(db: HeraldDb, userId: number, now = new Date()): string {
  const payload = `${userId}.${now.getTime()}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${signature(db, payload)}`;
}

/** Where an account's known browsers keep their throttles: a password change clears them. */
export const deviceKeyPrefix = (userId: number) => `device:${userId}:`;

/**
 * The throttle key of a device cookie that Herald signed for this account
 * since its password last changed, and that has not expired; null for
 * anything else (a stranger's browser).
 */
export function trustedDeviceKey(db: HeraldDb, token: string | undefined, user: { id: number; passwordChangedAt: Date }, now = new Date()): string | null {
  if (!token || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [id, issued, nonce, given] = parts;
  const expected = Buffer.from(signature(db, `${id}.${issued}.${nonce}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  if (Number(id) !== user.id) return null;
  const issuedAt = Number(issued);
  if (!(issuedAt >= user.passwordChangedAt.getTime() && issuedAt <= now.getTime() + 60_000 && now.getTime() - issuedAt < deviceLifetimeMs)) return null;
  return `${deviceKeyPrefix(user.id)}${nonce}`;
}
