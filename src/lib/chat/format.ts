// Update markdown in each chat platform's own dialect. The markdown is read
// with marked (as the page reads it) and written out again token by token:
// what was text stays text, escaped so that it cannot become a mention
// (@everyone, <!channel>, <@id>), formatting or a link; only the update's own
// links become links, and only to http(s) and mailto.
import { Marked, type Token, type Tokens } from 'marked';
import { decodeEntities } from '../escape';

/** A stretch of text with one formatting: what every platform's message is written from. */
export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  code?: boolean;
  /** Only the update's own links, and only http(s) or mailto. */
  href?: string;
}

/** A paragraph, a heading, a list item, a table row, a quote or a code block, as runs. */
export interface Block {
  runs: Run[];
  code?: boolean;
  quote?: boolean;
  /** Follows the block before it on the next line (list items, table rows), not after a blank line. */
  tight?: boolean;
}

const marked = new Marked({ gfm: true, async: false });

const safeHref = (href: string) => /^(https?:|mailto:)/i.test(href.trim());

type Style = Omit<Run, 'text'>;

function inlineRuns(tokens: Token[] | undefined, style: Style = {}): Run[] {
  const runs: Run[] = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'text':
        if ('tokens' in t && t.tokens) runs.push(...inlineRuns(t.tokens, style));
        else runs.push({ ...style, text: decodeEntities(t.text) });
        break;
      case 'escape':
        runs.push({ ...style, text: t.text });
        break;
      case 'strong':
        runs.push(...inlineRuns((t as Tokens.Strong).tokens, { ...style, bold: true }));
        break;
      case 'em':
        runs.push(...inlineRuns((t as Tokens.Em).tokens, { ...style, italic: true }));
        break;
      case 'del':
        runs.push(...inlineRuns((t as Tokens.Del).tokens, { ...style, strike: true }));
        break;
      case 'codespan':
        runs.push({ ...style, code: true, text: decodeEntities(t.text) });
        break;
      case 'br':
        runs.push({ ...style, text: '\n' });
        break;
      case 'link': {
        const link = t as Tokens.Link;
        const href = safeHref(link.href) ? link.href.trim() : undefined;
        const label = inlineRuns(link.tokens, { ...style, href });
        runs.push(...(label.length ? label : [{ ...style, href, text: link.href }]));
        break;
      }
      case 'image': {
        // Chat clients would fetch the image from wherever it is: a link to it instead.
        const image = t as Tokens.Image;
        runs.push({ ...style, href: safeHref(image.href) ? image.href.trim() : undefined, text: image.text || image.href });
        break;
      }
      case 'html':
        break; // tags are dropped; the text between them stays
      default:
        if ('text' in t && typeof t.text === 'string') runs.push({ ...style, text: decodeEntities(t.text) });
    }
  }
  return runs;
}

function blocksOf(tokens: Token[], into: Block[] = [], quote = false): Block[] {
  for (const t of tokens) {
    switch (t.type) {
      case 'paragraph':
      case 'text':
        into.push({ runs: inlineRuns('tokens' in t && t.tokens ? t.tokens : [t]), quote });
        break;
      case 'heading':
        into.push({ runs: inlineRuns((t as Tokens.Heading).tokens, { bold: true }), quote });
        break;
      case 'code':
        into.push({ runs: [{ text: (t as Tokens.Code).text, code: true }], code: true, quote });
        break;
      case 'blockquote':
        blocksOf((t as Tokens.Blockquote).tokens, into, true);
        break;
      case 'list': {
        const list = t as Tokens.List;
        const start = typeof list.start === 'number' ? list.start : 1;
        list.items.forEach((item, i) => {
          const inner = blocksOf(item.tokens, [], quote);
          const marker = { text: list.ordered ? `${start + i}. ` : '• ' };
          inner.forEach((b, j) => into.push({ ...b, runs: j === 0 ? [marker, ...b.runs] : b.runs, tight: i > 0 || j > 0 }));
        });
        break;
      }
      case 'table': {
        const table = t as Tokens.Table;
        const row = (cells: Tokens.TableCell[], style: Style) => cells.flatMap((c, i) => [...(i ? [{ text: ' | ' }] : []), ...inlineRuns(c.tokens, style)]);
        into.push({ runs: row(table.header, { bold: true }), quote });
        for (const r of table.rows) into.push({ runs: row(r, {}), quote, tight: true });
        break;
      }
      case 'hr':
        into.push({ runs: [{ text: '———' }], quote });
        break;
      case 'html':
        // A block of raw HTML: its text, without the tags (as inline HTML loses only its tags).
        into.push({ runs: [{ text: decodeEntities((t as Tokens.HTML).text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()) }], quote });
        break;
      default:
        break; // space
    }
  }
  return into;
}

