// Single sign-on in Chromium against the built server and a real OpenID
// Provider started on loopback (oidc-provider, tests/e2e/openid-provider.mjs,
// with its own login and consent pages): a new editor and an existing
// account linked by its email, with the provider's groups deciding the role;
// an answer whose state is not this browser's; the same code sent twice (the
// provider refuses it); a domain that is not allowed and a group that is not
// mapped, both in the audit log; password login switched off for the
// sign-on domain; and the owners' two-factor rule, which is the provider's
// business for sign-on sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createStaff } from '../../src/lib/server/accounts/accounts';
import { openDatabase } from '../../src/lib/server/db';
import { openReadOnly } from './attack-helpers';
import { expect, test } from './fixtures';
import { freePort, root, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

let provider: ChildProcess;
let providerLog = '';
let server: RunningServer;
/** A private page beside it, whose readers sign on with the same provider. */
let privateServer: RunningServer;
const password = 'correct horse battery staple';
const accounts = {
  alice: { email: 'alice@example.com', email_verified: true, name: 'Alice Ops', groups: ['herald-editors'] },
  dave: { email: 'dave@example.com', email_verified: true, name: 'Dave', groups: ['herald-owners', 'everyone'] },
  bob: { email: 'bob@elsewhere.example', email_verified: true, name: 'Bob', groups: ['herald-editors'] },
  carol: { email: 'carol@example.com', email_verified: true, name: 'Carol', groups: ['sales'] },
  erin: { email: 'erin@example.com', email_verified: false, name: 'Erin', groups: ['herald-editors'] },
  frank: { email: 'frank@example.com', email_verified: true, name: 'Frank', groups: ['herald-editors'] },
};

test.beforeAll(async () => {
  const [providerPort, heraldPort, privatePort] = [await freePort(), await freePort(), await freePort()];
  const site = `http://127.0.0.1:${heraldPort}`;
  const privateSite = `http://127.0.0.1:${privatePort}`;
  const config = {
    clientId: 'herald',
    clientSecret: 'provider-secret-for-tests',
    redirectUris: [`${site}/admin/login/sso/callback`, `${privateSite}/admin/login/sso/callback`],
    accounts,
  };
  provider = spawn(process.execPath, [join(root, 'tests/e2e/openid-provider.mjs'), String(providerPort), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  provider.stdout!.on('data', (chunk) => (providerLog += chunk));
  provider.stderr!.on('data', (chunk) => (providerLog += chunk));
  for (const deadline = Date.now() + 20_000; !providerLog.includes('listening'); await new Promise((r) => setTimeout(r, 50))) {
    if (provider.exitCode !== null || Date.now() > deadline) throw new Error(`the OpenID provider did not start:\n${providerLog}`);
  }
  const oidc = {
    OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
    OIDC_CLIENT_ID: config.clientId,
    OIDC_CLIENT_SECRET: config.clientSecret,
    OIDC_NAME: 'TestID',
    OIDC_EMAIL_DOMAINS: 'example.com',
    OIDC_ROLE_CLAIM: 'groups',
    OIDC_OWNER_VALUES: 'herald-owners',
    OIDC_EDITOR_VALUES: 'herald-editors',
  };
  server = await startServer({ PORT: String(heraldPort), SITE_URL: site, HERALD_WORKER: '0', ...oidc, OIDC_PASSWORD_LOGIN: '0' });
  const content = join(mkdtempSync(join(tmpdir(), 'herald-sso-private-')), 'content');
  cpSync(join(root, 'content'), content, { recursive: true });
  appendFileSync(join(content, 'page.yml'), '\nvisibility: private\nreaders:\n  email_domains: [example.com]\n');
  privateServer = await startServer({ PORT: String(privatePort), SITE_URL: privateSite, HERALD_WORKER: '0', CONTENT_DIR: content, ...oidc });
  const db = openDatabase(server.db);
  try {
    const actor = { label: 'sso suite', userId: null };
    await createStaff(db, actor, { email: 'dave@example.com', name: 'Dave', role: 'editor', password });
    // Outside the sign-on domain: logs in with a password, as the docs advise one owner to.
    await createStaff(db, actor, { email: 'outside@other.example', name: 'Outside', role: 'editor', password });
    // Frank's address already signs on as another identity (a recycled address).
    await createStaff(db, actor, { email: 'frank@example.com', name: 'Frank (old)', role: 'editor', password });
    db.$client.prepare("UPDATE users SET sso_subject = 'http://127.0.0.1:1 frank-before' WHERE email = 'frank@example.com'").run();
  } finally {
    db.$client.close();
  }
});

test.afterAll(async () => {
  await server?.stop();
  await privateServer?.stop();
  provider?.kill();
});

/** The provider's own pages: its login form (any password) and its consent. */
async function signOnAs(page: Page, account: keyof typeof accounts) {
  await page.goto(`${server.url}/admin/login`);
  await page.getByRole('link', { name: 'Log in with TestID' }).click();
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/interaction/`));
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const consent = page.getByRole('button', { name: 'Continue' });
  if (await consent.isVisible().catch(() => false)) await consent.click();
}

/**
 * The same sign-on, driven over HTTP with the browser's cookies (page.request
 * shares them), stopping where the provider sends the browser back: returns
 * that address (with its code, unspent) and leaves the flow's cookie in place.
 */
async function answerWithoutFollowing(page: Page, account: keyof typeof accounts): Promise<string> {
  const callback = `${server.url}/admin/login/sso/callback`;
  let next = `${server.url}/admin/login/sso`;
  for (let step = 0; step < 12; step++) {
    const response = await page.request.get(next, { maxRedirects: 0 });
    const location = response.headers().location;
    if (location) {
      next = new URL(location, next).href;
      if (next.startsWith(callback)) return next;
      continue;
    }
    // The provider's login or consent page: send its form as the browser would.
    const html = await response.text();
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1], next).href;
    const form: Record<string, string> = html.includes('name="login"') ? { prompt: 'login', login: account, password: 'anything' } : { prompt: 'consent' };
    const sent = await page.request.post(action, { form, maxRedirects: 0 });
    next = new URL(sent.headers().location!, action).href;
    if (next.startsWith(callback)) return next;
  }
  throw new Error('the provider never sent the browser back');
}

function audit(action: string): { actor: string; target: string | null; detail: string | null }[] {
  const db = openReadOnly(server.db);
  try {
    return db.prepare('SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY id').all(action) as { actor: string; target: string | null; detail: string | null }[];
  } finally {
    db.close();
  }
}

test('a new editor signs on, appears in the users list and the audit log, and the groups decide the role', async ({ page, browser }) => {
  await signOnAs(page, 'alice');
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByText('alice@example.com')).toBeVisible();
  expect(audit('user.create').map((a) => [a.target, a.actor])).toContainEqual(['alice@example.com', 'alice@example.com (single sign-on)']);

  // Dave had an account with a password: linked by his verified email, and made owner by his group.
  const other = await browser.newPage();
  try {
    await signOnAs(other, 'dave');
    await expect(other).toHaveURL(/\/admin$/);
    await other.goto(`${server.url}/admin/users`);
    const alice = other.getByRole('row', { name: /alice@example\.com/ });
    await expect(alice).toContainText('editor');
    await expect(alice).toContainText('single sign-on');
    await expect(other.getByRole('row', { name: /dave@example\.com/ })).toContainText('owner');
  } finally {
    await other.close();
  }
  expect(audit('user.sso_linked').map((a) => a.target)).toEqual(expect.arrayContaining(['alice@example.com', 'dave@example.com']));
  expect(audit('user.role')).toContainEqual(expect.objectContaining({ target: 'dave@example.com', detail: JSON.stringify({ from: 'editor', to: 'owner' }) }));
});

test('an answer with another state is refused before its code is spent, and the same code twice is refused by the provider', async ({ page, context }) => {
  const answer = await answerWithoutFollowing(page, 'alice');
  expect(answer).toContain('code=');
  const flow = (await context.cookies()).find((c) => c.name === 'herald_sso')!;
  expect(flow, 'the flow cookie').toBeDefined();

  const tampered = new URL(answer);
  tampered.searchParams.set('state', 'not-this-browsers-state');
  await page.goto(tampered.href);
  await expect(page).toHaveURL(/\/admin\/login\?sso=state$/);
  await expect(page.getByRole('alert')).toContainText('does not belong to the login this browser started');

  // The untouched answer still works: the refused one never reached the provider.
  await page.goto(answer);
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole('button', { name: 'Log out' }).click();

  // The same code again, with the flow's cookie put back: the provider refuses a code used once.
  await context.addCookies([flow]);
  await page.goto(answer);
  await expect(page).toHaveURL(/\/admin\/login\?sso=exchange$/);
  await expect(page.getByRole('alert')).toContainText('did not confirm that login');
  expect(providerLog).toMatch(/grant\.error: .*(invalid_grant|grant request is invalid)/);
  // Without the cookie at all (another browser): nothing to finish.
  await context.clearCookies();
  await page.goto(answer);
  await expect(page).toHaveURL(/\/admin\/login\?sso=expired$/);
});

test('a domain that is not allowed, a group that is not mapped, an unverified email and an address linked to someone else are refused, and the audit log says so', async ({ page }) => {
  for (const [account, reason, text] of [
    ['bob', 'domain', 'Accounts of that email domain cannot sign on here'],
    ['carol', 'role', 'not in a group that may use this console'],
    ['erin', 'unverified', 'has not verified your email address'],
    ['frank', 'linked', 'signs on as someone else at the provider'],
  ] as const) {
    await signOnAs(page, account);
    await expect(page).toHaveURL(new RegExp(`/admin/login\\?sso=${reason}$`));
    await expect(page.getByRole('alert')).toContainText(text);
    await page.context().clearCookies();
  }
  expect(audit('login.sso_refused').map((a) => JSON.parse(a.detail!).reason)).toEqual(['domain', 'role', 'unverified', 'linked']);
  const db = openReadOnly(server.db);
  try {
    expect(db.prepare("SELECT count(*) FROM users WHERE email IN ('bob@elsewhere.example', 'carol@example.com', 'erin@example.com')").pluck().get()).toBe(0);
    expect(db.prepare("SELECT sso_subject FROM users WHERE email = 'frank@example.com'").pluck().get()).toBe('http://127.0.0.1:1 frank-before');
  } finally {
    db.close();
  }
});

test('password login is off for the sign-on domain, however the address is spelled; guesses are not even counted', async ({ page }) => {
  // Twelve wrong passwords would lock the account if they were checked.
  for (let i = 0; i < 12; i++) {
    const refused = await page.request.post(`${server.url}/admin/login`, { form: { email: 'dave@example.com', password: `wrong ${i}` }, headers: { Origin: server.url }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
  }
  const db = openReadOnly(server.db);
  try {
    expect(db.prepare('SELECT count(*) FROM login_failures').pluck().get()).toBe(0);
  } finally {
    db.close();
  }
  // The right password under other spellings of the domain (full-width letters, an ideographic dot, spaces): refused too.
  for (const spelling of ['dave@ｅｘａｍｐｌｅ.com', 'dave@example。com', `${' '.repeat(250)}dave@example.com`, 'DAVE@Example.COM']) {
    const refused = await page.request.post(`${server.url}/admin/login`, { form: { email: spelling, password }, headers: { Origin: server.url }, maxRedirects: 0 });
    expect(refused.status(), spelling).toBe(403);
  }
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('dave@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Accounts of this email domain log in with TestID');
  await expect(page.getByLabel('Email')).toHaveValue('dave@example.com');
  // The provider still lets Dave in, and no lock was started by the refusals.
  await signOnAs(page, 'dave');
  await expect(page).toHaveURL(/\/admin$/);
  expect(audit('login.locked')).toEqual([]);
});

test("the owners' two-factor rule leaves sign-on sessions to the provider's own factors", async ({ page }) => {
  const db = openDatabase(server.db);
  try {
    db.$client.prepare("INSERT INTO settings (key, value) VALUES ('two-factor-required', 'everyone') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  } finally {
    db.$client.close();
  }
  await signOnAs(page, 'alice');
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${server.url}/admin/incidents/new`);
  await expect(page).toHaveURL(/\/admin\/incidents\/new$/);
  // A password session under the same rule is sent to set up a factor first.
  await page.context().clearCookies();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('outside@other.example');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/account\/two-factor$/);
});

