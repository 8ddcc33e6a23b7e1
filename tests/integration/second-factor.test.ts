// Second factors on a real database: setting up an authenticator app with a
// code computed here, logging in with it (once per code), recovery codes
// used once, the throttles on wrong codes, the owners' rule, the reset, and
// keys sealed with SECRETS_KEY.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loginChallenges, recoveryCodes, sessions, totpFactors } from '../../src/db/schema';
import { createStaff, setPassword } from '../../src/lib/server/accounts/accounts';
import { readAudit, type Actor } from '../../src/lib/server/accounts/audit';
import { answerChallenge, attemptLogin, challengeLimits, loginThrottle, startChallenge } from '../../src/lib/server/accounts/login';
import {
  beginTotpSetup,
  confirmTotpSetup,
  factorsOf,
  hasSecondFactor,
  mustSetUpSecondFactor,
  recoveryCodeCount,
  replaceRecoveryCodes,
  resetSecondFactors,
  sealTotpKeys,
  setTwoFactorPolicy,
  turnOffOwnSecondFactor,
  twoFactorPolicy,
} from '../../src/lib/server/accounts/second-factor';
import { startSession } from '../../src/lib/server/accounts/sessions';
import { contentVersion, forgetContentVersion } from '../../src/lib/server/http/render-cache';
import { isSealed, sha256 } from '../../src/lib/server/secrets';
import { ActionError } from '../../src/lib/server/validate';
import { appCode } from '../helpers/authenticator';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const password = 'correct horse battery staple';
const t0 = new Date('2026-11-01T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const address = '198.51.100.7';
const secretsKey = Buffer.alloc(32, 7);

async function withAccount(role: 'owner' | 'editor' = 'editor', key: Buffer | null = null) {
  const { db } = freshContext();
  const user = await createStaff(db, actor, { email: 'ed@example.com', role, password }, new Date(t0.getTime() - 86_400_000));
  const kept = startSession(db, user.id, t0);
  const sessionHash = sha256(kept.token);
  startSession(db, user.id, t0);
  const setup = beginTotpSetup(db, user, sessionHash, 'Example Status', undefined, t0);
  const codes = confirmTotpSetup(db, actor, user, { proof: setup.proof, code: appCode(setup.key, t0) }, key, sessionHash, t0);
  return { db, user, key: setup.key, codes, kept, sessionHash, proof: setup.proof };
}

/** Password, then the challenge's code: the whole login at `when`. */
async function logIn(db: Awaited<ReturnType<typeof withAccount>>['db'], code: string, when: Date, key: Buffer | null = null) {
  const first = await attemptLogin(db, 'ed@example.com', password, address, when);
  expect(first.ok).toBe(true);
  const token = startChallenge(db, (first as { user: { id: number } }).user.id, when);
  return answerChallenge(db, token, { code }, address, key, when);
}

describe('setting up an authenticator app', () => {
  it('stores the key once a code from it is right, gives recovery codes once, and ends the other sessions', async () => {
    const { db, user, codes, kept } = await withAccount();
    expect(codes).toHaveLength(recoveryCodeCount);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(codes).size).toBe(recoveryCodeCount);
    // Only their hashes are kept.
    const stored = db.select().from(recoveryCodes).all();
    expect(stored.map((r) => r.codeHash).join()).not.toContain(codes[0]);
    expect(factorsOf(db, user.id)).toEqual({ totpSince: t0, passkeys: 0, recoveryCodesLeft: recoveryCodeCount });
    expect(db.select().from(sessions).all().map((s) => s.tokenHash)).toEqual([sha256(kept.token)]);
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.totp_added', target: 'ed@example.com' });
  });

  it('keeps the key of a form sent back with a wrong code, so the app need not scan again', async () => {
    const { db } = freshContext();
    const user = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password });
    const setup = beginTotpSetup(db, user, 'session', 'Example Status', undefined, t0);
    expect(setup.uri).toBe(`otpauth://totp/Example%20Status%3Aed%40example.com?secret=${setup.key}&issuer=Example%20Status&algorithm=SHA1&digits=6&period=30`);
    expect(setup.qrSvg).toMatch(/^<svg [^>]*viewBox/);
    const wrong = String((Number(appCode(setup.key, t0)) + 1) % 1_000_000).padStart(6, '0');
    expect(() => confirmTotpSetup(db, actor, user, { proof: setup.proof, code: wrong }, null, 'session', at(1000))).toThrow(/not the one your app shows/);
    expect(beginTotpSetup(db, user, 'session', 'Example Status', setup.proof, at(60_000)).key).toBe(setup.key);
    // After half an hour the form is stale, and another session's form is not this one's: a new key.
    expect(beginTotpSetup(db, user, 'session', 'Example Status', setup.proof, at(31 * 60_000)).key).not.toBe(setup.key);
    expect(beginTotpSetup(db, user, 'another session', 'Example Status', setup.proof, at(60_000)).key).not.toBe(setup.key);
    expect(db.select().from(totpFactors).all()).toEqual([]);
  });

  it("refuses a key that was not made here for this account, or has expired", async () => {
    const { db } = freshContext();
    const ed = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password });
    const bo = await createStaff(db, actor, { email: 'bo@example.com', role: 'editor', password });
    const setup = beginTotpSetup(db, ed, 'session', 'Example Status', undefined, t0);
    const code = appCode(setup.key, t0);
    const refused = (account: typeof ed, proof: string, when = t0, session = 'session') => () => confirmTotpSetup(db, actor, account, { proof, code }, null, session, when);
    // Another account's form, another session's, a key of the sender's choosing, a form too old.
    expect(refused(bo, setup.proof)).toThrow(ActionError);
    expect(refused(ed, setup.proof, t0, 'another session')).toThrow(/expired/);
    const [issued, , signature] = setup.proof.split('.');
    expect(refused(ed, `${issued}.GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.${signature}`)).toThrow(/expired/);
    expect(refused(ed, setup.proof, at(30 * 60_000 + 1))).toThrow(/expired/);
    expect(db.select().from(totpFactors).all()).toEqual([]);
  });
});

