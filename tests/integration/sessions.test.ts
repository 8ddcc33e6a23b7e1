// Console sessions on a real database: what is stored, when they expire, and
// which of them a password change or a disabled account ends.
import { describe, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema';
import { createStaff, setPassword } from '../../src/lib/server/accounts/accounts';
import type { Actor } from '../../src/lib/server/accounts/audit';
import { sha256 } from '../../src/lib/server/secrets';
import { endSession, openSessions, readSession, sessionCookie, sessionLimits, startSession } from '../../src/lib/server/accounts/sessions';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const password = 'correct horse battery staple';
const t0 = new Date('2026-11-01T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const minute = 60_000;

async function staff(email = 'ed@example.com') {
  const { db } = freshContext();
  const user = await createStaff(db, actor, { email, role: 'owner', password });
  return { db, user };
}

describe('startSession', () => {
  it('hands out a random token of at least 128 bits and stores only its SHA-256', async () => {
    const { db, user } = await staff();
    const tokens = Array.from({ length: 20 }, () => startSession(db, user.id, t0).token);
    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/); // base64url: 6 bits a character
      expect(token.length * 6).toBeGreaterThanOrEqual(128);
    }
    const rows = db.select().from(sessions).all();
    expect(rows.map((r) => r.tokenHash).sort()).toEqual(tokens.map(sha256).sort());
    const stored = JSON.stringify(db.$client.prepare('select * from sessions').all());
    for (const token of tokens) expect(stored).not.toContain(token);
    expect(new Set(rows.map((r) => r.csrfToken)).size).toBe(20);
  });

  it('expires absolutely after sessionLimits.absoluteMs', async () => {
    const { db, user } = await staff();
    const { expiresAt } = startSession(db, user.id, t0);
    expect(expiresAt).toEqual(at(sessionLimits.absoluteMs));
  });
});

describe('readSession', () => {
  it('returns the user and CSRF token for a live session, never the password hash', async () => {
    const { db, user } = await staff();
    const { token } = startSession(db, user.id, t0);
    const session = readSession(db, token, at(minute))!;
    expect(session.user).toMatchObject({ id: user.id, email: 'ed@example.com' });
    expect(session.user).not.toHaveProperty('passwordHash');
    expect(session.tokenHash).toBe(sha256(token));
    expect(session.csrfToken.length).toBeGreaterThanOrEqual(22);
    expect(readSession(db, 'no-such-token', at(minute))).toBeNull();
    expect(readSession(db, undefined, at(minute))).toBeNull();
  });

  it('ends a session idle for longer than idleMs', async () => {
    const { db, user } = await staff();
    const { token } = startSession(db, user.id, t0);
    expect(readSession(db, token, at(sessionLimits.idleMs))).not.toBeNull();
    const idle = startSession(db, user.id, t0).token;
    expect(readSession(db, idle, at(sessionLimits.idleMs + 1))).toBeNull();
    expect(openSessions(db, user.id)).toBe(1); // the expired one is gone from the table
  });

  it('activity keeps it alive past idleMs, but not past absoluteMs', async () => {
    const { db, user } = await staff();
    const { token } = startSession(db, user.id, t0);
    // A request every 11 hours: never idle for 12.
    let now = 0;
    while (now + 11 * 60 * minute < sessionLimits.absoluteMs) {
      now += 11 * 60 * minute;
      expect(readSession(db, token, at(now))).not.toBeNull();
    }
    expect(now).toBeGreaterThan(sessionLimits.idleMs);
    expect(readSession(db, token, at(sessionLimits.absoluteMs - 1))).not.toBeNull();
    expect(readSession(db, token, at(sessionLimits.absoluteMs))).toBeNull();
    expect(openSessions(db, user.id)).toBe(0);
  });

  it('returns null for a disabled account', async () => {
    const { db, user } = await staff();
    const { token } = startSession(db, user.id, t0);
    // Disabled behind setDisabled's back (as an older Herald or a manual UPDATE could):
    // readSession checks the account itself, not only that the session row exists.
    db.$client.prepare('update users set disabled_at = ? where id = ?').run(t0.getTime(), user.id);
    expect(readSession(db, token, at(minute))).toBeNull();
    expect(openSessions(db, user.id)).toBe(0);
  });
});

describe('endSession', () => {
  it('ends that session only', async () => {
    const { db, user } = await staff();
    const a = startSession(db, user.id, t0).token;
    const b = startSession(db, user.id, t0).token;
    endSession(db, sha256(a));
    expect(readSession(db, a, at(minute))).toBeNull();
    expect(readSession(db, b, at(minute))).not.toBeNull();
  });
});

describe('setPassword', () => {
  it('keeps the session that made the change and ends the account’s others', async () => {
    const { db, user } = await staff();
    const other = await createStaff(db, actor, { email: 'other@example.com', role: 'editor', password });
    const current = startSession(db, user.id).token;
    const stolen = startSession(db, user.id).token;
    const someoneElse = startSession(db, other.id).token;
    await setPassword(db, actor, user.id, 'a brand new password', sha256(current));
    expect(readSession(db, current)).not.toBeNull();
    expect(readSession(db, stolen)).toBeNull();
    expect(readSession(db, someoneElse)).not.toBeNull();
  });

  it('with no session to keep, ends them all', async () => {
    const { db, user } = await staff();
    startSession(db, user.id);
    startSession(db, user.id);
    await setPassword(db, actor, user.id, 'a brand new password', null);
    expect(openSessions(db, user.id)).toBe(0);
  });
});

describe('sessionCookie', () => {
  it('is __Host- prefixed and Secure over HTTPS', () => {
    const cookie = sessionCookie('https://status.example.com');
    expect(cookie.name.startsWith('__Host-')).toBe(true);
    expect(cookie.options).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'lax' });
    expect(cookie.options).not.toHaveProperty('domain');
  });

  it('is neither over plain HTTP (browsers would refuse a Secure cookie there)', () => {
    const cookie = sessionCookie('http://localhost:4321');
    expect(cookie.name.startsWith('__Host-')).toBe(false);
    expect(cookie.options).toMatchObject({ secure: false, httpOnly: true, path: '/' });
  });
});
