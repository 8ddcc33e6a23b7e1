// A developer subscribes a webhook on the page, keeps the secret it shows
// once, receives a signed POST for the next update at a real HTTP receiver on
// loopback, then ends the subscription with the link it was given.
import { startWebhookReceiver, verifyHeraldSignature, type WebhookReceiver } from '../helpers/webhook-receiver';
import { expect, test } from './fixtures';
import { herald, outboxSettled, startServer, type RunningServer } from './server';

let receiver: WebhookReceiver;
let server: RunningServer;

test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // The receiver is on loopback, which Herald refuses unless told otherwise.
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: '1', MAIL_RETRY_MIN_SECONDS: '0.2' });
});
test.afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

test('subscribe a webhook, receive a signed update, unsubscribe, receive nothing more', async ({ page }) => {
  await page.goto(server.url);
  await page.locator('.subscribe').getByRole('link', { name: 'webhook' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Get updates by webhook');
  await page.getByLabel('Webhook URL').fill(`${receiver.url}/status-hook`);
  await page.getByLabel('Web interface').check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Webhook subscribed');
  const secret = (await page.locator('#webhook-secret').textContent())!.trim();
  const manage = (await page.locator('#webhook-manage').getAttribute('href'))!;
  expect(secret.length).toBeGreaterThanOrEqual(40);

  // Not about the component it follows: nothing arrives.
  herald(server.db, 'incident', 'create', '--title', 'DNS blip', '--impact', 'minor', '--component', 'dns', '--message', 'Resolving slowly.');
  const slug = herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'minor', '--component', 'webmail', '--message', 'Pages load **slowly**.').split('\n')[0];
  await receiver.waitFor(1);
  const [hook] = receiver.received;
  expect(hook.path).toBe('/status-hook');
  expect(verifyHeraldSignature(secret, hook.headers['herald-signature'] as string, hook.body)).toBe(true);
  expect(hook.json).toMatchObject({ event: 'incident.updated', incident: { id: slug, name: 'Webmail slow' }, update: { body: 'Pages load **slowly**.' } });

  await page.goto(manage);
  await expect(page.getByRole('main')).toContainText(`${receiver.url}/status-hook`);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed');

  herald(server.db, 'incident', 'resolve', slug, '--message', 'Fast again.');
  await outboxSettled(server.db);
  expect(receiver.received).toHaveLength(1);
});

test('a URL on the server’s own network is refused, with what was typed kept next to the error', async ({ page }) => {
  const strict = await startServer();
  try {
    await page.goto(`${strict.url}/subscribe/webhook`);
    await page.getByLabel('Webhook URL').fill('http://169.254.169.254/latest/meta-data');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect(page.locator('#url-error')).toContainText('169.254.169.254, which is not a public address');
    await expect(page.getByLabel('Webhook URL')).toHaveValue('http://169.254.169.254/latest/meta-data');
  } finally {
    await strict.stop();
  }
});
