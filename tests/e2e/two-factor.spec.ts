// Two-factor login in Chromium against the built server, on a server of its
// own (SECRETS_KEY set, so keys are sealed as in production): setting up an
// authenticator app from the QR code the page shows (decoded here), logging
// in with codes computed in the test, a code refused the second time,
// recovery codes used once, the owners' rule walking an account through
// set-up, an owner's reset, and the CLI's reset for the last owner.
import { randomBytes } from 'node:crypto';
import jsQR from 'jsqr';
import type { Browser, Page } from '@playwright/test';
import { createStaff } from '../../src/lib/server/accounts/accounts';
import { openDatabase } from '../../src/lib/server/db';
import { appCode } from '../helpers/authenticator';
import { openReadOnly, startAttackServer, type AttackServer } from './attack-helpers';
import { expect, test } from './fixtures';
import { herald } from './server';

test.describe.configure({ mode: 'serial' });

let target: AttackServer;
const staffPassword = 'correct horse battery staple';

test.beforeAll(async () => {
  target = await startAttackServer({ HERALD_WORKER: '0', SECRETS_KEY: randomBytes(32).toString('base64') });
  const db = openDatabase(target.server.db);
  try {
    for (const email of ['ed@example.com', 'new@example.com', 'lost@example.com']) {
      await createStaff(db, { label: 'two-factor suite', userId: null }, { email, role: 'editor', password: staffPassword });
    }
  } finally {
    db.$client.close();
  }
});

test.afterAll(async () => {
  await target?.server.stop();
});

