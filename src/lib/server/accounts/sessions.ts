// Console sessions: a random 256-bit token in a cookie, stored only as its
// SHA-256, with an idle and an absolute expiry. Each session has its own CSRF
// token that every console form sends back.
import { and, count, eq, lt, ne, or } from 'drizzle-orm';
import { sessions, users, type SessionRow } from '../../../db/schema';
import type { Staff } from './accounts';
import type { HeraldDb } from '../db';
import { randomSecret, sha256 } from '../secrets';

export const sessionLimits = {
  /** Signed out after this long without a request. */
  idleMs: 12 * 60 * 60_000,
  /** Signed out this long after logging in, however busy. */
  absoluteMs: 7 * 24 * 60 * 60_000,
  /** lastSeenAt is written at most this often, not on every request. */
  touchEveryMs: 60_000,
} as const;

/** How a session logged in. */
export type SessionVia = SessionRow['via'];

export interface Session {
  tokenHash: string;
  csrfToken: string;
  via: SessionVia;
  user: Staff;
}

export function startSession(db: HeraldDb, userId: number, now = new Date(), via: SessionVia = 'password'): { token: string; expiresAt: Date } {
  const token = randomSecret(32);
  const expiresAt = new Date(now.getTime() + sessionLimits.absoluteMs);
  db.transaction((tx) => {
    // Housekeeping: expired sessions go whenever someone logs in.
    tx.delete(sessions)
      .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - sessionLimits.idleMs))))
      .run();
    tx.insert(sessions)
      .values({ tokenHash: sha256(token), userId, csrfToken: randomSecret(32), createdAt: now, lastSeenAt: now, expiresAt, via })
      .run();
  });
  return { token, expiresAt };
}

/**
 * The live session for a cookie value, or null if unknown, expired or its
 * account disabled. `touch: false` for a look that is not console use (a
 * private status page read by staff): it does not keep the session alive.
 */
export function readSession(db: HeraldDb, token: string | undefined, now = new Date(), { touch = true } = {}): Session | null {
  if (!token || token.length > 100) return null;
  const tokenHash = sha256(token);
  const row = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, tokenHash))
    .get();
  if (!row) return null;
  const { session, user } = row;
  const idle = now.getTime() - session.lastSeenAt.getTime() > sessionLimits.idleMs;
  if (idle || session.expiresAt <= now || user.disabledAt) {
    db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
    return null;
  }
  if (touch && now.getTime() - session.lastSeenAt.getTime() > sessionLimits.touchEveryMs) {
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash)).run();
  }
  const { passwordHash: _, ...staff } = user;
  return { tokenHash, csrfToken: session.csrfToken, via: session.via, user: staff };
}

/** An account's sessions but `keepSessionHash` (the one making a change), as a condition: those a change to the account ends. */
export function otherSessionsOf(userId: number, keepSessionHash: string | null) {
  return keepSessionHash ? and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepSessionHash)) : eq(sessions.userId, userId);
}

export function endSession(db: HeraldDb, tokenHash: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
}

/** How many sessions an account has open (shown in the console). */
export function openSessions(db: HeraldDb, userId: number): number {
  return db.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId)).get()?.n ?? 0;
}

/**
 * A console cookie's name and flags. Over HTTPS it is `__Host-` prefixed and
 * Secure, which browsers only accept from a secure origin, for the whole host, path /.
 */
export function consoleCookie<Options extends { httpOnly: true; sameSite: 'lax' | 'strict' }>(siteUrl: string, name: string, options: Options) {
  const secure = siteUrl.startsWith('https:');
  return { name: secure ? `__Host-${name}` : name, options: { ...options, secure, path: '/' } };
}

/** The session's cookie: Lax, so a link into the console from elsewhere arrives logged in. */
export const sessionCookie = (siteUrl: string) => consoleCookie(siteUrl, 'herald_session', { httpOnly: true, sameSite: 'lax' });