test('a disabled account stays out, though the provider still knows it', async ({ page }) => {
  const db = openDatabase(server.db);
  try {
    db.$client.prepare("UPDATE users SET disabled_at = 1 WHERE email = 'alice@example.com'").run();
  } finally {
    db.$client.close();
  }
  await signOnAs(page, 'alice');
  await expect(page).toHaveURL(/\/admin\/login\?sso=disabled$/);
  await expect(page.getByRole('alert')).toContainText('That account is disabled.');
});

test("a private page's reader signs on with the provider, as an address of its reader domains; others are sent back", async ({ page }) => {
  const signOn = async (account: keyof typeof accounts) => {
    await page.context().clearCookies();
    await page.goto(`${privateServer.url}/incidents/2026-09-19-database-corruption-outage`);
    await expect(page).toHaveURL(/\/reader\/login\?next=/);
    await page.getByRole('link', { name: 'Sign in with TestID' }).click();
    await page.locator('input[name="login"]').fill(account);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    if (await consent.isVisible().catch(() => false)) await consent.click();
  };
  await signOn('carol'); // of the reader domain, whatever her groups: readers need no role
  await expect(page).toHaveURL(`${privateServer.url}/incidents/2026-09-19-database-corruption-outage`);
  await page.goto(`${privateServer.url}/reader`);
  await expect(page.getByText('You are signed in as a reader (carol@example.com).')).toBeVisible();
  // No staff account came of it.
  const db = openReadOnly(privateServer.db);
  try {
    expect(db.prepare("SELECT count(*) FROM users WHERE email = 'carol@example.com'").pluck().get()).toBe(0);
  } finally {
    db.close();
  }
  for (const outsider of ['bob', 'erin'] as const) {
    await signOn(outsider);
    await expect(page).toHaveURL(/\/reader\/login\?sso=refused$/);
    await expect(page.getByRole('alert')).toContainText('That sign-on did not let you read this page');
    expect((await page.request.get(`${privateServer.url}/feed.xml`, { maxRedirects: 0 })).status()).toBe(401);
  }
});