async function logInWithPassword(page: Page, email: string, password = staffPassword) {
  await page.goto(`${target.url}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
}

/** The QR code on the page, decoded as a phone's camera would: drawn to a canvas in a blank page, read with jsQR. */
async function scanQr(page: Page, browser: Browser): Promise<string> {
  const png = (await page.locator('.qr svg').screenshot()).toString('base64');
  const blank = await browser.newPage();
  try {
    const image = await blank.evaluate(async (data) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      return { width: img.width, height: img.height, pixels: Array.from(context.getImageData(0, 0, img.width, img.height).data) };
    }, png);
    const decoded = jsQR(Uint8ClampedArray.from(image.pixels), image.width, image.height);
    expect(decoded, 'the QR code decodes').not.toBeNull();
    return decoded!.data;
  } finally {
    await blank.close();
  }
}

/** Sets up an authenticator app on the two-factor page the browser is on; returns its key and the recovery codes shown. */
async function setUpApp(page: Page, browser: Browser, password = staffPassword) {
  const uri = new URL(await scanQr(page, browser));
  const key = uri.searchParams.get('secret')!;
  expect(uri.protocol).toBe('otpauth:');
  // What the page prints for typing in is the same key.
  expect((await page.locator('#totp-key').innerText()).replace(/\s/g, '')).toBe(key);
  await page.getByLabel('Code from the app', { exact: true }).fill(appCode(key));
  await page.getByLabel('Current password').last().fill(password);
  await page.getByRole('button', { name: /Turn on two-factor login|Replace the app/ }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  const codes = await page.locator('.recovery-codes li').allInnerTexts();
  expect(codes).toHaveLength(10);
  return { key, codes, uri };
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('Code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('an editor sets up an app from its QR code, logs in with its codes once each, and with recovery codes once each', async ({ page, browser }) => {
  await logInWithPassword(page, 'ed@example.com');
  await page.goto(`${target.url}/admin/account`);
  await expect(page.getByText('Off: your password alone logs in')).toBeVisible();
  await page.getByRole('link', { name: 'Set up two-factor login' }).click();

  // A wrong code keeps the same key (no second scan), with the error by the field.
  const firstUri = await scanQr(page, browser);
  await page.getByLabel('Code from the app', { exact: true }).fill('000000');
  await page.getByLabel('Current password').last().fill(staffPassword);
  await page.getByRole('button', { name: 'Turn on two-factor login' }).click();
  await expect(page.locator('#code-error')).toContainText('not the one your app shows');
  expect(await scanQr(page, browser)).toBe(firstUri);

  const { key, codes, uri } = await setUpApp(page, browser);
  expect(uri.toString()).toBe(firstUri);
  expect(decodeURIComponent(uri.pathname)).toContain('ed@example.com');
  await page.goto(`${target.url}/admin/account`);
  await expect(page.getByText('On: an authenticator app asks for a code after your password, with 10 recovery codes left.')).toBeVisible();
  // The key is sealed with SECRETS_KEY in the database.
  const db = openReadOnly(target.server.db);
  try {
    expect(db.prepare('SELECT secret FROM totp_factors').pluck().get()).toMatch(/^sealed:v1:/);
  } finally {
    db.close();
  }
  await logOut(page);

  // The password alone no longer logs in: a code is asked for.
  await logInWithPassword(page, 'ed@example.com');
  await expect(page.getByLabel('Code from your authenticator app')).toBeFocused();
  await expect(page).toHaveURL(/\/admin\/login$/);
  const next = appCode(key, Date.now() + 30_000); // the set-up used this step's code already
  await enterCode(page, next);
  await expect(page).toHaveURL(/\/admin$/);
  await logOut(page);

  // The same code again is refused, even with the right password before it.
  await logInWithPassword(page, 'ed@example.com');
  await enterCode(page, next);
  await expect(page.getByRole('alert')).toContainText('That code is not right, or was used already');
  await expect(page.getByLabel('Code from your authenticator app')).toBeVisible();

  // A recovery code instead, typed in capitals: once.
  await enterCode(page, codes[0].toUpperCase());
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${target.url}/admin/audit`);
  await expect(page.getByText('login.recovery_code').first()).toBeVisible();
  await logOut(page);
  await logInWithPassword(page, 'ed@example.com');
  await enterCode(page, codes[0]);
  await expect(page.getByRole('alert')).toContainText('That code is not right');
  await enterCode(page, codes[1]);
  await expect(page).toHaveURL(/\/admin$/);

  // New recovery codes take the password and a code: a wrong one is refused beside its field.
  await page.goto(`${target.url}/admin/account/two-factor`);
  await expect(page.getByText('8 of 10 recovery codes are left.')).toBeVisible();
  await page.locator('#codes-current').fill(staffPassword);
  await page.locator('#codes-factor').fill(codes[0]);
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(page.locator('#codes-factor-error')).toContainText('recovery codes');
  await expect(page.locator('#codes-factor')).toHaveAttribute('aria-describedby', 'codes-factor-error');
  await page.locator('#codes-current').fill(staffPassword);
  await page.locator('#codes-factor').fill(codes[2]);
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  const fresh = await page.locator('.recovery-codes li').allInnerTexts();
  expect(fresh).toHaveLength(10);
  expect(fresh).not.toContain(codes[3]);
});

test('a login half done cannot be finished by another browser, nor by a made-up challenge', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logInWithPassword(page, 'ed@example.com');
  await expect(page.getByLabel('Code from your authenticator app')).toBeVisible();
  // Another browser posts a code without the challenge's cookie: asked for the password again.
  const stranger = await browser.newContext();
  const response = await stranger.request.post(`${target.url}/admin/login`, { form: { code: '123456' }, headers: { Origin: target.url }, maxRedirects: 0 });
  expect(response.status()).toBe(401);
  expect(await response.text()).toContain('This login has expired');
  // The challenge's cookie is HttpOnly and SameSite=Strict.
  const cookie = (await context.cookies()).find((c) => c.name === 'herald_login')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  await Promise.all([context.close(), stranger.close()]);
});

