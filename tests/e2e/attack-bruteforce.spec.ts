// Scripted guessing and flooding, as an attacker would run them, against
// servers of their own (so the locks they leave do not reach other suites).
// console-security.spec.ts already covers 10 guesses at one account and 50
// emails from one address with forged X-Forwarded-For; tests/integration/
// login.test.ts the lock's timing. Added here: 100 guesses from rotating
// addresses, with and without TRUST_PROXY; a parallel burst; the Account
// page's current-password check; and subscribe floods aimed at one inbox.
import type Database from 'better-sqlite3';
import { createStaff } from '../../src/lib/server/accounts/accounts';
import { openDatabase } from '../../src/lib/server/db';
import { formBody, openReadOnly, owner, send, startAttackServer, type Answer, type AttackServer } from './attack-helpers';
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

/** Without TRUST_PROXY: X-Forwarded-For is a header anyone can write, and is ignored. */
let direct: AttackServer;
/** With TRUST_PROXY=1: the last X-Forwarded-For entry is the client, as a proxy would set it. */
let proxied: AttackServer;
let directDb: Database.Database;
let proxiedDb: Database.Database;
const passwords: Record<string, string> = {};

async function addStaff(server: AttackServer, email: string, role: 'owner' | 'editor') {
  const db = openDatabase(server.server.db);
  try {
    passwords[email] = `correct horse ${email}`;
    await createStaff(db, { label: 'brute-force suite', userId: null }, { email, role, password: passwords[email] });
  } finally {
    db.$client.close();
  }
}

test.beforeAll(async () => {
  [direct, proxied] = await Promise.all([startAttackServer({ HERALD_WORKER: '0' }), startAttackServer({ HERALD_WORKER: '0', TRUST_PROXY: '1' })]);
  for (const email of ['bystander@example.com', 'burst@example.com', 'account@example.com']) await addStaff(direct, email, 'editor');
  await addStaff(proxied, 'bystander@example.com', 'editor');
  await addStaff(proxied, 'on-call@example.com', 'owner');
  directDb = openReadOnly(direct.server.db);
  proxiedDb = openReadOnly(proxied.server.db);
});

test.afterAll(async () => {
  directDb?.close();
  proxiedDb?.close();
  await Promise.all([direct?.server.stop(), proxied?.server.stop()]);
});

const login = (server: AttackServer, email: string, password: string, from?: string): Promise<Answer> =>
  send(`${server.url}/admin/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url, ...(from ? { 'X-Forwarded-For': from } : {}) },
    body: formBody([['email', email], ['password', password]]),
  });

/** 100 wrong passwords for one account, each from another address; returns the answers' statuses. */
async function guess100(server: AttackServer, email: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 0; n < 100; n++) {
    const answer = await login(server, email, `guess-${n}-${'x'.repeat(n % 7)}`, `198.51.100.${n + 1}, 203.0.113.${n + 1}`);
    statuses.push(answer.status);
    if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  return statuses;
}

test('100 guesses at one account from rotating X-Forwarded-For addresses: 10 are checked, the rest are held, even the right password', async () => {
  const statuses = await guess100(direct, owner);
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual(Array(90).fill(429));
  expect((await login(direct, owner, direct.password, '192.0.2.1')).status).toBe(429);
  // The headers were ignored: every guess came from one connection address, and only the 10 checked ones counted
  // against it (a held guess is not checked), so a colleague behind the same address still gets in.
  expect((await login(direct, 'bystander@example.com', passwords['bystander@example.com'])).status).toBe(303);
});

test('behind a trusted proxy, 100 guesses from 100 client addresses still lock the account after 10', async () => {
  const statuses = await guess100(proxied, owner);
  expect(statuses.filter((s) => s === 401)).toHaveLength(10);
  expect(statuses.slice(10)).toEqual(Array(90).fill(429));
  expect((await login(proxied, owner, proxied.password, '192.0.2.1')).status).toBe(429);
  expect((await login(proxied, 'bystander@example.com', passwords['bystander@example.com'], '192.0.2.2')).status).toBe(303);
});

test('40 guesses sent at once: no more than 10 are checked', async () => {
  const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => login(direct, 'burst@example.com', `parallel-${n}`, `198.51.100.${n}`)));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
  expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  expect((await login(direct, 'burst@example.com', passwords['burst@example.com'])).status).toBe(429);
});

test('a borrowed session cannot guess the password on the Account page: 10 tries, then even the right one is refused', async () => {
  const email = 'account@example.com';
  const session = await login(direct, email, passwords[email]);
  expect(session.status).toBe(303);
  const cookie = String(session.headers['set-cookie']?.[0]).split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec((await send(`${direct.url}/admin/account`, { headers: { Cookie: cookie } })).body)![1];
  const change = (current: string) =>
    send(`${direct.url}/admin/account`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: direct.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody([['csrf', csrf], ['current', current], ['password', 'a brand new passphrase'], ['confirm', 'a brand new passphrase']]),
    });
  const messages: string[] = [];
  for (let n = 0; n < 15; n++) {
    const answer = await change(`wrong-${n}`);
    expect(answer.status).toBe(422);
    messages.push(answer.body.includes('Too many failed attempts') ? 'held' : 'checked');
  }
  expect(messages).toEqual([...Array(10).fill('checked'), ...Array(5).fill('held')]);
  const right = await change(passwords[email]);
  expect(right.status).toBe(422);
  expect(right.body).toContain('Too many failed attempts');
  expect((await login(direct, email, 'a brand new passphrase')).status).toBe(429);
});

test('an owner whose browser logged in before gets in while other addresses are guessing their password; a new browser waits; the audit log shows it', async ({ browser }) => {
  const email = 'on-call@example.com';
  const logIn = async (page: import('@playwright/test').Page, password: string) => {
    await page.goto(`${proxied.url}/admin/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  };
  const known = await browser.newContext();
  const stranger = await browser.newContext();
  try {
    // The owner's own browser, last week: a login leaves a device cookie, HttpOnly and SameSite=Strict.
    const mine = await known.newPage();
    await logIn(mine, passwords[email]);
    await expect(mine).not.toHaveURL(/\/admin\/login/);
    const device = (await known.cookies()).find((c) => c.name === 'herald_device');
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await known.clearCookies({ name: 'herald_session' });

    // Someone guesses from 15 addresses: 10 are checked, then the account is held for everyone else.
    const statuses: number[] = [];
    for (let n = 0; n < 15; n++) statuses.push((await login(proxied, email, `guess ${n}`, `198.51.100.${n + 1}`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);

    // A browser that never logged in to the account waits, with the right password.
    const other = await stranger.newPage();
    await logIn(other, passwords[email]);
    await expect(other.getByText('Too many failed attempts')).toBeVisible();

    // The owner's browser gets in, during the attack, with the same password.
    await logIn(mine, passwords[email]);
    await expect(mine).not.toHaveURL(/\/admin\/login/);
    await expect(mine.getByRole('button', { name: 'Log out' })).toBeVisible();

    // And the audit log says when the account was locked, and from where the guess came.
    const locks = proxiedDb.prepare("SELECT target, detail FROM audit_log WHERE action = 'login.locked'").all() as { target: string; detail: string }[];
    expect(locks.filter((l) => l.target === `email:${email}`)).toHaveLength(1);
    expect(JSON.parse(locks.find((l) => l.target === `email:${email}`)!.detail)).toEqual({ address: '198.51.100.10' });
  } finally {
    await known.close();
    await stranger.close();
  }
});