/** The last few updates read, by their markdown: one update goes to many channels, and is read once. */
const readBlocks = new Map<string, Block[]>();

/** An update's markdown as blocks of runs (shared: callers do not change them). */
export function markdownBlocks(markdown: string): Block[] {
  const known = readBlocks.get(markdown);
  if (known) return known;
  const blocks = blocksOf(marked.lexer(markdown)).filter((b) => b.runs.some((r) => r.text.trim() !== ''));
  if (readBlocks.size >= 32) readBlocks.delete(readBlocks.keys().next().value!);
  readBlocks.set(markdown, blocks);
  return blocks;
}

/** How a platform writes runs as one string of its markup. */
export interface Dialect {
  /** Plain text, made inert: no mention, formatting or link can come of it. */
  text(s: string): string;
  run(r: Run, text: string): string;
  codeBlock(s: string): string;
  quote(s: string): string;
  lineBreak: string;
}

/** A word joiner after the @ of a group mention: it reads the same, and no platform notifies anyone for it. */
const groupMentions = /@(everyone|here|channel|all|group)\b/gi;
const defuseMentions = (s: string) => s.replace(groupMentions, '@\u2060$1');

/** Backslash before what can start formatting, a link or a mention (<@id>), and before a line-start heading, list or quote marker. */
const escapeMarkdown = (s: string) => s.replace(/[\\`*_~|[\]<>]/g, '\\$&').replace(/^([#>+-])/gm, '\\$1');

/** Slack's own rule: &, < and > escaped, which also rules out <!channel>, <@U…> and <url|label>. */
const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const escapeHtmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Code stays code, but a backtick inside would end it early. */
const codeSafe = (s: string) => s.replace(/`/g, 'ˋ');

/** Wraps a run's text in bold, italic and strike marks, innermost first; whitespace stays outside (Slack's and markdown's marks need it so). */
function marks(text: string, r: Run, open: { bold: string; italic: string; strike: string }, close = open): string {
  const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  if (!core) return text;
  let out = core;
  if (r.strike) out = `${open.strike}${out}${close.strike}`;
  if (r.italic) out = `${open.italic}${out}${close.italic}`;
  if (r.bold) out = `${open.bold}${out}${close.bold}`;
  return `${lead}${out}${trail}`;
}

export const dialects = {
  /** Slack mrkdwn (Block Kit section text). */
  slack: {
    text: (s) => defuseMentions(escapeSlack(s)),
    run(r, text) {
      const body = r.code ? `\`${escapeSlack(codeSafe(r.text))}\`` : marks(text, r, { bold: '*', italic: '_', strike: '~' });
      return r.href ? `<${escapeSlack(r.href).replace(/\|/g, '%7C')}|${body.replace(/\|/g, '∣')}>` : body;
    },
    codeBlock: (s) => `\`\`\`${escapeSlack(codeSafe(s))}\`\`\``,
    quote: (s) => s.split('\n').map((line) => `&gt; ${line}`).join('\n'),
    lineBreak: '\n',
  },
  /** CommonMark-like markdown: Discord embeds and Mattermost attachments. */
  markdown: {
    text: (s) => defuseMentions(escapeMarkdown(s)),
    run(r, text) {
      const body = r.code ? `\`${codeSafe(inertText(r.text))}\`` : marks(text, r, { bold: '**', italic: '*', strike: '~~' });
      return r.href ? `[${body}](<${r.href.replace(/[<>\\\s]/g, encodeURIComponent)}>)` : body;
    },
    codeBlock: (s) => `\`\`\`\n${codeSafe(inertText(s))}\n\`\`\``,
    quote: (s) => s.split('\n').map((line) => `> ${line}`).join('\n'),
    lineBreak: '\n',
  },
  /** The HTML subset Google Chat's card text takes. */
  html: {
    text: (s) => defuseMentions(escapeHtmlText(s)).replace(/\n/g, '<br>'),
    run(r, text) {
      const body = r.code ? `<font color="#57606a">${escapeHtmlText(r.text)}</font>` : marks(text, r, { bold: '<b>', italic: '<i>', strike: '<s>' }, { bold: '</b>', italic: '</i>', strike: '</s>' });
      return r.href ? `<a href="${escapeHtmlText(r.href)}">${body}</a>` : body;
    },
    codeBlock: (s) => `<font color="#57606a">${escapeHtmlText(s).replace(/\n/g, '<br>')}</font>`,
    quote: (s) => `<i>${s}</i>`,
    lineBreak: '<br>',
  },
} satisfies Record<string, Dialect>;

const sameStyle = (a: Run, b: Run) => !!a.bold === !!b.bold && !!a.italic === !!b.italic && !!a.strike === !!b.strike && !!a.code === !!b.code && a.href === b.href;

/**
 * Neighbouring runs of one style as one, so that a mention split by markup
 * (`\@channel`, `@<b></b>channel`) is whole again when mentions are made
 * inert; and a run that still ends in @ gets a word joiner, since whatever
 * follows it in another style must not complete a mention.
 */
function mergedRuns(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    const last = out.at(-1);
    if (last && sameStyle(last, r)) out[out.length - 1] = { ...last, text: last.text + r.text };
    else out.push({ ...r });
  }
  return out.map((r) => (r.text.endsWith('@') ? { ...r, text: `${r.text}\u2060` } : r));
}