test('the owners require a second factor: a new account is walked through set-up before anything else', async ({ page, browser }) => {
  await logInWithPassword(page, 'admin@example.com', target.password);
  await page.goto(`${target.url}/admin/users`);
  await page.getByLabel('Who must have a second factor').selectOption('everyone');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await expect(page.getByText('Two-factor rule saved.')).toBeVisible();
  // The owner has none yet either: from now on the console sends them to set one up.
  await page.goto(`${target.url}/admin/incidents/new`);
  await expect(page).toHaveURL(/\/admin\/account\/two-factor$/);
  await setUpApp(page, browser, target.password);
  await page.getByRole('link', { name: 'Go on to the console' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await logOut(page);

  await logInWithPassword(page, 'new@example.com');
  await expect(page).toHaveURL(/\/admin\/account\/two-factor$/);
  await expect(page.getByText('Set up two-factor login to go on.')).toBeVisible();
  // Every other page leads back here; a form posted elsewhere is refused with what was typed kept.
  await page.goto(`${target.url}/admin/incidents/new`);
  await expect(page).toHaveURL(/\/admin\/account\/two-factor$/);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const refused = await page.request.post(`${target.url}/admin/incidents/new`, { form: { csrf, title: 'Typed before set-up' }, headers: { Origin: target.url }, maxRedirects: 0 });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain('Typed before set-up');
  // Turning it off is not offered, and refused if asked for.
  const { key } = await setUpApp(page, browser);
  await page.goto(`${target.url}/admin/account/two-factor`);
  await expect(page.getByText('the app cannot be turned off')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Turn off two-factor login' })).toHaveCount(0);
  const off = await page.request.post(`${target.url}/admin/account/two-factor`, { form: { csrf: await page.locator('input[name=csrf]').first().inputValue(), intent: 'off', current: staffPassword }, headers: { Origin: target.url } });
  expect(off.status()).toBe(409);
  await page.goto(`${target.url}/admin/incidents/new`);
  await expect(page).toHaveURL(/\/admin\/incidents\/new$/);
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
});

test("an owner resets a lost factor; the CLI resets the last owner's", async ({ page, browser }) => {
  // lost@ sets up an app (the rule asks everyone now), then loses the phone.
  await logInWithPassword(page, 'lost@example.com');
  await setUpApp(page, browser);
  await page.getByRole('link', { name: 'Go on to the console' }).click();
  await logOut(page);
  await logInWithPassword(page, 'lost@example.com');
  await expect(page.getByLabel('Code from your authenticator app')).toBeVisible();

  const owner = await browser.newPage();
  await owner.goto(`${target.url}/admin/login`);
  await owner.getByLabel('Email').fill('admin@example.com');
  await owner.getByLabel('Password').fill(target.password);
  await owner.getByRole('button', { name: 'Log in' }).click();
  // The owner is asked for their own code: only the CLI gets them in without it.
  await expect(owner.getByLabel('Code from your authenticator app')).toBeVisible();
  expect(herald(target.server.db, 'user', 'reset-2fa', 'admin@example.com')).toContain('Reset two-factor login of admin@example.com');
  await owner.goto(`${target.url}/admin/login`);
  await owner.getByLabel('Email').fill('admin@example.com');
  await owner.getByLabel('Password').fill(target.password);
  await owner.getByRole('button', { name: 'Log in' }).click();
  // In with the password, and (the rule still asks) sent to set up a new app.
  await expect(owner).toHaveURL(/\/admin\/account\/two-factor$/);
  await setUpApp(owner, browser, target.password);

  await owner.goto(`${target.url}/admin/users`);
  // Not on the owner's own row: a borrowed session must not shed the owner's factor or issue itself a password.
  const own = owner.getByRole('row').filter({ hasText: 'admin@example.com' });
  await expect(own.getByRole('button', { name: 'Reset two-factor' })).toHaveCount(0);
  await expect(own.getByRole('button', { name: 'New password' })).toHaveCount(0);
  const row = owner.getByRole('row').filter({ hasText: 'lost@example.com' });
  await expect(row.getByRole('cell', { name: 'On', exact: true })).toBeVisible();
  await row.getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(owner.getByText('Two-factor login reset for lost@example.com')).toBeVisible();
  await owner.goto(`${target.url}/admin/audit`);
  await expect(owner.getByText('user.factors_reset').first()).toBeVisible();
  await owner.close();

  // The half-done login has ended; the password alone now leads to setting up again.
  await enterCode(page, '123456');
  await expect(page.getByRole('alert')).toContainText('This login has expired');
  await logInWithPassword(page, 'lost@example.com');
  await expect(page).toHaveURL(/\/admin\/account\/two-factor$/);
  expect(herald(target.server.db, 'user', 'list')).toMatch(/lost@example\.com\t[^\n]*\tpassword/);
});