/** How many mails are queued for an address (the worker is off, so nothing leaves the queue). */
const mailsTo = (db: Database.Database, address: string) =>
  (db.prepare('SELECT count(*) AS n FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE s.address = ?').get(address) as { n: number }).n;

const subscribe = (server: AttackServer, email: string, from: string) =>
  send(`${server.url}/subscribe`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url, 'X-Forwarded-For': from },
    body: formBody([['email', email]]),
  });

test('30 subscribe requests for one inbox from rotating X-Forwarded-For: 10 answered, 3 mails', async () => {
  const statuses: number[] = [];
  const spellings = ['victim@example.com', 'VICTIM@example.com', ' victim@example.com ', 'Victim@Example.Com'];
  for (let n = 0; n < 30; n++) statuses.push((await subscribe(direct, spellings[n % spellings.length], `198.51.100.${n}`)).status);
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
  expect(statuses.slice(10)).toEqual(Array(20).fill(429));
  expect(mailsTo(directDb, 'victim@example.com')).toBe(3);
  // The client is held for the webhook form too: it shares the limit.
  const webhook = await send(`${direct.url}/subscribe/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: direct.url },
    // A public address, so the URL itself passes (nothing is sent to it: the worker is off).
    body: formBody([['url', 'https://1.1.1.1/herald-flood-test']]),
  });
  expect(webhook.status).toBe(429);
});

test('behind a trusted proxy, 30 clients asking for one inbox get the same answer, and the inbox gets 3 mails at most', async () => {
  const before = (proxiedDb.prepare('SELECT count(*) AS n FROM subscribers').get() as { n: number }).n;
  const answers: Answer[] = [];
  for (let n = 0; n < 30; n++) answers.push(await subscribe(proxied, 'target@example.com', `198.51.100.${n}`));
  expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
  // The page never says whether the address was new, waiting, or past its limit.
  const text = (a: Answer) => /<main[\s\S]*<\/main>/.exec(a.body)?.[0];
  expect(new Set(answers.map(text)).size).toBe(1);
  expect(mailsTo(proxiedDb, 'target@example.com')).toBe(3);
  expect((proxiedDb.prepare('SELECT count(*) AS n FROM subscribers').get() as { n: number }).n).toBe(before + 1);
  // One client spraying many inboxes is held after 10.
  const spray: number[] = [];
  for (let n = 0; n < 20; n++) spray.push((await subscribe(proxied, `stranger${n}@example.com`, '192.0.2.77')).status);
  expect(spray.slice(0, 10)).toEqual(Array(10).fill(200));
  expect(spray.slice(10)).toEqual(Array(10).fill(429));
  expect((proxiedDb.prepare("SELECT count(*) AS n FROM subscribers WHERE address LIKE 'stranger%'").get() as { n: number }).n).toBe(10);
});
