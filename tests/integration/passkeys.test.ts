// Passkeys on a real database, answered by a software security key written
// apart from the library Herald verifies with (tests/helpers/security-key.ts):
// adding one (recovery codes with the first factor, a proof of the factor
// before a second), a login's second step, a login without password (only
// with the user verified), and everything that must be refused: a response
// sent twice, for another session or login, from another origin, a cloned
// key's counter, a disabled account, the owners' rule on the last key.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { passkeys, sessions } from '../../src/db/schema';
import { createStaff, setDisabled } from '../../src/lib/server/accounts/accounts';
import { readAudit, type Actor } from '../../src/lib/server/accounts/audit';
import { answerChallenge, attemptLogin, challengeFactors, loginWithPasskey, startChallenge } from '../../src/lib/server/accounts/login';
import { addPasskey, passkeyCreationOptions, passkeyLoginOptions, passkeyProof, passkeyRequestOptions, passkeysOf, relyingParty, removePasskey } from '../../src/lib/server/accounts/passkeys';
import {
  accountsWithSecondFactor,
  beginTotpSetup,
  confirmTotpSetup,
  factorsOf,
  hasSecondFactor,
  mustSetUpSecondFactor,
  recoveryCodeCount,
  resetSecondFactors,
  setTwoFactorPolicy,
  turnOffOwnSecondFactor,
  useSecondFactor,
} from '../../src/lib/server/accounts/second-factor';
import { startSession } from '../../src/lib/server/accounts/sessions';
import { sha256 } from '../../src/lib/server/secrets';
import { ActionError } from '../../src/lib/server/validate';
import { appCode } from '../helpers/authenticator';
import { SecurityKey } from '../helpers/security-key';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const password = 'correct horse battery staple';
const origin = 'https://status.example.com';
const rp = relyingParty(`${origin}/`, 'Example Status');
const address = '198.51.100.7';
const t0 = new Date('2026-11-01T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

async function withAccount(role: 'owner' | 'editor' = 'editor') {
  const { db } = freshContext();
  const user = await createStaff(db, actor, { email: 'ed@example.com', role, password }, new Date(t0.getTime() - 86_400_000));
  const session = startSession(db, user.id, t0);
  const sessionHash = sha256(session.token);
  const other = startSession(db, user.id, t0);
  return { db, user, sessionHash, other };
}

type Db = Awaited<ReturnType<typeof withAccount>>['db'];
type Account = Awaited<ReturnType<typeof withAccount>>['user'];

async function add(db: Db, user: Account, sessionHash: string, key: SecurityKey, extra: { factor?: unknown; name?: string } = {}, when = t0) {
  const options = await passkeyCreationOptions(db, rp, user, sessionHash, when);
  return addPasskey(db, actor, user, { name: extra.name ?? 'YubiKey', credential: key.create(options), factor: extra.factor }, rp, null, sessionHash, when);
}

const actionError = async (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof ActionError ? error : Promise.reject(error)));

