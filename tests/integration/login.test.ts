// Logging in on a real database: the answer never says whether an account
// exists, and failures lock the account and the address for doubling delays.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loginFailures } from '../../src/db/schema';
import { createStaff, setDisabled, setPassword } from '../../src/lib/server/accounts/accounts';
import type { Actor } from '../../src/lib/server/accounts/audit';
import { attemptLogin, loginThrottle } from '../../src/lib/server/accounts/login';
import { readAudit } from '../../src/lib/server/accounts/audit';
import { deviceCookie, deviceLifetimeMs, issueDeviceToken } from '../../src/lib/server/accounts/devices';
import { contentVersion, forgetContentVersion } from '../../src/lib/server/http/render-cache';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const password = 'correct horse battery staple';
const t0 = new Date('2026-11-01T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const address = '198.51.100.7';

async function withAccount() {
  const { db } = freshContext();
  // Made before the attempts below, as an account is before its logins (device cookies count from its password's time).
  const user = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password }, new Date(t0.getTime() - 86_400_000));
  return { db, user };
}

/** `n` wrong passwords for `email`, all at `now`. */
async function fail(db: Awaited<ReturnType<typeof withAccount>>['db'], n: number, now: Date, email = 'ed@example.com', from = address) {
  for (let i = 0; i < n; i++) {
    expect(await attemptLogin(db, email, 'wrong password here', from, now)).toEqual({ ok: false, reason: 'invalid' });
  }
}

const accountRow = (db: Awaited<ReturnType<typeof withAccount>>['db']) =>
  db.select().from(loginFailures).where(eq(loginFailures.key, 'email:ed@example.com')).get();

describe('attemptLogin', () => {
  it('lets the right password in, whatever the case of the email', async () => {
    const { db, user } = await withAccount();
    const result = await attemptLogin(db, ' Ed@Example.COM ', password, address, t0);
    expect(result).toMatchObject({ ok: true, user: { id: user.id, email: 'ed@example.com' } });
  });

  it('gives the same answer for a wrong password, an unknown email and a disabled account', async () => {
    const { db, user } = await withAccount();
    await createStaff(db, actor, { email: 'owner@example.com', role: 'owner', password });
    const wrong = await attemptLogin(db, 'ed@example.com', 'not the password', address, t0);
    const unknown = await attemptLogin(db, 'nobody@example.com', password, address, t0);
    setDisabled(db, actor, user.id, true);
    const disabled = await attemptLogin(db, 'ed@example.com', password, address, t0);
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    expect(unknown).toEqual(wrong);
    expect(disabled).toEqual(wrong);
  });

  it(`locks an account after loginThrottle.perAccount failures, even against the right password`, async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount - 1, t0);
    // One short of the limit: still open.
    expect(await attemptLogin(db, 'ed@example.com', password, address, t0)).toMatchObject({ ok: true });
    // Success cleared the account's count; fail up to the limit again.
    await fail(db, loginThrottle.perAccount, t0);
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(1000))).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterMs: loginThrottle.firstDelayMs - 1000,
    });
    // The lock is per account: others from the same address still get in.
    await createStaff(db, actor, { email: 'other@example.com', role: 'editor', password });
    expect(await attemptLogin(db, 'other@example.com', password, address, at(1000))).toMatchObject({ ok: true });
  });

  it('doubles the delay with each failure after the lock, up to maxDelayMs', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount, t0);
    let now = t0.getTime();
    let delay: number = loginThrottle.firstDelayMs;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const locked = await attemptLogin(db, 'ed@example.com', password, address, new Date(now));
      expect(locked).toMatchObject({ reason: 'throttled' });
      seen.push((locked as { retryAfterMs: number }).retryAfterMs);
      // Attempts while locked are not counted and do not extend the lock.
      expect(await attemptLogin(db, 'ed@example.com', 'wrong again', address, new Date(now + delay - 1))).toMatchObject({
        reason: 'throttled',
        retryAfterMs: 1,
      });
      now += delay; // the lock has just run out; one more wrong guess
      expect(await attemptLogin(db, 'ed@example.com', 'wrong again', address, new Date(now))).toEqual({ ok: false, reason: 'invalid' });
      delay = Math.min(delay * 2, loginThrottle.maxDelayMs);
    }
    expect(seen.slice(0, 3)).toEqual([60_000, 120_000, 240_000]);
    expect(seen).toEqual(seen.map((_, i) => Math.min(loginThrottle.firstDelayMs * 2 ** i, loginThrottle.maxDelayMs)));
    expect(Math.max(...seen)).toBe(loginThrottle.maxDelayMs);
  });

  it('lets the right password in once the lock has run out, and starts the count again', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount, t0);
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(loginThrottle.firstDelayMs - 1))).toMatchObject({
      reason: 'throttled',
    });
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(loginThrottle.firstDelayMs))).toMatchObject({ ok: true });
    expect(accountRow(db)).toBeUndefined();
    // A fresh allowance: limit - 1 failures do not lock.
    await fail(db, loginThrottle.perAccount - 1, at(loginThrottle.firstDelayMs));
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(loginThrottle.firstDelayMs))).toMatchObject({ ok: true });
  });

  it(`locks an address after loginThrottle.perAddress failures across many emails`, async () => {
    const { db } = await withAccount();
    for (let i = 0; i < loginThrottle.perAddress; i++) {
      // Each email is tried once: no account key comes near its own limit.
      await fail(db, 1, t0, `guess${i}@example.com`);
    }
    expect(await attemptLogin(db, 'ed@example.com', password, address, t0)).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterMs: loginThrottle.firstDelayMs,
    });
    // The same account from another address is not affected.
    expect(await attemptLogin(db, 'ed@example.com', password, '192.0.2.1', t0)).toMatchObject({ ok: true });
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(loginThrottle.firstDelayMs))).toMatchObject({ ok: true });
  });

  it('forgets failures older than forgetAfterMs', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount - 1, t0);
    expect(accountRow(db)?.failures).toBe(loginThrottle.perAccount - 1);
    // Within forgetAfterMs, the next failure would lock; after it, it counts as the first.
    const later = at(loginThrottle.forgetAfterMs + 1);
    await fail(db, 1, later);
    expect(accountRow(db)).toMatchObject({ failures: 1, lockedUntil: null });
    expect(await attemptLogin(db, 'ed@example.com', password, address, later)).toMatchObject({ ok: true });
  });

  it('does not forget failures within forgetAfterMs', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount - 1, t0);
    await fail(db, 1, at(loginThrottle.forgetAfterMs));
    expect(accountRow(db)?.failures).toBe(loginThrottle.perAccount);
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(loginThrottle.forgetAfterMs))).toMatchObject({
      reason: 'throttled',
    });
  });
});

