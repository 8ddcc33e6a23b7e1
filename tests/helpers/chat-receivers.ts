// Real HTTP receivers on loopback standing in for the chat platforms'
// incoming webhooks: one server, routed by each platform's own path shape,
// that checks every payload against what the platform documents (Slack Block
// Kit's block kinds and text limits, a Teams Workflows message carrying an
// Adaptive Card of a version Teams renders, Discord's embed limits, Google
// Chat's cardsV2 widgets, Mattermost attachments) and answers as the platform
// does: 400 for a payload it would refuse, scripted 429s with Retry-After and
// 404s for a removed webhook.
import { createServer } from 'node:http';

export type Platform = 'slack' | 'teams' | 'discord' | 'google_chat' | 'mattermost';

export interface ChatPost {
  platform: Platform;
  /** The webhook's path (without the query). */
  path: string;
  query: URLSearchParams;
  json: any;
  /** What the receiver answered. */
  status: number;
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ChatReceivers {
  origin: string;
  /** A fresh webhook URL of the platform's shape on this server. */
  urlFor(platform: Platform): string;
  posts: ChatPost[];
  postsTo(url: string): ChatPost[];
  /** Payloads that broke the platform's documented rules, with why: a test expects none. */
  problems: string[];
  /** Posts refused with 429 because they came faster than the platform allows one webhook (with `enforceLimits`). */
  rateLimited: () => number;
  /** Answers for the next posts to one webhook URL, in order; afterwards the platform's success. */
  script(url: string, answers: ScriptedAnswer[]): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const platformOf = (path: string): Platform | null =>
  /^\/services\/T\w+\/B\w+\/\w+$/.test(path)
    ? 'slack'
    : /^\/workflows\/\w+\/triggers\/manual\/paths\/invoke$/.test(path)
      ? 'teams'
      : /^\/api\/webhooks\/\d+\/[\w-]+$/.test(path)
        ? 'discord'
        : /^\/v1\/spaces\/\w+\/messages$/.test(path)
          ? 'google_chat'
          : /^\/hooks\/[a-z0-9]{26}$/.test(path)
            ? 'mattermost'
            : null;

const isString = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

function slackProblems(p: any): string[] {
  const out: string[] = [];
  if (!isString(p.text, 40_000)) out.push('text (the notification fallback) missing or over 40,000');
  if (!Array.isArray(p.blocks) || p.blocks.length === 0 || p.blocks.length > 50) return [...out, 'blocks: 1 to 50'];
  for (const b of p.blocks) {
    if (b.type === 'header') {
      if (b.text?.type !== 'plain_text' || !isString(b.text.text, 150)) out.push('header: plain_text up to 150');
    } else if (b.type === 'section') {
      if (b.text && (!['mrkdwn', 'plain_text'].includes(b.text.type) || !isString(b.text.text, 3000))) out.push('section text up to 3000');
      if (b.fields && (!Array.isArray(b.fields) || b.fields.length > 10 || b.fields.some((f: any) => !isString(f.text, 2000)))) out.push('section fields: 10 of up to 2000');
      if (!b.text && !b.fields) out.push('section without text or fields');
    } else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length > 10 || b.elements.some((e: any) => !isString(e.text, 3000))) out.push('context elements');
    } else if (b.type === 'actions') {
      for (const e of b.elements ?? []) {
        if (e.type !== 'button' || e.text?.type !== 'plain_text' || !isString(e.text.text, 75) || !isString(e.url, 3000)) out.push('button: text up to 75, url up to 3000');
      }
    } else out.push(`block type ${b.type} not used by Herald`);
  }
  return out;
}

/** Element types Adaptive Cards 1.4 knows (what Teams renders for Workflows posts). */
const cardElements = new Set(['TextBlock', 'RichTextBlock', 'FactSet', 'Container', 'ColumnSet', 'Image', 'ActionSet']);