describe('adding a passkey', () => {
  it('stores the key, gives recovery codes with the first factor, ends other sessions and audits', async () => {
    const { db, user, sessionHash, other } = await withAccount();
    const key = new SecurityKey({ origin });
    const options = await passkeyCreationOptions(db, rp, user, sessionHash, t0);
    expect(options.rp).toEqual({ id: 'status.example.com', name: 'Example Status' });
    // The handle the authenticator keeps is neither the email nor the id.
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).not.toContain(String(user.id));
    const codes = await addPasskey(db, actor, user, { name: ' YubiKey ', credential: key.create(options) }, rp, null, sessionHash, t0);
    expect(codes).toHaveLength(recoveryCodeCount);
    expect(passkeysOf(db, user.id)).toEqual([{ id: key.id, name: 'YubiKey', createdAt: t0, lastUsedAt: null }]);
    expect(hasSecondFactor(db, user.id)).toBe(true);
    expect(accountsWithSecondFactor(db).has(user.id)).toBe(true);
    expect(factorsOf(db, user.id)).toEqual({ totpSince: null, passkeys: 1, recoveryCodesLeft: recoveryCodeCount });
    expect(db.select().from(sessions).where(eq(sessions.tokenHash, sha256(other.token))).get()).toBeUndefined();
    expect(db.select().from(sessions).where(eq(sessions.tokenHash, sessionHash)).get()).toBeDefined();
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.passkey_added', target: 'ed@example.com' });
    // The same response sent again (a reload) adds nothing.
    await expect(actionError(addPasskey(db, actor, user, { name: 'again', credential: key.create(options) }, rp, null, sessionHash, t0))).resolves.toMatchObject({ field: 'credential' });
    expect(passkeysOf(db, user.id)).toHaveLength(1);
  });

  it('refuses a response to another session, another origin, a stale form, no name or no response', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    const options = await passkeyCreationOptions(db, rp, user, sessionHash, t0);
    const tries = [
      addPasskey(db, actor, user, { name: 'k', credential: key.create(options) }, rp, null, sha256('another session'), t0),
      addPasskey(db, actor, user, { name: 'k', credential: key.create(options, { origin: 'https://phish.example' }) }, rp, null, sessionHash, t0),
      addPasskey(db, actor, user, { name: 'k', credential: key.create(options) }, rp, null, sessionHash, at(6 * 60_000)),
      addPasskey(db, actor, user, { name: 'k', credential: '{"id":' }, rp, null, sessionHash, t0),
      addPasskey(db, actor, user, { name: 'k', credential: 'x'.repeat(20_000) }, rp, null, sessionHash, t0),
    ];
    for (const attempt of tries) await expect(actionError(attempt)).resolves.toMatchObject({ field: 'credential' });
    await expect(actionError(addPasskey(db, actor, user, { name: '  ', credential: key.create(options) }, rp, null, sessionHash, t0))).resolves.toMatchObject({ field: 'name' });
    expect(passkeysOf(db, user.id)).toEqual([]);
  });

  it('asks for a proof of the factor the account has before adding another key', async () => {
    const { db, user, sessionHash } = await withAccount();
    const first = new SecurityKey({ origin });
    const codes = (await add(db, user, sessionHash, first))!;
    const second = new SecurityKey({ origin });
    await expect(actionError(add(db, user, sessionHash, second, { name: 'laptop' }))).resolves.toMatchObject({ field: 'factor' });
    // A proof made for another session does not count; one for this session does, once.
    const elsewhere = await passkeyRequestOptions(db, rp, 'proof', user.id, sha256('another session'), t0);
    expect(await passkeyProof(db, rp, user.id, sessionHash, first.get(elsewhere), t0)).toBeNull();
    const options = await passkeyRequestOptions(db, rp, 'proof', user.id, sessionHash, t0);
    const answer = first.get(options);
    const proof = await passkeyProof(db, rp, user.id, sessionHash, answer, t0);
    expect(proof).not.toBeNull();
    expect(await passkeyProof(db, rp, user.id, sessionHash, answer, t0)).toBeNull();
    expect(await add(db, user, sessionHash, second, { name: 'laptop', factor: proof })).toBeNull();
    // A recovery code is a proof too.
    const third = new SecurityKey({ origin });
    expect(await add(db, user, sessionHash, third, { name: 'phone', factor: codes[0] })).toBeNull();
    expect(passkeysOf(db, user.id).map((p) => p.name)).toEqual(['YubiKey', 'laptop', 'phone']);
    expect(passkeysOf(db, user.id)[0].lastUsedAt).toEqual(t0);
  });

  it('takes a creation challenge once, even answered by another key, without using up the proof', async () => {
    const { db, user, sessionHash } = await withAccount();
    const codes = (await add(db, user, sessionHash, new SecurityKey({ origin })))!;
    const options = await passkeyCreationOptions(db, rp, user, sessionHash, t0);
    expect(await addPasskey(db, actor, user, { name: 'two', credential: new SecurityKey({ origin }).create(options), factor: codes[0] }, rp, null, sessionHash, t0)).toBeNull();
    await expect(actionError(addPasskey(db, actor, user, { name: 'three', credential: new SecurityKey({ origin }).create(options), factor: codes[1] }, rp, null, sessionHash, t0))).resolves.toMatchObject({
      field: 'credential',
    });
    // The refused form did not spend its recovery code.
    expect(useSecondFactor(db, user.id, codes[1], null, t0)).toMatchObject({ by: 'recovery' });
    expect(passkeysOf(db, user.id).map((p) => p.name)).toEqual(['YubiKey', 'two']);
  });

  it('keeps only known transports, as the browser will be handed them back', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    const options = await passkeyCreationOptions(db, rp, user, sessionHash, t0);
    const made = JSON.parse(key.create(options));
    made.response.transports = ['usb', 'usb', 'nfc', 'x'.repeat(5000), 42];
    await addPasskey(db, actor, user, { name: 'k', credential: JSON.stringify(made) }, rp, null, sessionHash, t0);
    expect(db.select({ transports: passkeys.transports }).from(passkeys).get()).toEqual({ transports: '["usb","nfc"]' });
  });

  it('sets up an app on an account that has only a passkey, with the passkey or a recovery code as proof', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    const codes = (await add(db, user, sessionHash, key))!;
    const setup = beginTotpSetup(db, user, sessionHash, 'Example Status', undefined, t0);
    const code = appCode(setup.key, t0);
    expect(() => confirmTotpSetup(db, actor, user, { proof: setup.proof, code }, null, sessionHash, t0)).toThrow(expect.objectContaining({ field: 'factor', message: expect.stringContaining('or use your passkey') }));
    const proof = await passkeyProof(db, rp, user.id, sessionHash, key.get(await passkeyRequestOptions(db, rp, 'proof', user.id, sessionHash, t0)), t0);
    expect(confirmTotpSetup(db, actor, user, { proof: setup.proof, code, factor: proof }, null, sessionHash, t0)).toHaveLength(recoveryCodeCount);
    expect(factorsOf(db, user.id)).toMatchObject({ totpSince: t0, passkeys: 1 });
    expect(useSecondFactor(db, user.id, codes[0], null, t0)).toBeNull(); // the app came with a new set
  });

  it('answers of one purpose are not taken for another', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin, verifiesUser: true });
    await add(db, user, sessionHash, key);
    const token = startChallenge(db, user.id, t0);
    const forProof = key.get(await passkeyRequestOptions(db, rp, 'proof', user.id, sessionHash, t0));
    const forLogin = key.get((await challengeFactors(db, rp, token, t0))!.passkey!);
    expect(await answerChallenge(db, token, { passkey: forProof, rp }, address, null, t0)).toEqual({ ok: false, reason: 'invalid' });
    expect(await passkeyProof(db, rp, user.id, sessionHash, forLogin, t0)).toBeNull();
    expect(await loginWithPasskey(db, rp, forProof, address, t0)).toEqual({ ok: false, reason: 'invalid' });
    // A made-up signature for the account's own key id: refused, not an error.
    const forged = JSON.parse(key.get(await passkeyLoginOptions(db, rp, t0)));
    forged.response.signature = Buffer.from('not a signature').toString('base64url');
    expect(await loginWithPasskey(db, rp, JSON.stringify(forged), address, t0)).toEqual({ ok: false, reason: 'invalid' });
    forged.response = { clientDataJSON: 'e30', authenticatorData: '', signature: '' };
    expect(await loginWithPasskey(db, rp, JSON.stringify(forged), address, t0)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('logging in with a passkey', () => {
  it('answers the second step of a login, once, for that login only', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    await add(db, user, sessionHash, key);
    const login = await attemptLogin(db, 'ed@example.com', password, address, at(1000));
    expect(login.ok).toBe(true);
    const token = startChallenge(db, user.id, at(1000));
    const options = (await challengeFactors(db, rp, token, at(1000)))!.passkey!;
    expect(options.allowCredentials).toEqual([{ id: key.id, type: 'public-key', transports: ['usb'] }]);
    // Another login's answer does not finish this one.
    const otherToken = startChallenge(db, user.id, at(1000));
    const otherOptions = (await challengeFactors(db, rp, otherToken, at(1000)))!.passkey!;
    expect(await answerChallenge(db, token, { passkey: key.get(otherOptions), rp }, address, null, at(2000))).toEqual({ ok: false, reason: 'invalid' });
    const answer = key.get(options);
    expect(await answerChallenge(db, token, { passkey: answer, rp }, address, null, at(2000))).toMatchObject({ ok: true, by: 'passkey', user: { id: user.id } });
    // Sent again with a new login: bound to the first login's token, it is not this one's.
    const again = startChallenge(db, user.id, at(3000));
    expect(await answerChallenge(db, again, { passkey: answer, rp }, address, null, at(3000))).toEqual({ ok: false, reason: 'invalid' });
    expect(await challengeFactors(db, rp, 'made-up', at(3000))).toBeNull();
    expect(await challengeFactors(db, rp, startChallenge(db, user.id, at(3000)), at(3000))).toMatchObject({ app: false });
  });

  it("refuses a cloned key's counter and another account's key", async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    await add(db, user, sessionHash, key);
    const token = startChallenge(db, user.id, t0);
    expect(await answerChallenge(db, token, { passkey: key.get((await challengeFactors(db, rp, token, t0))!.passkey!, { counter: 5 }), rp }, address, null, t0)).toMatchObject({ ok: true });
    const next = startChallenge(db, user.id, t0);
    expect(await answerChallenge(db, next, { passkey: key.get((await challengeFactors(db, rp, next, t0))!.passkey!, { counter: 3 }), rp }, address, null, t0)).toEqual({ ok: false, reason: 'invalid' });

    const other = await createStaff(db, actor, { email: 'other@example.com', role: 'editor', password }, t0);
    const otherKey = new SecurityKey({ origin });
    await add(db, other, sha256('x'), otherKey);
    const forOther = startChallenge(db, other.id, t0);
    const stolen = otherKey.get((await challengeFactors(db, rp, forOther, t0))!.passkey!);
    // Ed's login, answered with the other account's key for Ed's challenge options: refused.
    const edLogin = startChallenge(db, user.id, t0);
    const edOptions = (await challengeFactors(db, rp, edLogin, t0))!.passkey!;
    expect(await answerChallenge(db, edLogin, { passkey: otherKey.get(edOptions), rp }, address, null, t0)).toEqual({ ok: false, reason: 'invalid' });
    expect(await answerChallenge(db, edLogin, { passkey: stolen, rp }, address, null, t0)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('logs in without the password only when the key verified its user, and not into a disabled account', async () => {
    const { db, user, sessionHash } = await withAccount();
    const presenceOnly = new SecurityKey({ origin });
    const passkey = new SecurityKey({ origin, verifiesUser: true });
    await add(db, user, sessionHash, presenceOnly);
    await add(db, user, sessionHash, passkey, { name: 'phone', factor: (await passkeyProof(db, rp, user.id, sessionHash, presenceOnly.get(await passkeyRequestOptions(db, rp, 'proof', user.id, sessionHash, t0)), t0))! });
    const options = await passkeyLoginOptions(db, rp, t0);
    expect(options.userVerification).toBe('required');
    expect(await loginWithPasskey(db, rp, presenceOnly.get(options), address, t0)).toEqual({ ok: false, reason: 'invalid' });
    expect(await loginWithPasskey(db, rp, passkey.get(await passkeyLoginOptions(db, rp, t0), { origin: 'https://phish.example' }), address, t0)).toEqual({ ok: false, reason: 'invalid' });
    // A challenge made for the second step of a login is not one for a login without password.
    const token = startChallenge(db, user.id, t0);
    expect(await loginWithPasskey(db, rp, passkey.get((await challengeFactors(db, rp, token, t0))!.passkey!), address, t0)).toEqual({ ok: false, reason: 'invalid' });
    const ok = await loginWithPasskey(db, rp, passkey.get(await passkeyLoginOptions(db, rp, t0)), address, t0);
    expect(ok).toMatchObject({ ok: true, user: { id: user.id } });
    setDisabled(db, actor, user.id, true, t0);
    expect(await loginWithPasskey(db, rp, passkey.get(await passkeyLoginOptions(db, rp, t0)), address, t0)).toEqual({ ok: false, reason: 'invalid' });
    expect(await loginWithPasskey(db, rp, 'not json', address, t0)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('takes each challenge once, for keys that keep no counter too', async () => {
    const { db, user, sessionHash } = await withAccount();
    const synced = new SecurityKey({ origin, verifiesUser: true, counts: false });
    await add(db, user, sessionHash, synced);
    const answer = synced.get(await passkeyLoginOptions(db, rp, t0));
    expect(await loginWithPasskey(db, rp, answer, address, t0)).toMatchObject({ ok: true });
    expect(await loginWithPasskey(db, rp, answer, address, at(1000))).toEqual({ ok: false, reason: 'invalid' });
    const proof = synced.get(await passkeyRequestOptions(db, rp, 'proof', user.id, sessionHash, t0));
    expect(await passkeyProof(db, rp, user.id, sessionHash, proof, t0)).not.toBeNull();
    expect(await passkeyProof(db, rp, user.id, sessionHash, proof, t0)).toBeNull();
  });

  it('throttles an address sending bad answers', async () => {
    const { db } = await withAccount();
    for (let i = 0; i < 50; i++) await loginWithPasskey(db, rp, '{"id":"x","response":{}}', address, t0);
    expect(await loginWithPasskey(db, rp, '{"id":"x","response":{}}', address, t0)).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await loginWithPasskey(db, rp, '{"id":"x","response":{}}', '203.0.113.9', t0)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('passkeys and the owners\' rule', () => {
  it('counts a passkey as the factor the rule asks for; the app goes, the keys and codes stay', async () => {
    const { db, user, sessionHash } = await withAccount();
    setTwoFactorPolicy(db, actor, 'everyone', t0);
    expect(mustSetUpSecondFactor(db, user)).toBe(true);
    const key = new SecurityKey({ origin });
    const codes = (await add(db, user, sessionHash, key))!;
    expect(mustSetUpSecondFactor(db, user)).toBe(false);
    // With an app besides, the app may go: the passkey still answers the rule, and the codes stay.
    const setup = beginTotpSetup(db, user, sessionHash, 'Example Status', undefined, t0);
    const appCodes = confirmTotpSetup(db, actor, user, { proof: setup.proof, code: appCode(setup.key, t0), factor: codes[0] }, null, sessionHash, t0);
    turnOffOwnSecondFactor(db, actor, user, appCodes[0], null, sessionHash, t0);
    expect(factorsOf(db, user.id)).toEqual({ totpSince: null, passkeys: 1, recoveryCodesLeft: recoveryCodeCount - 1 });
    // The last key may not go while the rule stands; with an app again, it may, and the codes stay.
    expect(() => removePasskey(db, actor, user, key.id, appCodes[1], null, sessionHash, t0)).toThrow(expect.objectContaining({ reason: 'conflict' }));
    const again = beginTotpSetup(db, user, sessionHash, 'Example Status', undefined, at(60_000));
    const last = confirmTotpSetup(db, actor, user, { proof: again.proof, code: appCode(again.key, at(60_000)), factor: appCodes[1] }, null, sessionHash, at(60_000));
    removePasskey(db, actor, user, key.id, last[0], null, sessionHash, at(60_000));
    expect(factorsOf(db, user.id)).toMatchObject({ passkeys: 0, recoveryCodesLeft: recoveryCodeCount - 1 });
    expect(mustSetUpSecondFactor(db, user)).toBe(false);
  });
});

describe('removing passkeys', () => {
  it('takes a proof, keeps the last one the rule needs, and turns two-factor off with the last', async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    const codes = (await add(db, user, sessionHash, key))!;
    expect(() => removePasskey(db, actor, user, key.id, 'wrong', null, sessionHash, t0)).toThrow(expect.objectContaining({ field: 'factor' }));
    expect(() => removePasskey(db, actor, user, 'no-such-key', codes[0], null, sessionHash, t0)).toThrow(expect.objectContaining({ reason: 'not_found' }));
    setTwoFactorPolicy(db, actor, 'everyone', t0);
    expect(() => removePasskey(db, actor, user, key.id, codes[1], null, sessionHash, t0)).toThrow(expect.objectContaining({ reason: 'conflict' }));
    setTwoFactorPolicy(db, actor, 'nobody', t0);
    removePasskey(db, actor, user, key.id, codes[1], null, sessionHash, t0);
    expect(factorsOf(db, user.id)).toEqual({ totpSince: null, passkeys: 0, recoveryCodesLeft: 0 });
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.passkey_removed', target: 'ed@example.com' });
    expect(useSecondFactor(db, user.id, codes[2], null, t0)).toBeNull();
  });

  it("goes with an owner's reset, and another account's key cannot be removed", async () => {
    const { db, user, sessionHash } = await withAccount();
    const key = new SecurityKey({ origin });
    const codes = (await add(db, user, sessionHash, key))!;
    const other = await createStaff(db, actor, { email: 'other@example.com', role: 'owner', password }, t0);
    expect(() => removePasskey(db, actor, other, key.id, codes[0], null, null, t0)).toThrow(expect.objectContaining({ reason: 'not_found' }));
    resetSecondFactors(db, { label: other.email, userId: other.id }, user.id, t0);
    expect(db.select().from(passkeys).all()).toEqual([]);
    expect(hasSecondFactor(db, user.id)).toBe(false);
    expect(readAudit(db)[0]).toMatchObject({ action: 'user.factors_reset' });
  });
});