describe('attemptLogin at the longest lock', () => {
  it('keeps locking for maxDelayMs: outwaiting the longest lock does not reset the count', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount, t0);
    // Fail right after each lock runs out until the delay reaches its cap.
    let now = t0.getTime();
    let delay: number = loginThrottle.firstDelayMs;
    while (delay < loginThrottle.maxDelayMs) {
      now += delay + 1;
      await fail(db, 1, new Date(now));
      delay = Math.min(delay * 2, loginThrottle.maxDelayMs);
    }
    now += delay + 1; // the longest lock has just run out
    await fail(db, 1, new Date(now));
    expect(await attemptLogin(db, 'ed@example.com', password, address, new Date(now))).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterMs: loginThrottle.maxDelayMs,
    });
  });

  it('counts parallel guesses before checking them, so a burst cannot slip past the limit', async () => {
    const { db } = await withAccount();
    const guesses = Array.from({ length: 60 }, (_, n) => (n === 45 ? password : `wrong guess ${n}`));
    const results = await Promise.all(guesses.map((guess) => attemptLogin(db, 'ed@example.com', guess, address, t0)));
    expect(results.filter((r) => r.ok)).toHaveLength(0);
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(loginThrottle.perAccount);
    expect(results[45]).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('a success takes back its own count for the address', async () => {
    const { db } = await withAccount();
    await fail(db, 3, t0);
    await attemptLogin(db, 'ed@example.com', password, address, t0);
    const row = db.select().from(loginFailures).where(eq(loginFailures.key, `ip:${address}`)).get();
    expect(row?.failures).toBe(3);
  });

  it('a password reset lifts the lock someone else caused', async () => {
    const { db, user } = await withAccount();
    await fail(db, loginThrottle.perAccount, t0, 'ed@example.com', '203.0.113.9');
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(1000))).toMatchObject({ reason: 'throttled' });
    await setPassword(db, actor, user.id, 'a brand new passphrase');
    expect(await attemptLogin(db, 'ed@example.com', 'a brand new passphrase', address, at(2000))).toMatchObject({ ok: true });
  });
});