function teamsProblems(p: any): string[] {
  const out: string[] = [];
  if (p.type !== 'message' || !Array.isArray(p.attachments) || p.attachments.length !== 1) return ['a Workflows post is {type: "message", attachments: [card]}'];
  const a = p.attachments[0];
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive') out.push('contentType');
  const card = a.content;
  if (card?.type !== 'AdaptiveCard') return [...out, 'content is not an AdaptiveCard'];
  if (!['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'].includes(card.version)) out.push(`version ${card.version}: Teams renders up to 1.5`);
  if (Number(card.version) > 1.4) out.push('version above 1.4 does not render on Teams mobile');
  for (const el of card.body ?? []) {
    if (!cardElements.has(el.type)) out.push(`element ${el.type}`);
    if (el.type === 'RichTextBlock') {
      for (const run of el.inlines ?? []) {
        if (run.type !== 'TextRun' || typeof run.text !== 'string') out.push('RichTextBlock inlines are TextRuns');
        if (run.selectAction && (run.selectAction.type !== 'Action.OpenUrl' || !/^https?:/.test(run.selectAction.url))) out.push('TextRun selectAction');
      }
    }
  }
  for (const action of card.actions ?? []) if (action.type !== 'Action.OpenUrl' || !isString(action.title, 200) || !/^https?:/.test(action.url)) out.push('actions');
  if (JSON.stringify(p).length > 28_000) out.push('over 28 KB');
  return out;
}

function discordProblems(p: any): string[] {
  const out: string[] = [];
  if (p.content !== undefined && !isString(p.content, 2000)) out.push('content up to 2000');
  if (!Array.isArray(p.embeds) || p.embeds.length === 0 || p.embeds.length > 10) return [...out, 'embeds: 1 to 10'];
  let total = 0;
  for (const e of p.embeds) {
    if (e.title !== undefined && !isString(e.title, 256)) out.push('title up to 256');
    if (e.description !== undefined && !isString(e.description, 4096)) out.push('description up to 4096');
    if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) out.push('color');
    if ((e.fields ?? []).length > 25) out.push('25 fields at most');
    for (const f of e.fields ?? []) if (!isString(f.name, 256) || !isString(f.value, 1024)) out.push('field name up to 256, value up to 1024');
    if (e.footer && !isString(e.footer.text, 2048)) out.push('footer up to 2048');
    if (e.timestamp && Number.isNaN(Date.parse(e.timestamp))) out.push('timestamp');
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.fields ?? []).reduce((n: number, f: any) => n + f.name.length + f.value.length, 0);
  }
  if (total > 6000) out.push(`embeds total ${total} over 6000`);
  return out;
}

function googleChatProblems(p: any): string[] {
  const out: string[] = [];
  if (!Array.isArray(p.cardsV2) || p.cardsV2.length === 0) return ['cardsV2 missing'];
  for (const c of p.cardsV2) {
    if (!isString(c.cardId, 100) || !c.card) out.push('cardsV2 item: {cardId, card}');
    if (c.card?.header && !isString(c.card.header.title, 200)) out.push('header title');
    for (const s of c.card?.sections ?? []) {
      for (const w of s.widgets ?? []) {
        const kinds = Object.keys(w);
        if (kinds.length !== 1) out.push('a widget has one kind');
        if (w.textParagraph && !isString(w.textParagraph.text, 4096)) out.push('textParagraph text');
        else if (w.decoratedText && !isString(w.decoratedText.text, 4096)) out.push('decoratedText text');
        else if (w.buttonList && (w.buttonList.buttons ?? []).some((b: any) => !isString(b.text, 200) || !/^https?:/.test(b.onClick?.openLink?.url ?? ''))) out.push('buttons');
        else if (!w.textParagraph && !w.decoratedText && !w.buttonList) out.push(`widget ${kinds[0]} not used by Herald`);
      }
    }
  }
  if (Buffer.byteLength(JSON.stringify(p)) > 32_000) out.push('over 32,000 bytes');
  return out;
}