describe('logging in with a second factor', () => {
  it('takes the code of now once: the same code again is refused, the next step\'s is taken', async () => {
    const { db, key } = await withAccount();
    const later = at(60_000);
    const result = await logIn(db, appCode(key, later), later);
    expect(result).toMatchObject({ ok: true, by: 'totp' });
    expect(await logIn(db, appCode(key, later), at(61_000))).toEqual({ ok: false, reason: 'invalid' });
    expect(await logIn(db, appCode(key, at(90_000)), at(90_000))).toMatchObject({ ok: true });
    // The set-up's own code was used already too.
    const { db: other, key: otherKey } = await withAccount();
    expect(await logIn(other, appCode(otherKey, t0), at(5_000))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('takes each recovery code once, however it is typed, and audits how many are left', async () => {
    const { db, codes } = await withAccount();
    const typed = ` ${codes[3].toUpperCase().replaceAll('-', ' ')} `;
    expect(await logIn(db, typed, at(60_000))).toMatchObject({ ok: true, by: 'recovery', recoveryCodesLeft: recoveryCodeCount - 1 });
    expect(await logIn(db, codes[3], at(70_000))).toEqual({ ok: false, reason: 'invalid' });
    expect(readAudit(db)[0]).toMatchObject({ action: 'login.recovery_code', target: 'ed@example.com', detail: JSON.stringify({ left: 9, address }) });
    expect(await logIn(db, 'aaaa-bbbb-cccc', at(80_000))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ends a challenge after a few wrong codes, and after its lifetime', async () => {
    const { db, user, key } = await withAccount();
    const token = startChallenge(db, user.id, at(60_000));
    for (let i = 1; i < challengeLimits.failures; i++) expect(await answerChallenge(db, token, { code: '000000' }, address, null, at(60_000))).toEqual({ ok: false, reason: 'invalid' });
    expect(await answerChallenge(db, token, { code: '000000' }, address, null, at(60_000))).toEqual({ ok: false, reason: 'expired' });
    expect(await answerChallenge(db, token, { code: appCode(key, at(60_000)) }, address, null, at(60_000))).toEqual({ ok: false, reason: 'expired' });
    const stale = startChallenge(db, user.id, at(120_000));
    const end = at(120_000 + challengeLimits.lifetimeMs);
    expect(await answerChallenge(db, stale, { code: appCode(key, end) }, address, null, end)).toEqual({ ok: false, reason: 'expired' });
    expect(await answerChallenge(db, 'made-up', { code: appCode(key, end) }, address, null, end)).toEqual({ ok: false, reason: 'expired' });
    expect(await answerChallenge(db, undefined, { code: appCode(key, end) }, address, null, end)).toEqual({ ok: false, reason: 'expired' });
    // Expired challenges are cleared when the next one starts.
    startChallenge(db, user.id, at(10 * 60_000));
    expect(db.select().from(loginChallenges).all()).toHaveLength(1);
  });

  it('locks codes for the account after perFactor wrong ones, audits it as a login event, and the public version does not move', async () => {
    const { db, user, key } = await withAccount();
    forgetContentVersion(db);
    const version = contentVersion(db, at(60_000).getTime());
    let wrong = 0;
    while (wrong < loginThrottle.perFactor) {
      const token = startChallenge(db, user.id, at(60_000));
      for (let i = 0; i < challengeLimits.failures - 1 && wrong < loginThrottle.perFactor; i++, wrong++) await answerChallenge(db, token, { code: '000000' }, address, null, at(60_000));
    }
    const token = startChallenge(db, user.id, at(61_000));
    expect(await answerChallenge(db, token, { code: appCode(key, at(61_000)) }, address, null, at(61_000))).toMatchObject({ ok: false, reason: 'throttled' });
    expect(readAudit(db)[0]).toMatchObject({ action: 'login.factor_locked', target: 'ed@example.com' });
    forgetContentVersion(db);
    expect(contentVersion(db, at(61_000).getTime())).toBe(version);
    // The lock runs out; the right code then goes through.
    const after = at(61_000 + loginThrottle.firstDelayMs);
    expect(await answerChallenge(db, token, { code: appCode(key, after) }, address, null, after)).toMatchObject({ ok: true });
  });

  it('refuses a challenge of an account disabled since', async () => {
    const { db, user, key } = await withAccount();
    const token = startChallenge(db, user.id, at(60_000));
    db.$client.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(at(61_000).getTime(), user.id);
    expect(await answerChallenge(db, token, { code: appCode(key, at(62_000)) }, address, null, at(62_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('seals keys with SECRETS_KEY, and seals older plain ones at start', async () => {
    const { db, key } = await withAccount('editor', secretsKey);
    const stored = db.select().from(totpFactors).get()!;
    expect(isSealed(stored.secret)).toBe(true);
    expect(stored.secret).not.toContain(key);
    expect(await logIn(db, appCode(key, at(60_000)), at(60_000), secretsKey)).toMatchObject({ ok: true });

    const { db: plainDb, key: plainKey } = await withAccount();
    expect(sealTotpKeys(plainDb, null)).toEqual({ sealed: 0, plain: 1 });
    expect(sealTotpKeys(plainDb, secretsKey)).toEqual({ sealed: 1, plain: 0 });
    expect(isSealed(plainDb.select().from(totpFactors).get()!.secret)).toBe(true);
    expect(await logIn(plainDb, appCode(plainKey, at(60_000)), at(60_000), secretsKey)).toMatchObject({ ok: true });
  });
});

describe('the owners\' rule and resets', () => {
  it('asks owners, or everyone, for a factor; an account it covers cannot turn its own off', async () => {
    const { db } = freshContext();
    const owner = await createStaff(db, actor, { email: 'own@example.com', role: 'owner', password });
    const editor = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password });
    expect(twoFactorPolicy(db)).toBe('nobody');
    expect(mustSetUpSecondFactor(db, owner)).toBe(false);
    setTwoFactorPolicy(db, actor, 'owners');
    expect([mustSetUpSecondFactor(db, owner), mustSetUpSecondFactor(db, editor)]).toEqual([true, false]);
    setTwoFactorPolicy(db, actor, 'everyone');
    expect([mustSetUpSecondFactor(db, owner), mustSetUpSecondFactor(db, editor)]).toEqual([true, true]);
    expect(readAudit(db)[0]).toMatchObject({ action: 'settings.two_factor', detail: JSON.stringify({ from: 'owners', to: 'everyone' }) });
    expect(() => setTwoFactorPolicy(db, actor, 'some')).toThrow(/must be one of nobody, owners, everyone/);

    const setup = beginTotpSetup(db, editor, 'session', 'Example Status', undefined, t0);
    const codes = confirmTotpSetup(db, actor, editor, { proof: setup.proof, code: appCode(setup.key, t0) }, null, 'session', t0);
    expect(mustSetUpSecondFactor(db, editor)).toBe(false);
    expect(() => turnOffOwnSecondFactor(db, actor, editor, codes[0], null, null)).toThrow(/require a second factor/);
    setTwoFactorPolicy(db, actor, 'owners');
    // Turning it off takes a code of it: the password and a session are not enough.
    expect(() => turnOffOwnSecondFactor(db, actor, editor, undefined, null, null)).toThrow(/recovery codes/);
    expect(() => turnOffOwnSecondFactor(db, actor, editor, appCode(setup.key, t0), null, null)).toThrow(/recovery codes/);
    turnOffOwnSecondFactor(db, actor, editor, codes[0], null, null);
    expect(factorsOf(db, editor.id)).toEqual({ totpSince: null, passkeys: 0, recoveryCodesLeft: 0 });
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.totp_removed', target: 'ed@example.com' });
  });

  it('lets an owner reset someone\'s factors: audited, sessions and pending logins ended, the password alone logs in', async () => {
    const { db, user } = await withAccount();
    startChallenge(db, user.id, at(60_000));
    const owner: Actor = { label: 'own@example.com', userId: null };
    resetSecondFactors(db, owner, user.id, at(61_000));
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.factors_reset', actor: 'own@example.com', target: 'ed@example.com' });
    expect(db.select().from(sessions).where(eq(sessions.userId, user.id)).all()).toEqual([]);
    expect(db.select().from(loginChallenges).all()).toEqual([]);
    expect(db.select().from(recoveryCodes).all()).toEqual([]);
    expect(factorsOf(db, user.id).totpSince).toBeNull();
    expect(() => resetSecondFactors(db, owner, user.id)).toThrow(/no second factor/);
    // The password alone logs in now.
    expect(await attemptLogin(db, 'ed@example.com', password, address, at(62_000))).toMatchObject({ ok: true });
    expect(hasSecondFactor(db, user.id)).toBe(false);
    expect(() => resetSecondFactors(db, owner, 999)).toThrow(/no such account/);
  });

  it('replaces recovery codes: the old ones stop working', async () => {
    const { db, user, codes } = await withAccount();
    expect(() => replaceRecoveryCodes(db, actor, user, 'aaaa-bbbb-cccc-dddd', null, null, at(1000))).toThrow(/recovery codes/);
    const fresh = replaceRecoveryCodes(db, actor, user, codes[5], null, null, at(1000));
    expect(fresh.some((c) => codes.includes(c))).toBe(false);
    expect(await logIn(db, codes[0], at(60_000))).toEqual({ ok: false, reason: 'invalid' });
    expect(await logIn(db, fresh[0], at(60_000))).toMatchObject({ ok: true, by: 'recovery' });
  });
});

describe('what guards the factor itself', () => {
  it('replaces the app only for a code of the current one, and refuses the same set-up form sent again', async () => {
    const { db, user, key, proof, sessionHash, codes } = await withAccount();
    const when = at(40_000);
    // The set-up form sent again (a reload): nothing changes, the codes shown stand.
    expect(() => confirmTotpSetup(db, actor, user, { proof, code: appCode(key, when) }, null, sessionHash, when)).toThrow(/set up already/);
    const next = beginTotpSetup(db, user, sessionHash, 'Example Status', undefined, when);
    const form = { proof: next.proof, code: appCode(next.key, when) };
    expect(() => confirmTotpSetup(db, actor, user, form, null, sessionHash, when)).toThrow(/recovery codes/);
    expect(db.select().from(totpFactors).get()!.secret).toBe(key);
    confirmTotpSetup(db, actor, user, { ...form, factor: appCode(key, when) }, null, sessionHash, when);
    expect(db.select().from(totpFactors).get()!.secret).toBe(next.key);
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.totp_replaced' });
    expect(await logIn(db, codes[0], at(50_000))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('lifts the lock on codes and ends half-done logins when the password changes', async () => {
    const { db, user, key } = await withAccount();
    for (let wrong = 0; wrong < loginThrottle.perFactor; ) {
      const token = startChallenge(db, user.id, at(60_000));
      for (let i = 0; i < challengeLimits.failures - 1 && wrong < loginThrottle.perFactor; i++, wrong++) await answerChallenge(db, token, { code: '000000' }, address, null, at(60_000));
    }
    const pending = startChallenge(db, user.id, at(61_000));
    expect(await answerChallenge(db, pending, { code: appCode(key, at(61_000)) }, address, null, at(61_000))).toMatchObject({ reason: 'throttled' });
    await setPassword(db, actor, user.id, 'a new long passphrase', null, at(62_000));
    expect(await answerChallenge(db, pending, { code: appCode(key, at(62_000)) }, address, null, at(62_000))).toEqual({ ok: false, reason: 'expired' });
    const fresh = await attemptLogin(db, 'ed@example.com', 'a new long passphrase', address, at(63_000));
    expect(fresh.ok).toBe(true);
    expect(await answerChallenge(db, startChallenge(db, user.id, at(63_000)), { code: appCode(key, at(63_000)) }, address, null, at(63_000))).toMatchObject({ ok: true });
  });

  it("does not let an owner reset their own factor from the console; the CLI (no account) may", async () => {
    const { db, user } = await withAccount('owner');
    expect(() => resetSecondFactors(db, { label: 'ed@example.com', userId: user.id }, user.id)).toThrow(/managed under Account/);
    resetSecondFactors(db, { label: 'cli root', userId: null }, user.id);
    expect(hasSecondFactor(db, user.id)).toBe(false);
  });

  it('says so when the key cannot be decrypted with this SECRETS_KEY; recovery codes still work', async () => {
    const { db, key, codes } = await withAccount('editor', secretsKey);
    expect(await logIn(db, appCode(key, at(60_000)), at(60_000), Buffer.alloc(32, 9))).toEqual({ ok: false, reason: 'unreadable' });
    expect(await logIn(db, appCode(key, at(60_000)), at(60_000), null)).toEqual({ ok: false, reason: 'unreadable' });
    expect(await logIn(db, codes[0], at(60_000), null)).toMatchObject({ ok: true, by: 'recovery' });
  });
});
