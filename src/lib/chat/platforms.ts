// Which chat platform an incoming-webhook URL belongs to, how it is shown
// without giving it away (the URL is the only credential a channel has), and
// how each platform says a webhook is gone for good.
import type { ChatPlatform } from '../../db/constants';

/** Hosts only one platform serves: a URL there is that platform's, whatever the visitor chose. */
const platformHosts: [RegExp, ChatPlatform][] = [
  [/^hooks\.slack\.com$/, 'slack'],
  [/^(?:\w+\.)?discord(?:app)?\.com$/, 'discord'],
  [/^chat\.googleapis\.com$/, 'google_chat'],
  // Teams: Workflows (Power Automate) webhooks; *.webhook.office.com are the retired Office 365 connectors' URLs.
  [/(?:^|\.)logic\.azure\.com$|(?:^|\.)api\.powerplatform\.com$|(?:^|\.)webhook\.office\.com$/, 'teams'],
];

/** The path each platform's incoming webhooks have, wherever they are served (Mattermost is self-hosted; tests use loopback). */
const platformPaths: [RegExp, ChatPlatform][] = [
  [/^\/services\/[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]+\/?$/, 'slack'],
  [/^\/api(?:\/v\d+)?\/webhooks\/\d+\/[\w-]+\/?$/, 'discord'],
  [/^\/v1\/spaces\/[\w-]+\/messages\/?$/, 'google_chat'],
  [/\/workflows\/[\w-]+\/triggers\/|\/powerautomate\/automations\/|^\/webhookb2\//, 'teams'],
  [/^(?:\/[\w.-]+)*\/hooks\/[a-z0-9]{26}\/?$/, 'mattermost'],
];

export type PlatformGuess = { platform: ChatPlatform; certain: boolean } | null;

/**
 * The platform a URL belongs to: certain on a platform's own host, a guess
 * from the path elsewhere (a self-hosted Mattermost), null when neither says.
 */
export function detectPlatform(url: URL): PlatformGuess {
  const host = url.hostname.toLowerCase();
  const byHost = platformHosts.find(([pattern]) => pattern.test(host))?.[1];
  if (byHost) return { platform: byHost, certain: true };
  const byPath = platformPaths.find(([pattern]) => pattern.test(url.pathname))?.[1];
  return byPath ? { platform: byPath, certain: false } : null;
}

/** Whether the URL's path is one the platform gives out (a Slack URL that is not /services/… would never work). */
export function pathFits(platform: ChatPlatform, url: URL): boolean {
  const pattern = platformPaths.find(([, p]) => p === platform)?.[0];
  return platform === 'mattermost' || platform === 'teams' ? true : !!pattern?.test(url.pathname);
}

/** "hooks.slack.com …x7Qa": enough to tell channels apart, useless to post with. */
export function maskChatUrl(url: URL): string {
  const tail = `${url.pathname}${url.search}`.replace(/[^A-Za-z0-9]/g, '').slice(-4);
  return `${url.host} …${tail}`;
}

/**
 * Where one message is posted. Google Chat threads an incident's messages by
 * the `thread.threadKey` in the message, when the URL asks to reply (falling
 * back to a new thread when the key has none yet); Discord posts into the
 * thread its URL names (`?thread_id=`, kept as given). Slack, Teams and
 * Mattermost incoming webhooks cannot thread.
 */
export function postUrl(platform: ChatPlatform, url: string, threadKey: string | null): string {
  if (platform !== 'google_chat' || !threadKey) return url;
  const target = new URL(url);
  target.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  return target.toString();
}

/**
 * Whether an answer means the webhook no longer exists, so the channel is
 * unsubscribed: 404 and 410 on every platform, and each platform's own
 * words for a revoked webhook (Slack's `invalid_token`, `channel_is_archived`;
 * Discord's codes 10015 "Unknown Webhook" and 50027 "Invalid Webhook Token";
 * Mattermost's "invalid webhook").
 */
export function isGoneAnswer(platform: ChatPlatform, status: number, body: string): boolean {
  if (status === 404 || status === 410) return true;
  if (status < 400 || status >= 500) return false;
  switch (platform) {
    case 'slack':
      return /\b(?:invalid_token|no_service|channel_is_archived|team_disabled|no_team)\b/.test(body);
    case 'discord':
      return /"code"\s*:\s*(?:10015|50027)\b/.test(body);
    case 'mattermost':
      return /invalid webhook|incoming_webhook\.invalid/i.test(body);
    default:
      return false;
  }
}
