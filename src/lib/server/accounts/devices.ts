// Device cookies (OWASP's defence against lockout attacks): a browser that
// has logged in to an account gets a signed cookie naming that account. Its
// later logins are throttled on that cookie alone, so guesses from anywhere
// else, which lock the account for every other client, cannot keep its owner
// out of the console during an incident. The cookie is no credential: the
// password is still checked, and a stolen cookie only moves its holder's
// guesses onto a throttle of its own.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { siteSecret } from '../site-secrets';
import type { HeraldDb } from '../db';

/** How long a browser stays known to an account without logging in again. */
export const deviceLifetimeMs = 400 * 24 * 60 * 60_000;

export function deviceCookie(siteUrl: string) {
  const secure = siteUrl.startsWith('https:');
  return {
    name: secure ? '__Host-herald_device' : 'herald_device',
    // Strict: only the console's own login form needs it.
    options: { httpOnly: true, sameSite: 'strict' as const, secure, path: '/', maxAge: deviceLifetimeMs / 1000 },
  };
}

const signature = (db: HeraldDb, payload: string) => createHmac('sha256', siteSecret(db, 'device-secret')).update(`device\n${payload}`).digest('base64url');

/** A new device cookie's value for this account: `<user id>.<issued, s>.<nonce>.<signature>`. */
export function issueDeviceToken(db: HeraldDb, userId: number, now = new Date()): string {
  const payload = `${userId}.${Math.floor(now.getTime() / 1000)}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${signature(db, payload)}`;
}

/**
 * The throttle key of a device cookie that Herald signed for this account and
 * that has not expired, or null: anything else is a stranger's browser.
 */
export function trustedDeviceKey(db: HeraldDb, token: string | undefined, userId: number, now = new Date()): string | null {
  if (!token || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [user, issued, nonce, given] = parts;
  const expected = Buffer.from(signature(db, `${user}.${issued}.${nonce}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  if (Number(user) !== userId) return null;
  const age = now.getTime() - Number(issued) * 1000;
  if (!(age >= -60_000 && age < deviceLifetimeMs)) return null;
  return `device:${nonce}`;
}
