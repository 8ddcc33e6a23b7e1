// A visitor subscribes on the page, confirms from the mail, gets the next
// update, unsubscribes in one click from the mail's header, and gets nothing
// more. A real SMTP server on loopback receives everything; Herald runs with it.
import Database from 'better-sqlite3';
import type { ParsedMail } from 'mailparser';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { expect, test } from './fixtures';
import { herald, outboxSettled, startServer, type RunningServer } from './server';

let sink: SmtpSink;
let server: RunningServer;

test.beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startServer({ SMTP_URL: sink.url, MAIL_RETRY_MIN_SECONDS: '0.2' });
});
test.afterAll(async () => {
  await server?.stop();
  await sink?.close();
});

const linkIn = (mail: ParsedMail, path: string) => {
  const match = new RegExp(`(http://127\\.0\\.0\\.1:\\d+${path}\\?s=\\d+&t=[\\w-]+)`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[1];
};
/** Confirmed subscribers, read from the database file: no public page says how many there are. */
const confirmedSubscribers = () => {
  const db = new Database(server.db, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM subscribers WHERE confirmed_at IS NOT NULL').pluck().get();
  } finally {
    db.close();
  }
};
const rawHeader = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');

test('subscribe, confirm, receive an update, one-click unsubscribe, receive nothing more', async ({ page, request }) => {
  await page.goto(server.url);
  await expect(page.locator('.subscribe')).not.toContainText(/\d+ (people|person) follow/);
  expect(confirmedSubscribers()).toBe(0);
  await page.getByLabel('Email address').fill('reader@example.com');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');

  await sink.waitFor(1);
  const confirmation = sink.to('reader@example.com')[0];
  expect(confirmation.subject).toBe('[Example Mail status] Confirm your subscription');
  await page.goto(linkIn(confirmation, '/subscribe/confirm'));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are subscribed');
  expect(confirmedSubscribers()).toBe(1);

  const slug = herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'minor', '--component', 'webmail', '--message', 'Pages load **slowly**.').split('\n')[0];
  await sink.waitFor(2);
  const notification = sink.to('reader@example.com')[1];
  expect(notification.subject).toBe('[Example Mail status] Webmail slow — Investigating');
  expect(notification.html).toContain('<strong>slowly</strong>');
  expect(notification.text).toContain(`${server.url}/incidents/${slug}`);

  // What a mail client does with List-Unsubscribe-Post: a bare POST, no cookies, no Origin.
  const unsubscribeUrl = rawHeader(notification, 'list-unsubscribe')!.replace(/^<|>$/g, '');
  expect(rawHeader(notification, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  // A mangled link deletes nothing and says so, rather than claiming an unsubscribe.
  const mangled = unsubscribeUrl.replace(/([?&]t=)([^&]+)/, (_, key: string, token: string) => `${key}${token.slice(0, -2)}xx`);
  expect(mangled).not.toBe(unsubscribeUrl);
  const wrong = await request.post(mangled, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(wrong.status()).toBe(404);
  expect(await wrong.text()).toContain('This link does not work');
  expect(confirmedSubscribers()).toBe(1);
  const oneClick = await request.post(unsubscribeUrl, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(oneClick.status()).toBe(200);
  expect(await oneClick.text()).toContain('You are unsubscribed');
  // Clicked again: honest about it, nothing claimed.
  expect((await request.post(unsubscribeUrl, { form: { 'List-Unsubscribe': 'One-Click' } })).status()).toBe(404);

  herald(server.db, 'incident', 'resolve', slug, '--message', 'Fast again.');
  await outboxSettled(server.db);
  expect(sink.to('reader@example.com')).toHaveLength(2);
  expect(confirmedSubscribers()).toBe(0);
});

test('the form never says whether an address is subscribed, and keeps a bad address to fix', async ({ page }) => {
  await page.goto(`${server.url}/components/dns`);
  await page.getByLabel('Email address').fill('twice@example.com');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  const first = await page.locator('main').textContent();
  await page.goto(`${server.url}/components/dns`);
  await page.getByLabel('Email address').fill('twice@example.com');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  expect(await page.locator('main').textContent()).toBe(first);

  const response = await page.request.post(`${server.url}/subscribe`, { form: { email: 'not an address' }, headers: { Origin: server.url } });
  expect(response.status()).toBe(422);
  const html = await response.text();
  expect(html).toContain('is not an email address');
  expect(html).toContain('value="not an address"');
});

test('a stranger cannot flood an inbox through the form, nor subscribe without end', async ({ request }) => {
  // A server of its own, so this client's count starts at zero: 10 requests an hour, 3 mails a day to one address.
  const fresh = await startServer({ SMTP_URL: sink.url, MAIL_RETRY_MIN_SECONDS: '0.2' });
  try {
    const post = (email: string) => request.post(`${fresh.url}/subscribe`, { form: { email }, headers: { Origin: fresh.url } });
    // Six asks for one address: each answered alike (saying nothing of a limit on someone else's inbox), three mails sent.
    for (let n = 0; n < 6; n++) expect((await post('flooded@example.com')).status()).toBe(200);
    // Four more addresses take this client to its 10 an hour; the 11th request is refused, and says so.
    for (let n = 0; n < 4; n++) expect((await post(`other${n}@example.com`)).status()).toBe(200);
    const refused = await post('one-too-many@example.com');
    expect(refused.status()).toBe(429);
    await outboxSettled(fresh.db);
    expect(sink.to('flooded@example.com')).toHaveLength(3);
    expect(sink.to('one-too-many@example.com')).toHaveLength(0);
  } finally {
    await fresh.stop();
  }
});