describe('device cookies: a lock others cause does not keep staff out', () => {
  const attacker = '203.0.113.66';
  /** The device cookie a first, successful login gave this browser. */
  async function knownBrowser(db: Awaited<ReturnType<typeof withAccount>>['db']) {
    const first = await attemptLogin(db, 'ed@example.com', password, address, t0);
    if (!first.ok) throw new Error('the first login failed');
    return first.deviceToken;
  }

  it('lets a browser that logged in before through while guesses from elsewhere hold the account, and says so in the audit log', async () => {
    const { db } = await withAccount();
    const device = await knownBrowser(db);
    await fail(db, loginThrottle.perAccount, at(1000), 'ed@example.com', attacker);
    for (let n = 0; n < 5; n++) expect(await attemptLogin(db, 'ed@example.com', `more ${n}`, attacker, at(1500))).toMatchObject({ reason: 'throttled' });
    // Everyone else waits, the right password included.
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(2000))).toMatchObject({ ok: false, reason: 'throttled' });
    // The known browser gets in, from any address, and a wrong password there is just wrong.
    expect(await attemptLogin(db, 'ed@example.com', 'a typo', attacker, at(3000), device)).toEqual({ ok: false, reason: 'invalid' });
    const known = await attemptLogin(db, 'ed@example.com', password, attacker, at(4000), device);
    expect(known).toMatchObject({ ok: true });
    // Its success does not lift the lock the guesses caused.
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(5000))).toMatchObject({ ok: false, reason: 'throttled' });
    // One audit entry when the lock began, naming where the guesses came from.
    const locks = readAudit(db).filter((entry) => entry.action === 'login.locked');
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ actor: 'herald', target: 'email:ed@example.com' });
    expect(JSON.parse(locks[0].detail!)).toEqual({ address: attacker });
    // Guesses at an address that is no account leave no entry.
    await fail(db, loginThrottle.perAccount, at(6000), 'nobody@example.com', '203.0.113.67');
    expect(readAudit(db).filter((entry) => entry.action === 'login.locked')).toHaveLength(1);
  });

  it('gives nothing for a cookie of another account, a forged or altered one, or an expired one', async () => {
    const { db } = await withAccount();
    const other = await createStaff(db, actor, { email: 'owner@example.com', role: 'owner', password }, new Date(t0.getTime() - 86_400_000));
    const device = await knownBrowser(db);
    const [user, issued, nonce] = device.split('.');
    const forged = [
      issueDeviceToken(db, other.id, t0),
      `${user}.${issued}.${nonce}.${'A'.repeat(43)}`,
      `${other.id}.${issued}.${nonce}.${device.split('.')[3]}`,
      issueDeviceToken(db, Number(user), new Date(t0.getTime() - deviceLifetimeMs - 1000)),
      'not a cookie',
      'x'.repeat(5000),
    ];
    await fail(db, loginThrottle.perAccount, at(1000), 'ed@example.com', attacker);
    for (const token of forged) expect(await attemptLogin(db, 'ed@example.com', password, address, at(2000), token)).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(2000), device)).toMatchObject({ ok: true });
  });

  it('throttles a known browser on its own: a stolen cookie guesses no faster, and other known browsers still get in', async () => {
    const { db } = await withAccount();
    const stolen = await knownBrowser(db);
    const mine = await knownBrowser(db);
    for (let n = 0; n < loginThrottle.perDevice; n++) {
      expect(await attemptLogin(db, 'ed@example.com', `guess ${n}`, attacker, at(1000), stolen)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await attemptLogin(db, 'ed@example.com', password, attacker, at(2000), stolen)).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(2000), mine)).toMatchObject({ ok: true });
    // The stolen cookie's guesses never touched the account's own throttle.
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(3000))).toMatchObject({ ok: true });
  });

  it('ends every device cookie of an account, and their locks, when its password changes', async () => {
    const { db, user } = await withAccount();
    const device = await knownBrowser(db);
    for (let n = 0; n < loginThrottle.perDevice; n++) await attemptLogin(db, 'ed@example.com', `guess ${n}`, attacker, at(1000), device);
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(2000), device)).toMatchObject({ reason: 'throttled' });
    await setPassword(db, actor, user.id, 'a brand new passphrase', null, at(3000));
    expect(db.select().from(loginFailures).all().filter((row) => row.key.startsWith('device:'))).toEqual([]);
    // The old cookie now counts for nothing: with the account locked by others, it no longer gets through.
    await fail(db, loginThrottle.perAccount, at(4000), 'ed@example.com', attacker);
    expect(await attemptLogin(db, 'ed@example.com', 'a brand new passphrase', address, at(5000), device)).toMatchObject({ reason: 'throttled' });
  });

  it('records no lock when the attempt that reached the limit had the right password', async () => {
    const { db } = await withAccount();
    await fail(db, loginThrottle.perAccount - 1, t0, 'ed@example.com', attacker);
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(1000))).toMatchObject({ ok: true });
    expect(readAudit(db).filter((entry) => entry.action === 'login.locked')).toEqual([]);
  });

  it('keeps a lock out of the public pages\' version, so a cache miss does not tell that an email is staff\'s', async () => {
    const { db } = await withAccount();
    const before = contentVersion(db, t0.getTime());
    await fail(db, loginThrottle.perAccount, at(1000), 'ed@example.com', attacker);
    expect(readAudit(db).filter((entry) => entry.action === 'login.locked')).toHaveLength(1);
    forgetContentVersion(db);
    expect(contentVersion(db, t0.getTime())).toBe(before);
  });

  it('names the cookie __Host- and Secure over HTTPS', () => {
    expect(deviceCookie('https://status.example.com')).toMatchObject({ name: '__Host-herald_device', options: { secure: true, path: '/', httpOnly: true, sameSite: 'strict' } });
    expect(deviceCookie('http://127.0.0.1:4321')).toMatchObject({ name: 'herald_device', options: { secure: false } });
  });
});
