// Update markdown in the chat dialects: formatting carried over, text made
// inert, only http(s)/mailto links, and the length limit kept whatever the text.
import { describe, expect, it } from 'vitest';
import { dialects, inertText, markdownBlocks, toDialect } from '../../src/lib/chat/format';
import { chatPayload, confirmNotice } from '../../src/lib/chat/messages';
import { detectPlatform, isGoneAnswer, maskChatUrl, postUrl } from '../../src/lib/chat/platforms';

describe('toDialect', () => {
  const md = 'We **found** it: _a bad_ ~~deploy~~ in `api <x>`.\n\n1. roll back\n2. watch\n\n> quoted @here\n\n[docs](https://docs.example.com/a_(b)) [bad](javascript:alert(1))';

  it('writes Slack mrkdwn with &, < and > escaped', () => {
    const out = toDialect(md, dialects.slack, 3000);
    expect(out).toContain('We *found* it: _a bad_ ~deploy~ in `api &lt;x&gt;`.');
    expect(out).toContain('1. roll back\n2. watch');
    expect(out).toContain('&gt; quoted @\u2060here');
    expect(out).toContain('<https://docs.example.com/a_(b)|docs>');
    // A javascript: link keeps its words and loses the link.
    expect(out).toMatch(/ bad$/);
    expect(out).not.toContain('javascript');
  });

  it('writes markdown with what could format or mention escaped', () => {
    expect(toDialect('a *b* [c](https://e.example) _d_ <@1> # e', dialects.markdown, 500)).toBe('a *b* [c](<https://e.example>) *d* \\<@1\\> # e');
    expect(toDialect('# not a heading\n\nline\n- dash\n\n-x', dialects.markdown, 500)).toBe('**not a heading**\n\nline\n\n• dash\n\n\\-x');
  });

  it('writes Google Chat HTML escaped', () => {
    expect(toDialect('<b>x</b> & **y** [z](https://e.example/?a=1&b=2)', dialects.html, 500)).toBe('x &amp; <b>y</b> <a href="https://e.example/?a=1&amp;b=2">z</a>');
  });

  it.each(Object.entries(dialects))('keeps %s within the limit, even for one huge block of escapes', (_, d) => {
    for (const text of ['&'.repeat(10_000), `${'word '.repeat(3000)}`, `[${'x'.repeat(5000)}](https://e.example)`, Array.from({ length: 200 }, (_, i) => `para ${i} <&>`).join('\n\n')]) {
      for (const limit of [100, 1024, 3000]) {
        const out = toDialect(text, d, limit);
        expect(out.length).toBeLessThanOrEqual(limit);
        expect(out.length).toBeGreaterThan(0);
      }
    }
  });

  it('reads character references and drops raw HTML, keeping its text', () => {
    expect(markdownBlocks('a &amp; b <span>c</span>')[0].runs.map((r) => r.text).join('')).toBe('a & b c');
    expect(toDialect('<div>\n<p>only <b>block</b> html</p>\n</div>', dialects.markdown, 500)).toBe('only block html');
  });

  it.each(Object.entries(dialects))('leaves no group mention in %s, however markup splits it', (_, d) => {
    for (const md of ['\\@channel', '@<b></b>channel', '@<span>here</span>', '**@**everyone', '@&#99;hannel', '@\n\nall']) {
      expect(toDialect(md, d, 500), md).not.toMatch(/@(channel|here|everyone|all)\b/);
    }
  });

  it('makes mentions and <…> sequences inert without changing how they read', () => {
    expect(inertText('@everyone <!channel> <@U1> <users/all> a < b')).toBe('@\u2060everyone <\u2060!channel> <\u2060@U1> <\u2060users/all> a < b');
  });
});

describe('payload limits', () => {
  it('keeps a Teams card under 28 KB even when every word is formatted', () => {
    const site = { pageName: 'P', siteUrl: 'https://s.example', timeZone: 'UTC', componentNames: new Map<string, string>(), locale: 'en' as const, defaultLocale: 'en' as const };
    const notice = { ...confirmNotice(site, 'https://s.example/c', 'https://s.example/u', new Date()), body: Array.from({ length: 3000 }, (_, i) => (i % 2 ? `**b${i}**` : `_i${i}_`)).join(' ') };
    const size = Buffer.byteLength(JSON.stringify(chatPayload('teams', notice)));
    expect(size).toBeLessThanOrEqual(28_000);
    expect(JSON.stringify(chatPayload('teams', notice))).toContain('b1');
  });
});

describe('platform URLs', () => {
  it('tells platforms by host, and by path elsewhere', () => {
    expect(detectPlatform(new URL('https://chat.example.com/hooks/abcdefghijklmnopqrstuvwxyz'))).toEqual({ platform: 'mattermost', certain: false });
    expect(detectPlatform(new URL('https://example.com/hook'))).toBeNull();
  });

  it('masks the URL to its host and four characters', () => {
    expect(maskChatUrl(new URL('https://hooks.slack.com/services/T01/B02/secretXYZ9'))).toBe('hooks.slack.com …XYZ9');
  });

  it('threads Google Chat by a key on the URL and leaves others as given', () => {
    const google = new URL(postUrl('google_chat', 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t', 'inc-1'));
    expect(google.searchParams.get('messageReplyOption')).toBe('REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    expect(google.searchParams.get('token')).toBe('t');
    expect(postUrl('discord', 'https://discord.com/api/webhooks/1/x?thread_id=9', 'inc-1')).toBe('https://discord.com/api/webhooks/1/x?thread_id=9');
  });

  it('reads "gone" only where the platform means it', () => {
    expect(isGoneAnswer('slack', 403, 'invalid_token')).toBe(true);
    expect(isGoneAnswer('slack', 403, 'action_prohibited')).toBe(false);
    expect(isGoneAnswer('discord', 401, '{"code": 50027}')).toBe(true);
    expect(isGoneAnswer('discord', 400, '{"code": 50035}')).toBe(false);
    expect(isGoneAnswer('teams', 500, '')).toBe(false);
    expect(isGoneAnswer('google_chat', 410, '')).toBe(true);
  });
});
