// A team subscribes its Discord channel from the page without JavaScript,
// confirms from the message posted in the channel, gets only the updates of
// the component it chose in Discord's format, and leaves with the link in the
// message; staff see the channel in the console and subscribe a Slack channel
// for a customer. The receivers are real HTTP servers on loopback that check
// each platform's payload shape.
import { startChatReceivers, type ChatPost, type ChatReceivers } from '../helpers/chat-receivers';
import { expect, test } from './fixtures';
import { herald, logInAsOwner, outboxSettled, startServer, type RunningServer } from './server';

let receivers: ChatReceivers;
let server: RunningServer;

test.beforeAll(async () => {
  receivers = await startChatReceivers();
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: '1' });
});
test.afterAll(async () => {
  await server?.stop();
  await receivers?.close();
});

/** A link in a post, on the server under test (messages carry SITE_URL's origin). */
function linkIn(post: ChatPost, path: string): string {
  const found = JSON.stringify(post.json).match(new RegExp(`https?://[^"<>)|\\s]+${path.replace('/', '\\/')}\\?[^"<>)|\\s]+`));
  if (!found) throw new Error(`no ${path} link in ${JSON.stringify(post.json)}`);
  const url = new URL(found[0].replace(/&amp;/g, '&').replace(/\\u0026/g, '&'));
  return `${server.url}${url.pathname}${url.search}`;
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('subscribe a Discord channel, confirm it from the channel, get one component’s updates, unsubscribe from the message', async ({ page }) => {
    const url = receivers.urlFor('discord');
    await page.goto(server.url);
    await page.locator('.subscribe').getByRole('link', { name: 'chat' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Slack, Teams, Discord');
    await page.getByLabel('Incoming-webhook URL').fill(url);
    await page.getByLabel('Web interface').check();
    await page.getByRole('button', { name: 'Subscribe the channel' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm it in the channel');
    await expect(page.locator('#chat-posted')).toContainText(/Discord channel \(127\.0\.0\.1:\d+ …\w{4}\)/);
    // The URL is a secret: the answer never shows it.
    await expect(page.getByRole('main')).not.toContainText(new URL(url).pathname);

    await receivers.waitFor(() => receivers.postsTo(url).length === 1);
    const confirmation = receivers.postsTo(url)[0];
    expect(confirmation.json.embeds[0].title).toMatch(/status updates here\?/);
    // Nothing but the confirmation until someone in the channel confirms.
    herald(server.db, 'incident', 'create', '--title', 'Early', '--impact', 'minor', '--component', 'webmail', '--message', 'Too early.');
    await outboxSettled(server.db);
    expect(receivers.postsTo(url)).toHaveLength(1);

    await page.goto(linkIn(confirmation, '/subscribe/confirm'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are subscribed');
    await expect(page.getByRole('main')).toContainText('Discord channel');

    herald(server.db, 'incident', 'create', '--title', 'DNS blip', '--impact', 'minor', '--component', 'dns', '--message', 'Resolving slowly.');
    herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'major', '--component', 'webmail', '--message', 'Pages load **slowly** @everyone.');
    await receivers.waitFor(() => receivers.postsTo(url).length === 2);
    await outboxSettled(server.db);
    const [, update] = receivers.postsTo(url);
    expect(receivers.postsTo(url)).toHaveLength(2);
    expect(update.json.embeds[0]).toMatchObject({ title: 'Webmail slow', color: 0xd1580f });
    expect(update.json.embeds[0].description).toContain('**slowly** @\u2060everyone');
    expect(update.json.allowed_mentions).toEqual({ parse: [] });
    expect(receivers.problems).toEqual([]);

    await page.goto(linkIn(update, '/unsubscribe'));
    await expect(page.getByRole('main')).toContainText('Discord channel');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed');
    herald(server.db, 'incident', 'create', '--title', 'After', '--impact', 'minor', '--component', 'webmail', '--message', 'Nobody hears this.');
    await outboxSettled(server.db);
    expect(receivers.postsTo(url)).toHaveLength(2);
  });

  test('a URL that does not say its platform asks for it, keeping what was typed', async ({ page }) => {
    await page.goto(`${server.url}/subscribe/chat`);
    const url = `${receivers.origin}/custom/incoming`;
    await page.getByLabel('Incoming-webhook URL').fill(url);
    await page.getByRole('button', { name: 'Subscribe the channel' }).click();
    await expect(page.locator('#platform-error')).toContainText('choose the chat platform');
    await expect(page.getByLabel('Incoming-webhook URL')).toHaveValue(url);
    await page.getByRole('radio', { name: 'Mattermost' }).check();
    await page.getByRole('button', { name: 'Subscribe the channel' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm it in the channel');
    await expect(page.locator('#chat-posted')).toContainText('Mattermost channel');
  });
});

test('staff subscribe a Slack channel for a customer and see every channel with its last delivery', async ({ page }) => {
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/admin/subscribers`);
  const url = receivers.urlFor('slack');
  await page.getByLabel('Incoming-webhook URL').fill(url);
  await page.getByRole('button', { name: 'Post the confirmation' }).click();
  await expect(page.getByRole('status').or(page.locator('.notice'))).toContainText('A confirmation was posted to the Slack channel');
  await receivers.waitFor(() => receivers.postsTo(url).length === 1);
  expect(receivers.postsTo(url)[0].json.blocks[0].text.text).toMatch(/status updates here\?/);
  const table = page.getByRole('table').filter({ hasText: 'Last delivery' });
  await page.reload();
  await expect(table).toContainText(/Slack channel \(127\.0\.0\.1:\d+ …\w{4}\)/);
  await expect(table).toContainText('not confirmed');
  await expect(page.getByRole('main')).not.toContainText(new URL(url).pathname);
  // The audit log names the channel by its mask only.
  await page.goto(`${server.url}/admin/audit`);
  await expect(page.getByRole('main')).toContainText('subscribers.chat-add');
});