function mattermostProblems(p: any): string[] {
  const out: string[] = [];
  if (!Array.isArray(p.attachments) || p.attachments.length === 0) return ['attachments missing'];
  for (const a of p.attachments) {
    if (!isString(a.fallback, 1000)) out.push('fallback');
    if (a.color && !/^#[0-9a-f]{6}$/i.test(a.color)) out.push('color');
    if (typeof a.text !== 'string' || a.text.length > 16_383) out.push('text');
    for (const f of a.fields ?? []) if (typeof f.title !== 'string' || typeof f.value !== 'string' || typeof f.short !== 'boolean') out.push('fields');
  }
  return out;
}

const checks: Record<Platform, (p: any) => string[]> = {
  slack: slackProblems,
  teams: teamsProblems,
  discord: discordProblems,
  google_chat: googleChatProblems,
  mattermost: mattermostProblems,
};

/** What each platform answers to a post it took. */
const success: Record<Platform, ScriptedAnswer> = {
  slack: { status: 200, body: 'ok' },
  teams: { status: 202 },
  discord: { status: 204 },
  google_chat: { status: 200, body: '{"name":"spaces/x/messages/y"}' },
  mattermost: { status: 200, body: 'ok' },
};

/** What one webhook takes before the platform answers 429: `count` posts per `ms` (Slack and Google Chat about one a second, Discord five per two seconds). */
export const webhookLimits: Record<Platform, { count: number; ms: number } | null> = {
  slack: { count: 1, ms: 1000 },
  google_chat: { count: 1, ms: 1000 },
  discord: { count: 5, ms: 2000 },
  teams: { count: 1, ms: 1000 },
  mattermost: null,
};

export async function startChatReceivers({ delayMs = 0, enforceLimits = false, keepPosts = true } = {}): Promise<ChatReceivers> {
  const posts: ChatPost[] = [];
  const recent = new Map<string, number[]>();
  let rateLimited = 0;
  const problems: string[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const platform = platformOf(url.pathname);
      if (!platform || req.method !== 'POST') return void res.writeHead(404).end('no such webhook');
      let json: any = null;
      try {
        json = JSON.parse(body);
      } catch {
        problems.push(`${platform}: not JSON`);
      }
      if (req.headers['content-type'] !== 'application/json') problems.push(`${platform}: Content-Type ${req.headers['content-type']}`);
      const found = json ? checks[platform](json) : [];
      problems.push(...found.map((p) => `${platform}: ${p}`));
      const scripted = scripts.get(url.pathname)?.shift();
      const limit = enforceLimits ? webhookLimits[platform] : null;
      const now = Date.now();
      const times = (recent.get(url.pathname) ?? []).filter((t) => t > now - (limit?.ms ?? 0));
      const tooFast = !!limit && times.length >= limit.count;
      if (limit) recent.set(url.pathname, [...times, now]);
      if (tooFast) rateLimited++;
      const answer = found.length
        ? { status: 400, body: 'invalid_payload' }
        : tooFast
          ? { status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' }
          : (scripted ?? success[platform]);
      posts.push({ platform, path: url.pathname, query: url.searchParams, json: keepPosts ? json : null, status: answer.status, at: now });
      setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body ?? ''), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const pathOf = (url: string) => new URL(url).pathname;
  return {
    origin,
    urlFor(platform) {
      const id = String(++n).padStart(4, '0');
      const path = {
        slack: `/services/T0000${id}/B0000${id}/abcdEFGH${id}`,
        teams: `/workflows/f${id}abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s${id}`,
        discord: `/api/webhooks/12345${id}/tok-${id}`,
        google_chat: `/v1/spaces/AAA${id}/messages?key=k${id}&token=t${id}`,
        mattermost: `/hooks/${`m${id}`.padEnd(26, 'x')}`,
      }[platform];
      return `${origin}${path}`;
    },
    posts,
    postsTo: (url) => posts.filter((p) => p.path === pathOf(url)),
    problems,
    rateLimited: () => rateLimited,
    script: (url, answers) => scripts.set(pathOf(url), [...answers]),
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`gave up waiting; ${posts.length} posts so far`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
