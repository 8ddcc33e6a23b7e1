// What Herald posts to a chat channel, as plain data: one notice built from
// the same update data as the mail (messages.ts in ../mail), written out in
// each platform's native format (Slack Block Kit, a Teams Adaptive Card, a
// Discord embed, Google Chat cardsV2, Mattermost attachments) within that
// platform's documented limits. In the channel's language, as mail is in a
// subscriber's: staff's words where translated, else the page's own with a note.
import { isClosedStatus, type ChatPlatform, type IncidentImpact, type UpdateStatus } from '../../db/constants';
import { translator } from '../i18n/translate';
import { affectedLine, changesLine, incidentUrl, promiseTime, staffWords, updateLabel, windowTime, windowMomentWords, type MailSite } from '../mail/messages';
import type { Incident, IncidentUpdate, WindowMoment } from '../model';
import { formatDateTime } from '../time';
import { cut, dialects, inDialect, inertText, markdownBlocks, plainText, toDialect, type Block, type Dialect, type Run } from './format';

export interface ChatNotice {
  /** "Acme status": who is posting. */
  source: string;
  title: string;
  /** "Incident · Investigating · Impact: major · 3 Dec 2026, 14:02 CET" */
  subtitle: string;
  /** The colour bar, where the platform has one. */
  color: string;
  facts: { label: string; value: string }[];
  /** Markdown: the update's own, or Herald's sentence for a confirmation or a window's moment. */
  body: string;
  link: { url: string; text: string };
  /** The footer's sentence, and the link that takes this channel off the list. */
  footer: string;
  unsubscribe: { url: string; text: string };
  /** An incident's messages share it where the platform threads webhook posts (Google Chat). */
  threadKey: string | null;
  at: Date;
}

/** Colours by what customers feel: resolved is green, maintenance blue, incidents by impact. */
const impactColors: Record<IncidentImpact, string> = { none: '#6e7781', minor: '#bf8700', major: '#d1580f', critical: '#cf222e' };
const resolvedColor = '#1a7f37';
const maintenanceColor = '#0969da';

function colorOf(incident: Incident, status: UpdateStatus | null): string {
  if (status && isClosedStatus(status)) return resolvedColor;
  return incident.kind === 'maintenance' ? maintenanceColor : impactColors[incident.impact];
}

function factsOf(site: MailSite, incident: Incident, update: IncidentUpdate | null, affected: string): ChatNotice['facts'] {
  const t = translator(site.locale);
  const window = windowTime(site, incident);
  const changed = update ? changesLine(site, update) : '';
  const promise = update ? promiseTime(site, update) : '';
  return [
    ...(window ? [{ label: t('chat.fact_when'), value: window }] : []),
    ...(affected ? [{ label: t('fact.affected'), value: affected }] : []),
    ...(changed ? [{ label: t('chat.fact_changed'), value: changed }] : []),
    ...(promise ? [{ label: t('fact.next_update'), value: promise }] : []),
  ];
}

const pageTitle = (site: MailSite) => translator(site.locale)('page.title', { name: site.pageName });
const footerLine = (site: MailSite) => translator(site.locale)('chat.you_follow', { site: pageTitle(site) });
/** An incident's title, and an update's text with the "not translated" note before it (in italics) where staff's words are in the page's own language. */
function cardWords(site: MailSite, incident: Incident, update: IncidentUpdate | null): { title: string; body: string | null } {
  const { title, body, note } = staffWords(site, incident, update);
  const marked = note ? `_${note}_` : '';
  return { title: title.text, body: body ? (marked ? `${marked}\n\n${body.text}` : body.text) : marked || null };
}

