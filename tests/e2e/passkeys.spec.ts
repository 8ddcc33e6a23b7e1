// Passkeys in Chromium against the built server, with Chromium's own virtual
// authenticator (CDP WebAuthn.addVirtualAuthenticator): an editor adds a
// passkey and gets recovery codes, logs in with the password and then the
// passkey, logs in with the passkey alone, is refused with a key the account
// does not have, and removes the passkey with the passkey as proof. WebAuthn
// needs a secure context, so the server's SITE_URL is http://localhost:<port>
// (an IP address is not a valid relying party id). Without JavaScript the
// passkey forms stay hidden and the password still logs in.
import type { CDPSession, Page } from '@playwright/test';
import { createStaff } from '../../src/lib/server/accounts/accounts';
import { openDatabase } from '../../src/lib/server/db';
import { openReadOnly } from './attack-helpers';
import { expect, test } from './fixtures';
import { freePort, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let site: string;
/** Ed's passkey as the authenticator holds it (its private key too), to try again once Herald has forgotten it. */
let removedCredential: { credentialId: string; [key: string]: unknown };
const password = 'correct horse battery staple';

test.beforeAll(async () => {
  const port = await freePort();
  site = `http://localhost:${port}`;
  server = await startServer({ PORT: String(port), SITE_URL: site, HERALD_WORKER: '0' });
  const db = openDatabase(server.db);
  try {
    for (const email of ['ed@example.com', 'other@example.com']) await createStaff(db, { label: 'passkeys suite', userId: null }, { email, role: 'editor', password });
  } finally {
    db.$client.close();
  }
});

test.afterAll(async () => {
  await server?.stop();
});

/** A platform authenticator that keeps passkeys and verifies its user, attached to this page. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, id: authenticatorId };
}

async function logInWithPassword(page: Page, email: string) {
  await page.goto(`${site}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
}

test('an editor adds a passkey, logs in with it after the password and without the password, and removes it with it', async ({ page }) => {
  const authenticator = await addAuthenticator(page);
  await logInWithPassword(page, 'ed@example.com');
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${site}/admin/account/two-factor`);
  await expect(page.getByText('No passkey yet.')).toBeVisible();

  const add = page.locator('form[data-passkey="create"]');
  await add.getByLabel('Current password').fill(password);
  await add.getByLabel('Name').fill('Laptop');
  await add.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  expect(await page.locator('.recovery-codes li').count()).toBe(10);
  await expect(page.getByText('Passkey “Laptop” added.')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Laptop' })).toBeVisible();
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', { authenticatorId: authenticator.id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  expect(credentials[0].rpId).toBe('localhost');
  removedCredential = { ...credentials[0] };
  const db = openReadOnly(server.db);
  try {
    expect(db.prepare('SELECT id FROM passkeys').pluck().all()).toEqual([credentials[0].credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')]);
  } finally {
    db.close();
  }
  await page.goto(`${site}/admin/account`);
  await expect(page.getByText('On: a passkey answers after your password, with 10 recovery codes left.')).toBeVisible();
  await logOut(page);

  // The password alone no longer logs in: the passkey finishes it.
  await logInWithPassword(page, 'ed@example.com');
  await expect(page.getByLabel('Recovery code')).toBeVisible();
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await logOut(page);

  // The passkey alone: it verified its user, so no password is asked.
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByText('ed@example.com')).toBeVisible();

  // Removing it: the passkey is the proof (the code left empty).
  await page.goto(`${site}/admin/account/two-factor`);
  const remove = page.locator('form', { has: page.getByRole('button', { name: 'Remove the passkey' }) });
  await remove.getByLabel('Current password').fill(password);
  await remove.getByRole('button', { name: 'Remove the passkey' }).click();
  await expect(page.getByText('The passkey is removed, and with it two-factor login.')).toBeVisible();
  await expect(page.getByText('No passkey yet.')).toBeVisible();
});

test('a passkey Herald no longer has does not log in', async ({ page }) => {
  // A browser that still holds ed's removed passkey.
  const authenticator = await addAuthenticator(page);
  await authenticator.cdp.send('WebAuthn.addCredential', { authenticatorId: authenticator.id, credential: removedCredential as never });
  await page.goto(`${site}/admin/login`);
  // With the script running, the note for browsers without it is gone.
  await expect(page.getByText('Logging in with a passkey needs JavaScript')).toBeHidden();
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(page.getByRole('alert')).toContainText('That passkey is not one of an account here');
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test('an answer replayed to the login is refused', async ({ page }) => {
  await addAuthenticator(page);
  await logInWithPassword(page, 'other@example.com');
  await page.goto(`${site}/admin/account/two-factor`);
  const add = page.locator('form[data-passkey="create"]');
  await add.getByLabel('Name').fill('Phone');
  await add.getByLabel('Current password').fill(password);
  await add.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  await logOut(page);

  // Catch the form the script sends, then send the very same answer again.
  let sent: string | null = null;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/admin/login')) sent = request.postData();
  });
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  expect(sent).toContain('assertion=');
  const replay = await page.context().request.post(`${site}/admin/login`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site },
    data: sent!,
    maxRedirects: 0,
  });
  expect(replay.status()).toBe(401);
  expect(await replay.text()).toContain('That passkey is not one of an account here');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the passkey forms stay hidden, say why, and the password still logs in', async ({ page }) => {
    await page.goto(`${site}/admin/login`);
    await expect(page.getByRole('button', { name: 'Use a passkey instead' })).toBeHidden();
    await expect(page.getByText('Logging in with a passkey needs JavaScript')).toBeVisible();
    await page.getByLabel('Email').fill('ed@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto(`${site}/admin/account/two-factor`);
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeHidden();
    await expect(page.getByText('Adding a passkey needs JavaScript')).toBeVisible();
  });
});
