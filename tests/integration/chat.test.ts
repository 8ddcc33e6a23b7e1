// Chat channels below the web layer, against real HTTP receivers on loopback
// that check each platform's documented payload shape: the URL check and the
// platform it is recognised as, confirmation before anything else is posted,
// every platform's native format, escaping of mentions and links, component
// filters, 429 with Retry-After, removal when the platform says the webhook
// is gone (with the reason in the audit log), the address check at send time,
// pacing per channel, and the URL kept sealed.
import { existsSync, readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, outbox, subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { contentFolder } from '../../src/lib/server/paths';
import { createIncident, postUpdate, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { deliveryReport, queueNotification, recentJobs } from '../../src/lib/server/subscribers/outbox';
import { deleteStaleUnconfirmed } from '../../src/lib/server/subscribers/subscriptions';
import { checkChatUrl, subscribeChat } from '../../src/lib/server/subscribers/chat';
import { confirmSubscriber, listSubscribers, subscriberFromLink } from '../../src/lib/server/subscribers/subscriptions';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';
import { startChatReceivers, type ChatPost, type Platform } from '../helpers/chat-receivers';

const page = readContentFolder(contentFolder).page;
const platforms: Platform[] = ['slack', 'teams', 'discord', 'google_chat', 'mattermost'];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup({ allowPrivate = true, secretsKey }: { allowPrivate?: boolean; secretsKey?: string } = {}) {
  const receivers = await startChatReceivers();
  closers.push(() => receivers.close());
  const ctx = freshContext();
  const config = loadConfig({
    HERALD_DB: ctx.path,
    SITE_URL: 'https://status.example.com',
    MAIL_DIR: `${ctx.path}.mail`,
    MAIL_RETRY_MIN_SECONDS: '0.05',
    WEBHOOK_ALLOW_PRIVATE: allowPrivate ? '1' : '0',
    ...(secretsKey ? { SECRETS_KEY: secretsKey } : {}),
  });
  const worker = new DeliveryWorker({ ...ctx, config, page, transport: mailTransport(config.mail), idleMs: 20 });
  closers.push(() => worker.stop());
  const subscribe = async (url: string, componentIds: string[] = [], platform = '') => {
    const result = await subscribeChat(ctx.db, { url, platform, componentIds, clientAddress: `test-${Math.random()}`, allowPrivate: true, secretsKey: config.secretsKey });
    if (result === 'client_limited') throw new Error('rate limited');
    return result.subscriber;
  };
  return { ctx, config, receivers, worker, subscribe };
}

/** Runs the worker until `done` holds. */
async function deliverUntil(worker: DeliveryWorker, done: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('gave up waiting for deliveries');
    await worker.runOnce();
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Every link a post carries, whatever the platform's way of writing one. */
function linksIn(post: ChatPost): string[] {
  const text = JSON.stringify(post.json);
  const links = new Set<string>();
  for (const m of text.matchAll(/<(https?:[^|>\s]+)\|/g)) links.add(m[1]); // Slack mrkdwn
  for (const m of text.matchAll(/\]\(<([^>]+)>\)/g)) links.add(m[1]); // markdown
  for (const m of text.matchAll(/href=\\"([^"\\]+)\\"/g)) links.add(m[1].replace(/&amp;/g, '&')); // Google Chat HTML
  for (const m of text.matchAll(/"url":"([^"]+)"/g)) links.add(m[1]); // buttons, Teams actions, embed title
  for (const m of text.matchAll(/"title_link":"([^"]+)"/g)) links.add(m[1]);
  return [...links];
}

/** The confirm link in a confirmation post, as s and t. */
function confirmParams(post: ChatPost): { s: string; t: string } {
  const link = linksIn(post).find((l) => l.includes('/subscribe/confirm'));
  if (!link) throw new Error(`no confirm link in ${JSON.stringify(post.json)}`);
  const url = new URL(link.replace(/&amp;/g, '&'));
  return { s: url.searchParams.get('s')!, t: url.searchParams.get('t')! };
}

async function confirmedChannels(env: Awaited<ReturnType<typeof setup>>, which: Platform[] = platforms) {
  const urls = new Map<Platform, string>();
  for (const platform of which) {
    const url = env.receivers.urlFor(platform);
    urls.set(platform, url);
    await env.subscribe(url);
  }
  await deliverUntil(env.worker, () => [...urls.values()].every((u) => env.receivers.postsTo(u).length === 1));
  for (const url of urls.values()) {
    const { s, t } = confirmParams(env.receivers.postsTo(url)[0]);
    const subscriber = subscriberFromLink(env.ctx.db, 'confirm', s, t);
    expect(subscriber).not.toBeNull();
    confirmSubscriber(env.ctx.db, subscriber!);
  }
  return urls;
}

describe('chat webhook URLs', () => {
  it.each([
    ['https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnop', 'slack'],
    ['https://discord.com/api/webhooks/123456789012345678/abc-DEF_ghi', 'discord'],
    ['https://discordapp.com/api/webhooks/123456789012345678/abc-DEF_ghi', 'discord'],
    ['https://chat.googleapis.com/v1/spaces/AAAAxyz/messages?key=k&token=t', 'google_chat'],
    ['https://prod-12.westeurope.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x', 'teams'],
    ['https://default1234.56.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke', 'teams'],
  ])('recognises %s as %s from its host', async (url, platform) => {
    const { detectPlatform } = await import('../../src/lib/chat/platforms');
    expect(detectPlatform(new URL(url))).toEqual({ platform, certain: true });
  });

  it('recognises a self-hosted Mattermost by its path, asks when nothing says, and refuses what is not a webhook of the platform', async () => {
    const { receivers } = await setup();
    expect((await checkChatUrl(receivers.urlFor('mattermost'), '', true)).platform).toBe('mattermost');
    const refused = async (url: string, choice = '') => {
      const error = await checkChatUrl(url, choice, true).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ActionError);
      return error as ActionError;
    };
    expect((await refused(`${receivers.origin}/some/hook`)).field).toBe('platform');
    // Chosen by the visitor when the URL does not say.
    expect((await checkChatUrl(`${receivers.origin}/some/hook`, 'teams', true)).platform).toBe('teams');
    // A Slack URL that is not /services/… could never work; the choice cannot override the host.
    expect((await refused(`${receivers.origin}/services/x`, 'slack')).message).toMatch(/not a Slack incoming-webhook URL/);
    // Loopback without WEBHOOK_ALLOW_PRIVATE: refused.
    const error = await checkChatUrl(receivers.urlFor('slack'), '', false).then(() => null, (e: unknown) => e);
    expect((error as ActionError).message).toMatch(/public internet/);
  });
});

describe('chat delivery', () => {
  it('posts a confirmation first, nothing else until it is confirmed, then every platform gets updates in its own format', async () => {
    const env = await setup();
    const urls = new Map<Platform, string>();
    for (const platform of platforms) {
      urls.set(platform, env.receivers.urlFor(platform));
      await env.subscribe(urls.get(platform)!);
    }
    await deliverUntil(env.worker, () => env.receivers.posts.length === platforms.length);
    // Unconfirmed: an incident now reaches nobody.
    createIncident(env.ctx, { title: 'Before confirming', impact: 'minor', message: 'Not for unconfirmed channels.' });
    for (let i = 0; i < 5; i++) await env.worker.runOnce();
    expect(env.receivers.posts).toHaveLength(platforms.length);
    for (const post of env.receivers.posts) expect(JSON.stringify(post.json)).toMatch(/Confirm/);
    for (const url of urls.values()) {
      const { s, t } = confirmParams(env.receivers.postsTo(url)[0]);
      confirmSubscriber(env.ctx.db, subscriberFromLink(env.ctx.db, 'confirm', s, t)!);
    }
    const id = createIncident(env.ctx, {
      title: 'Webmail is slow',
      impact: 'major',
      message: 'We are **investigating** slow logins. See [the runbook](https://docs.example.com/runbook).\n\n- first\n- second',
      components: [{ id: 'webmail', status: 'degraded_performance' }],
    });
    await deliverUntil(env.worker, () => env.receivers.posts.length === platforms.length * 2);
    expect(env.receivers.problems).toEqual([]);
    const updates = new Map(platforms.map((p) => [p, env.receivers.postsTo(urls.get(p)!)[1]]));
    const slack = updates.get('slack')!.json;
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Webmail is slow', emoji: false } });
    expect(JSON.stringify(slack.blocks)).toContain('*investigating*');
    expect(JSON.stringify(slack.blocks)).toContain('<https://docs.example.com/runbook|the runbook>');
    expect(JSON.stringify(slack)).toMatch(/Impact: Major/);
    expect(JSON.stringify(slack)).toMatch(/Web interface: degraded performance/);
    const discord = updates.get('discord')!.json;
    expect(discord.embeds[0].title).toBe('Webmail is slow');
    expect(discord.embeds[0].color).toBe(0xd1580f); // major
    expect(discord.embeds[0].url).toBe(`https://status.example.com/incidents/${id}`);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    const teams = updates.get('teams')!.json.attachments[0].content;
    expect(teams.version).toBe('1.4');
    expect(JSON.stringify(teams)).toContain('"text":"investigating","weight":"Bolder"');
    const google = updates.get('google_chat')!;
    expect(google.json.cardsV2[0].card.header.title).toBe('Webmail is slow');
    // An incident's messages share a thread in Google Chat.
    expect(google.json.thread).toEqual({ threadKey: id });
    expect(google.query.get('messageReplyOption')).toBe('REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    expect(updates.get('mattermost')!.json.attachments[0].text).toContain('**investigating**');
    // Every message ends with a link that unsubscribes the channel, and it is the right one.
    for (const [platform, post] of updates) {
      const unsubscribe = linksIn(post).find((l) => l.includes('/unsubscribe'));
      expect(unsubscribe, platform).toBeDefined();
      const url = new URL(unsubscribe!.replace(/&amp;/g, '&'));
      const subscriber = subscriberFromLink(env.ctx.db, 'unsubscribe', url.searchParams.get('s'), url.searchParams.get('t'));
      expect(subscriber?.kind).toBe('chat');
      expect(subscriber?.platform).toBe(platform);
    }
    // The proof of delivery counts the channels.
    const job = recentJobs(env.ctx.db, 1)[0].job;
    expect(deliveryReport(env.ctx.db, job.event)?.channels).toEqual([expect.objectContaining({ channel: 'chat', recipients: 5, accepted: 5, failed: 0, queued: 0 })]);
    // The console sees each channel's last delivery.
    const listed = listSubscribers(env.ctx.db, { reveal: false }).filter((s) => s.kind === 'chat');
    expect(listed).toHaveLength(5);
    expect(listed.every((s) => s.lastSentAt && s.failures === 0)).toBe(true);
    expect(listed.every((s) => !s.address.includes('/services/') && !s.address.includes('/api/webhooks/'))).toBe(true);
    postUpdate(env.ctx, id, { status: 'resolved', message: 'Fixed.' });
    await deliverUntil(env.worker, () => env.receivers.posts.length === platforms.length * 3);
    expect(env.receivers.postsTo(urls.get('discord')!)[2].json.embeds[0].color).toBe(0x1a7f37); // resolved is green
  });

  it('escapes mentions and links an update did not contain, on every platform', async () => {
    const env = await setup();
    const urls = await confirmedChannels(env);
    createIncident(env.ctx, {
      title: '@everyone <!channel> [pwned](https://evil.example/title)',
      impact: 'critical',
      message:
        'Hello @here and @channel and @everyone, <@123456> <!here> &lt;https://autolink.example/slack|click&gt; <a href="https://evil.example/html">x</a> *real* `code <!channel>` [the page](https://ok.example/page)\n\n<users/all> &lt;!channel&gt; <https://autolink.example/a|b>',
    });
    await deliverUntil(env.worker, () => [...urls.values()].every((u) => env.receivers.postsTo(u).length === 2));
    expect(env.receivers.problems).toEqual([]);
    for (const [platform, url] of urls) {
      const post = env.receivers.postsTo(url)[1];
      const text = JSON.stringify(post.json);
      // Group mentions are broken by a word joiner, so nobody is notified.
      expect(text, platform).not.toMatch(/@(everyone|here|channel)\b/);
      expect(text, platform).not.toContain('<!channel>');
      expect(text, platform).not.toContain('<!here>');
      expect(text, platform).not.toContain('<@123456>');
      expect(text, platform).not.toContain('<users/all>');
      // The only links: the update's own, the page, the unsubscribe link.
      // (A bare or <https://…> URL is a link the update has, shown as its own address.)
      const foreign = linksIn(post).filter((l) => !l.startsWith('https://status.example.com/') && l !== 'https://ok.example/page' && !l.startsWith('https://autolink.example/'));
      expect(foreign, platform).toEqual([]);
      // Slack's own <url|label> written in the text never becomes a link labelled "click".
      expect(text, platform).not.toMatch(platform === 'slack' ? /\|click>/ : /\[click\]|>click<\/a>/);
      expect(linksIn(post), platform).toContain('https://ok.example/page');
    }
  });

  it('keeps a long update inside every platform\'s limits, cut at a block with a link to the rest', async () => {
    const env = await setup();
    const urls = await confirmedChannels(env);
    const paragraph = (n: number) => `Paragraph ${n}: ${'the database failover is taking longer than planned & <slow> '.repeat(12)}`;
    createIncident(env.ctx, {
      title: `A very long title ${'x'.repeat(180)}`,
      impact: 'critical',
      message: Array.from({ length: 20 }, (_, n) => paragraph(n)).join('\n\n') + `\n\n${'x'.repeat(4000)}`,
    });
    await deliverUntil(env.worker, () => [...urls.values()].every((u) => env.receivers.postsTo(u).length === 2));
    expect(env.receivers.problems).toEqual([]);
    for (const [platform, url] of urls) {
      const text = JSON.stringify(env.receivers.postsTo(url)[1].json);
      expect(text, platform).toContain('Paragraph 0');
      expect(text, platform).not.toContain('Paragraph 19');
      expect(text, platform).toContain('…');
      expect(text, platform).toContain('https://status.example.com/incidents/');
    }
  });

  it('sends a channel only what its components are about', async () => {
    const env = await setup();
    const webmail = env.receivers.urlFor('slack');
    const everything = env.receivers.urlFor('discord');
    await env.subscribe(webmail, ['webmail']);
    await env.subscribe(everything);
    await deliverUntil(env.worker, () => env.receivers.posts.length === 2);
    for (const url of [webmail, everything]) {
      const { s, t } = confirmParams(env.receivers.postsTo(url)[0]);
      confirmSubscriber(env.ctx.db, subscriberFromLink(env.ctx.db, 'confirm', s, t)!);
    }
    createIncident(env.ctx, { title: 'DNS trouble', impact: 'minor', message: 'DNS.', components: [{ id: 'dns', status: 'partial_outage' }] });
    createIncident(env.ctx, { title: 'Webmail trouble', impact: 'minor', message: 'Webmail.', components: [{ id: 'webmail', status: 'partial_outage' }] });
    await deliverUntil(env.worker, () => env.receivers.postsTo(everything).length === 3 && env.receivers.postsTo(webmail).length === 2);
    for (let i = 0; i < 3; i++) await env.worker.runOnce();
    expect(env.receivers.postsTo(webmail).map((p) => p.json.blocks[0].text.text)).toEqual(['Post Herald status updates here?'.replace('Herald', page.name), 'Webmail trouble']);
    expect(env.receivers.postsTo(everything)).toHaveLength(3);
  });

  it('waits as long as a 429 asks, then posts once', async () => {
    const env = await setup();
    const urls = await confirmedChannels(env, ['discord']);
    const url = urls.get('discord')!;
    env.receivers.script(url, [{ status: 429, headers: { 'Retry-After': '1' }, body: '{"message":"You are being rate limited.","retry_after":1,"global":false}' }]);
    createIncident(env.ctx, { title: 'Busy', impact: 'minor', message: 'Slow down.' });
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).length === 3);
    const [, limited, accepted] = env.receivers.postsTo(url);
    expect(limited.status).toBe(429);
    expect(accepted.status).toBe(204);
    expect(accepted.at - limited.at).toBeGreaterThanOrEqual(950);
    for (let i = 0; i < 3; i++) await env.worker.runOnce();
    expect(env.receivers.postsTo(url)).toHaveLength(3);
    // The wait used up no attempt: the row went once, after its one refusal.
    expect(env.ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).all()).toEqual([]);
  });

  it.each([
    ['slack', { status: 404, body: 'no_service' }],
    ['slack', { status: 403, body: 'invalid_token' }],
    ['slack', { status: 410, body: 'channel_is_archived' }],
    ['discord', { status: 404, body: '{"message": "Unknown Webhook", "code": 10015}' }],
    ['discord', { status: 401, body: '{"message": "Invalid Webhook Token", "code": 50027}' }],
    ['teams', { status: 404, body: '' }],
    ['google_chat', { status: 404, body: '{"error":{"code":404,"status":"NOT_FOUND"}}' }],
    ['mattermost', { status: 400, body: '{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook."}' }],
  ] as const)('%s answering %o unsubscribes the channel and says why in the audit log', async (platform, answer) => {
    const env = await setup();
    const url = (await confirmedChannels(env, [platform])).get(platform)!;
    env.receivers.script(url, [answer]);
    createIncident(env.ctx, { title: 'Gone', impact: 'minor', message: 'Anyone there?' });
    await deliverUntil(env.worker, () => env.ctx.db.select().from(subscribers).all().length === 0);
    const entry = env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'subscribers.chat-removed')).get();
    expect(entry?.actor).toBe('herald');
    expect(entry?.target).toMatch(/channel \(127\.0\.0\.1:\d+ …\w{4}\)$/);
    expect(JSON.parse(entry!.detail!).reason).toContain(`HTTP ${answer.status}`);
    expect(env.receivers.postsTo(url)).toHaveLength(2);
  });

  it('a refusal that is not "gone" fails the message, keeps the channel and counts the failure', async () => {
    const env = await setup();
    const url = (await confirmedChannels(env, ['slack'])).get('slack')!;
    env.receivers.script(url, [{ status: 400, body: 'invalid_blocks' }]);
    createIncident(env.ctx, { title: 'Refused', impact: 'minor', message: 'No.' });
    await deliverUntil(env.worker, () => env.ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).all().length === 1);
    const [channel] = listSubscribers(env.ctx.db, { reveal: false });
    expect(channel.failures).toBe(1);
    expect(channel.lastError).toBe('HTTP 400: invalid_blocks');
  });

  it('holds a post that was waiting for its slot when a 429 comes for its channel', async () => {
    const env = await setup();
    const url = (await confirmedChannels(env, ['slack'])).get('slack')!;
    // The first update is refused for 2 s; the second was already waiting its second behind it and must wait too.
    env.receivers.script(url, [{ status: 429, headers: { 'Retry-After': '2' } }]);
    const id = createIncident(env.ctx, { title: 'One', impact: 'minor', message: 'First.' });
    postUpdate(env.ctx, id, { status: 'identified', message: 'Second.' });
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).filter((p) => p.status === 200).length === 3);
    const [, refused, ...rest] = env.receivers.postsTo(url);
    expect(refused.status).toBe(429);
    expect(rest.map((p) => p.status)).toEqual([200, 200]);
    for (const p of rest) expect(p.at - refused.at).toBeGreaterThanOrEqual(1950);
  });

  it('refuses a chat platform\'s URL as a plain webhook, which would keep it unsealed', async () => {
    const env = await setup();
    const { subscribeWebhook } = await import('../../src/lib/server/subscribers/webhooks');
    const error = await subscribeWebhook(env.ctx.db, { url: 'https://hooks.slack.com/services/T0/B0/abc', componentIds: [], clientAddress: 'x', allowPrivate: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ActionError).message).toMatch(/Slack incoming-webhook URL: subscribe it at \/subscribe\/chat/);
  });

  it('checks the address again at every send', async () => {
    const env = await setup({ allowPrivate: false });
    // Subscribed while loopback was allowed (the helper allows it), sent by a worker that does not allow it.
    const url = env.receivers.urlFor('mattermost');
    await env.subscribe(url);
    await deliverUntil(env.worker, () => env.ctx.db.select().from(outbox).where(eq(outbox.status, 'failed')).all().length === 1);
    expect(env.receivers.posts).toEqual([]);
    expect(env.ctx.db.select().from(outbox).get()?.lastError).toMatch(/not a public address|private|loopback/i);
  });

  it('paces posts to one channel a second apart', async () => {
    const env = await setup();
    const url = (await confirmedChannels(env, ['slack'])).get('slack')!;
    const id = createIncident(env.ctx, { title: 'One', impact: 'minor', message: 'First.' });
    postUpdate(env.ctx, id, { status: 'identified', message: 'Second.' });
    postUpdate(env.ctx, id, { status: 'monitoring', message: 'Third.' });
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).length === 4);
    const times = env.receivers.postsTo(url).slice(1).map((p) => p.at);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(950);
  });

  it('keeps the URL sealed with SECRETS_KEY and finds the channel again by it', async () => {
    const env = await setup({ secretsKey: 'c'.repeat(64) });
    const url = env.receivers.urlFor('discord');
    await env.subscribe(url);
    const row = env.ctx.db.select().from(subscribers).get()!;
    expect(JSON.stringify(row)).not.toContain(new URL(url).pathname);
    for (const file of [env.ctx.path, `${env.ctx.path}-wal`].filter((f) => existsSync(f))) expect(readFileSync(file).includes(Buffer.from('tok-'))).toBe(false);
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).length === 1);
    // The same channel again while unconfirmed: the same row, a new confirmation.
    await env.subscribe(url);
    expect(env.ctx.db.select().from(subscribers).all()).toHaveLength(1);
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).length === 2);
    const { s, t } = confirmParams(env.receivers.postsTo(url)[1]);
    confirmSubscriber(env.ctx.db, subscriberFromLink(env.ctx.db, 'confirm', s, t)!);
    const again = await subscribeChat(env.ctx.db, { url, platform: '', componentIds: [], clientAddress: 'x', allowPrivate: true }).then(() => null, (e: unknown) => e);
    expect((again as ActionError).message).toMatch(/already subscribed/);
  });

  it('announces a maintenance and the moments of its window in the channel', async () => {
    const env = await setup();
    const url = (await confirmedChannels(env, ['google_chat'])).get('google_chat')!;
    const start = new Date(Date.now() + 2 * 60 * 60_000);
    const id = scheduleMaintenance(env.ctx, { title: 'Database upgrade', message: 'Planned.', scheduledFor: start.toISOString(), scheduledUntil: new Date(start.getTime() + 60 * 60_000).toISOString(), components: ['webmail'] });
    env.ctx.db.transaction((tx) => queueNotification(tx, `reminder:${id}`, { incidentId: id, updateId: null, componentIds: ['webmail'] }, new Date()));
    await deliverUntil(env.worker, () => env.receivers.postsTo(url).length === 3);
    expect(env.receivers.problems).toEqual([]);
    const [, announced, reminder] = env.receivers.postsTo(url).map((p) => p.json.cardsV2[0].card);
    expect(announced.header).toMatchObject({ title: 'Database upgrade' });
    expect(reminder.header.subtitle).toContain('Maintenance · Starts soon');
    expect(JSON.stringify(reminder)).toContain('Planned maintenance starts soon.');
    expect(JSON.stringify(reminder)).toMatch(/"topLabel":"When"/);
  });

  it('forgets a channel nobody confirmed within 48 hours', async () => {
    const env = await setup();
    await env.subscribe(env.receivers.urlFor('teams'));
    expect(deleteStaleUnconfirmed(env.ctx.db, new Date(Date.now() + 47 * 60 * 60_000))).toBe(0);
    expect(deleteStaleUnconfirmed(env.ctx.db, new Date(Date.now() + 49 * 60 * 60_000))).toBe(1);
  });
});