/** A notice of one update. */
export function updateNotice(site: MailSite, incident: Incident, update: IncidentUpdate & { status: UpdateStatus }, unsubscribeUrl: string): ChatNotice {
  const t = translator(site.locale);
  const kind = t(incident.kind === 'maintenance' ? 'mail.maintenance' : 'mail.incident');
  const impact = incident.kind === 'incident' ? [t('chat.impact', { impact: t(`impact.${incident.impact}`) })] : [];
  const over = incident.kind === 'incident' && isClosedStatus(update.status);
  const words = cardWords(site, incident, update);
  return {
    source: pageTitle(site),
    title: words.title,
    subtitle: [kind, updateLabel(site, incident, update), ...impact, formatDateTime(update.at, site.timeZone, site.locale)].join(' · '),
    color: colorOf(incident, update.status),
    facts: factsOf(site, incident, update, affectedLine(site, incident, over)),
    body: words.body ?? '',
    link: { url: incidentUrl(site, incident), text: t('mail.follow_link') },
    footer: footerLine(site),
    unsubscribe: { url: unsubscribeUrl, text: t('chat.unsubscribe') },
    threadKey: incident.id,
    at: update.at,
  };
}

/** A maintenance window that starts soon, has started or has ended, by the clock. */
export function windowNotice(site: MailSite, maintenance: Incident, moment: WindowMoment, unsubscribeUrl: string, now: Date): ChatNotice {
  const t = translator(site.locale);
  const { label, line } = windowMomentWords(site, moment);
  // Once it has ended, "under maintenance" would read as still going: the names alone.
  const affected = moment === 'completed' ? maintenance.components.map((c) => site.componentNames.get(c.id) ?? c.id).join(t('day.separator')) : affectedLine(site, maintenance, false);
  const words = cardWords(site, maintenance, null);
  return {
    source: pageTitle(site),
    title: words.title,
    subtitle: [t('mail.maintenance'), label].join(' · '),
    color: moment === 'completed' ? resolvedColor : maintenanceColor,
    facts: factsOf(site, maintenance, null, affected),
    body: words.body ? `${words.body}\n\n${line}` : line,
    link: { url: incidentUrl(site, maintenance), text: t('mail.details_link') },
    footer: footerLine(site),
    unsubscribe: { url: unsubscribeUrl, text: t('chat.unsubscribe') },
    threadKey: maintenance.id,
    at: now,
  };
}

/** The first message to a channel: nothing else is posted until someone who can read it follows the link. */
export function confirmNotice(site: MailSite, confirmUrl: string, unsubscribeUrl: string, now: Date): ChatNotice {
  const t = translator(site.locale);
  const page = pageTitle(site);
  return {
    source: page,
    title: t('chat.confirm_title', { site: page }),
    subtitle: t('chat.confirm_subtitle'),
    color: maintenanceColor,
    facts: [],
    body: t('chat.confirm_body', { site: page }),
    link: { url: confirmUrl, text: t('confirm.button') },
    footer: t('chat.confirm_footer'),
    unsubscribe: { url: unsubscribeUrl, text: t('chat.remove_now') },
    threadKey: null,
    at: now,
  };
}

/** Documented limits the payloads keep to (characters). */
export const chatLimits = {
  slack: { header: 150, section: 3000, field: 2000, fields: 10, fallback: 3000, buttonText: 75 },
  discord: { title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, footer: 2048, total: 6000 },
  teams: { body: 6000, fact: 1000, bytes: 27_000 },
  google_chat: { title: 200, text: 4000 },
  mattermost: { title: 250, text: 7000, fieldValue: 1000 },
} as const;