function renderBlock(b: Block, d: Dialect): string {
  if (b.code) return d.codeBlock(b.runs.map((r) => r.text).join(''));
  const line = mergedRuns(b.runs).map((r) => d.run(r, d.text(r.text))).join('');
  return b.quote ? d.quote(line) : line;
}

/**
 * The markdown in a dialect, at most `limit` characters: whole blocks while
 * they fit, then an ellipsis (the message links to the page for the rest). A
 * first block longer than the limit is cut as plain text, never inside a
 * link or an escape.
 */
export function toDialect(markdown: string, d: Dialect, limit: number): string {
  const more = `${d.lineBreak}${d.lineBreak}…`;
  // The text after each whole block: a cut goes back to the last one that leaves room for the ellipsis.
  const kept: string[] = [];
  const blocks = markdownBlocks(markdown);
  for (const b of blocks) {
    const out = kept.at(-1);
    const part = renderBlock(b, d);
    const next = out ? `${out}${b.tight ? d.lineBreak : d.lineBreak + d.lineBreak}${part}` : part;
    if (next.length <= limit) {
      kept.push(next);
      continue;
    }
    const room = kept.findLast((text) => text.length + more.length <= limit);
    if (room) return `${room}${more}`;
    break;
  }
  if (kept.length && kept.length === blocks.length) return kept.at(-1)!;
  if (!markdown.trim()) return '';
  // Even the first block is too long: its plain text, cut until it fits escaped.
  const plain = markdown.replace(/\s+/g, ' ').trim();
  for (let n = limit - 1; n > 0; n = Math.floor(n * 0.8)) {
    const cut = plainCut(plain, n);
    if (d.text(cut).length + 1 <= limit) return `${d.text(cut)}…`;
  }
  return '…';
}

/** At most `n` characters of text, cut at a space where there is one. */
function plainCut(plain: string, n: number): string {
  if (plain.length <= n) return plain;
  const cut = plain.slice(0, n);
  const space = cut.lastIndexOf(' ');
  return space > n / 2 ? cut.slice(0, space) : cut;
}

/**
 * Text for places no markup is read in (plain_text, titles, Teams TextRuns),
 * made inert anyway: group mentions get their word joiner, and so do
 * <!channel>, <@U123> and <users/all> after the <, keeping the look and losing
 * the meaning wherever a client might still read them.
 */
export function inertText(s: string): string {
  return defuseMentions(s).replace(/<(?=[!@#\w])/g, '<\u2060');
}

/** Text for a place that takes no formatting at all (Slack's header, a Discord embed title): mentions made inert, cut to `limit`. */
export function plainText(s: string, limit: number): string {
  return cut(inertText(s.replace(/\s+/g, ' ').trim()), limit);
}

/** Text in a dialect, made inert, at most `limit` characters once escaped: cut before escaping, never inside an escape. */
export function inDialect(d: Dialect, s: string, limit: number): string {
  let n = limit;
  for (let out = d.text(cut(s, n)); ; out = d.text(cut(s, n))) {
    if (out.length <= limit || n <= 1) return out.length <= limit ? out : '…';
    n = Math.max(1, Math.floor(n * 0.8));
  }
}

/** At most `limit` characters, the last of them an ellipsis when something was cut; never half of a surrogate pair. */
export function cut(s: string, limit: number): string {
  if (s.length <= limit) return s;
  let end = limit - 1;
  if (/[\ud800-\udbff]/.test(s[end - 1] ?? '')) end--;
  return `${s.slice(0, end)}…`;
}