function slackPayload(n: ChatNotice): object {
  const L = chatLimits.slack;
  const d = dialects.slack;
  const body = toDialect(n.body, d, L.section);
  return {
    text: d.text(plainText(`${n.title} (${n.subtitle})`, L.fallback / 2)),
    // Slack would fetch the status page to preview it, and a confirm link is only for people.
    unfurl_links: false,
    unfurl_media: false,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: plainText(n.title, L.header), emoji: false } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: inDialect(d, `${n.source} · ${n.subtitle}`, L.field) }] },
      ...(body ? [{ type: 'section', text: { type: 'mrkdwn', text: body } }] : []),
      ...(n.facts.length
        ? [{ type: 'section', fields: n.facts.slice(0, L.fields).map((f) => ({ type: 'mrkdwn', text: `*${d.text(f.label)}*\n${inDialect(d, f.value, L.field - f.label.length - 3)}` })) }]
        : []),
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: n.link.text, emoji: false }, url: n.link.url }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${d.text(n.footer)} ${d.run({ text: n.unsubscribe.text, href: n.unsubscribe.url }, d.text(n.unsubscribe.text))}` }] },
    ],
  };
}

function discordPayload(n: ChatNotice): object {
  const L = chatLimits.discord;
  const d = dialects.markdown;
  const links = `${d.run({ text: n.link.text, href: n.link.url }, d.text(n.link.text))} · ${d.run({ text: n.unsubscribe.text, href: n.unsubscribe.url }, d.text(n.unsubscribe.text))}`;
  const title = plainText(n.title, L.title);
  const footer = cut(`${n.source} · ${n.subtitle}`, L.footer);
  const fields = n.facts.slice(0, L.fields).map((f) => ({ name: cut(f.label, L.fieldName), value: inDialect(d, f.value, L.fieldValue), inline: false }));
  const used = title.length + footer.length + fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const room = Math.min(L.description, L.total - used) - links.length - 2;
  return {
    // Even if an escape were missed, nobody is pinged: Discord's own switch for mentions.
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        url: n.link.url,
        description: `${toDialect(n.body, d, Math.max(room, 0))}\n\n${links}`.trimStart(),
        color: parseInt(n.color.slice(1), 16),
        fields,
        footer: { text: footer },
        timestamp: n.at.toISOString(),
      },
    ],
  };
}

/** Runs as Adaptive Card TextRuns: structured text, so nothing in it is read as markdown. */
function textRuns(runs: Run[]): object[] {
  return runs
    .filter((r) => r.text !== '')
    .map((r) => ({
      type: 'TextRun',
      text: inertText(r.text),
      ...(r.bold ? { weight: 'Bolder' } : {}),
      ...(r.italic ? { italic: true } : {}),
      ...(r.strike ? { strikethrough: true } : {}),
      ...(r.code ? { fontType: 'Monospace' } : {}),
      ...(r.href ? { selectAction: { type: 'Action.OpenUrl', url: r.href } } : {}),
    }));
}

function teamsBody(blocks: Block[], limit: number): object[] {
  const out: object[] = [];
  let used = 0;
  for (const b of blocks) {
    const size = b.runs.reduce((sum, r) => sum + r.text.length, 0);
    if (used + size > limit) {
      // Too long even alone: as many of its runs as fit, the last one cut.
      const runs: Run[] = [];
      for (let left = limit - used; runs.length < b.runs.length && left > 1; ) {
        const r = b.runs[runs.length];
        runs.push({ ...r, text: cut(r.text, left) });
        left -= r.text.length;
      }
      if (out.length === 0 && runs.length) out.push({ type: 'RichTextBlock', inlines: textRuns(runs) });
      out.push({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '…' }] });
      break;
    }
    used += size;
    const runs = b.quote ? b.runs.map((r) => ({ ...r, italic: true })) : b.runs;
    out.push({ type: 'RichTextBlock', spacing: b.tight ? 'None' : 'Default', inlines: textRuns(runs) });
  }
  return out;
}

/** A Teams card under the 28 KB a Workflows post takes: markup per run adds up, so the body shrinks until the whole fits. */
function teamsPayload(n: ChatNotice): object {
  for (let body: number = chatLimits.teams.body; ; body = Math.floor(body / 2)) {
    const payload = teamsCard(n, body);
    if (Buffer.byteLength(JSON.stringify(payload)) <= chatLimits.teams.bytes || body < 100) return payload;
  }
}

function teamsCard(n: ChatNotice, bodyLimit: number): object {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          // 1.4: what Teams renders everywhere, mobile included, for cards posted by a Workflows webhook.
          version: '1.4',
          msteams: { width: 'Full' },
          body: [
            { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: plainText(n.title, 500), weight: 'Bolder', size: 'Medium' }] },
            { type: 'RichTextBlock', spacing: 'None', inlines: [{ type: 'TextRun', text: `${n.source} · ${n.subtitle}`, isSubtle: true, size: 'Small' }] },
            ...teamsBody(markdownBlocks(n.body), bodyLimit),
            ...n.facts.map((f) => ({ type: 'RichTextBlock', spacing: 'Small', inlines: [{ type: 'TextRun', text: `${f.label}: `, weight: 'Bolder' }, { type: 'TextRun', text: cut(inertText(f.value), chatLimits.teams.fact) }] })),
            {
              type: 'RichTextBlock',
              separator: true,
              inlines: [
                { type: 'TextRun', text: `${n.footer} `, isSubtle: true, size: 'Small' },
                { type: 'TextRun', text: n.unsubscribe.text, size: 'Small', selectAction: { type: 'Action.OpenUrl', url: n.unsubscribe.url } },
              ],
            },
          ],
          actions: [{ type: 'Action.OpenUrl', title: n.link.text, url: n.link.url }],
        },
      },
    ],
  };
}

function googleChatPayload(n: ChatNotice): object {
  const L = chatLimits.google_chat;
  const d = dialects.html;
  return {
    fallbackText: plainText(`${n.title} (${n.subtitle})`, L.title),
    // One incident, one thread (the URL asks to reply in it, or start it).
    ...(n.threadKey ? { thread: { threadKey: n.threadKey } } : {}),
    cardsV2: [
      {
        cardId: 'herald-notice',
        card: {
          header: { title: plainText(n.title, L.title), subtitle: plainText(`${n.source} · ${n.subtitle}`, L.title) },
          sections: [
            {
              widgets: [
                ...(n.body.trim() ? [{ textParagraph: { text: toDialect(n.body, d, L.text) } }] : []),
                ...n.facts.map((f) => ({ decoratedText: { topLabel: d.text(f.label), text: d.text(f.value), wrapText: true } })),
                { buttonList: { buttons: [{ text: n.link.text, onClick: { openLink: { url: n.link.url } } }] } },
              ],
            },
            { widgets: [{ textParagraph: { text: `${d.text(n.footer)} ${d.run({ text: n.unsubscribe.text, href: n.unsubscribe.url }, d.text(n.unsubscribe.text))}` } }] },
          ],
        },
      },
    ],
  };
}

function mattermostPayload(n: ChatNotice): object {
  const L = chatLimits.mattermost;
  const d: Dialect = dialects.markdown;
  const links = `${d.run({ text: n.link.text, href: n.link.url }, d.text(n.link.text))} · ${d.run({ text: n.unsubscribe.text, href: n.unsubscribe.url }, d.text(n.unsubscribe.text))}`;
  return {
    attachments: [
      {
        fallback: plainText(`${n.title} (${n.subtitle})`, L.title),
        color: n.color,
        title: plainText(n.title, L.title),
        title_link: n.link.url,
        text: `${toDialect(n.body, d, L.text)}\n\n${links}`.trimStart(),
        fields: n.facts.map((f) => ({ short: false, title: f.label, value: inDialect(d, f.value, L.fieldValue) })),
        footer: `${n.source} · ${n.subtitle}`,
      },
    ],
  };
}

/** The JSON document a platform's incoming webhook takes for one notice. */
export function chatPayload(platform: ChatPlatform, notice: ChatNotice): object {
  switch (platform) {
    case 'slack':
      return slackPayload(notice);
    case 'discord':
      return discordPayload(notice);
    case 'teams':
      return teamsPayload(notice);
    case 'google_chat':
      return googleChatPayload(notice);
    case 'mattermost':
      return mattermostPayload(notice);
  }
}
