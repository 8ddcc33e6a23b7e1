// The XSS corpus (tests/helpers/attack-payloads.ts) through every writer that
// is not a browser page: markdown, the RSS feed, the Statuspage JSON documents
// and the notification mails. Titles are text, bodies are markdown; neither may
// come out as live markup, and the JSON keeps what staff typed, verbatim.
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { buildFeed } from '../../src/lib/feed';
import { updateMail, windowMail, type MailSite } from '../../src/lib/mail/messages';
import { renderMarkdown } from '../../src/lib/markdown';
import type { Incident, IncidentUpdate } from '../../src/lib/model';
import { currentComponentStatuses, pageStatus } from '../../src/lib/status';
import { statuspageDocuments } from '../../src/lib/statuspage';
import { unsafeMarkup, xssPayloads } from '../helpers/attack-payloads';
import { component, incident } from '../helpers/factories';

const site = { pageName: 'Example Mail', description: null, siteUrl: 'https://status.example.com', timeZone: 'UTC', componentNames: new Map<string, string>(), locale: 'en' as const, defaultLocale: 'en' as const };
const mailSite: MailSite = { pageName: 'Example Mail', siteUrl: 'https://status.example.com', timeZone: 'Europe/Berlin', componentNames: new Map(), locale: 'en', defaultLocale: 'en' };
const links = { manage: 'https://status.example.com/subscribe/manage?s=1&t=abc', unsubscribe: 'https://status.example.com/unsubscribe?s=1&t=abc' };

const update = (id: string, body: string, at: string): IncidentUpdate & { status: 'identified' } => ({
  automatic: false,
  componentChanges: [],
  nextUpdateBy: null,
  promiseKept: false,
  id,
  status: 'identified',
  body,
  at: new Date(at),
  source: 'live',
  editedAt: null,
  notified: true,
});

/** One incident per payload: the payload is its title and the body of its only update. */
const attacked: Incident[] = xssPayloads.map((payload, n) =>
  incident({
    id: `attack-${n}`,
    title: payload,
    components: [{ id: 'webmail', status: 'major_outage' }],
    updates: [update(`attack-${n}#${n + 1}`, payload, new Date(Date.UTC(2026, 10, 20, 10, n)).toISOString())],
  }),
);

it('the corpus is large and each payload fits a component name', () => {
  expect(xssPayloads.length).toBeGreaterThanOrEqual(60);
  for (const payload of xssPayloads) expect(payload.length, payload).toBeLessThanOrEqual(90);
  expect(new Set(xssPayloads).size).toBe(xssPayloads.length);
});

it('the checker itself finds what it is meant to find', () => {
  expect(unsafeMarkup('<p onclick="x">a</p>')).toEqual(['<p onclick>']);
  expect(unsafeMarkup('<a href="&#106;ava&#x09;script:alert(1)">x</a>')).toHaveLength(1);
  expect(unsafeMarkup('<a href=" data:text/html,x">x</a>')).toHaveLength(1);
  expect(unsafeMarkup('<svg><script>x</script></svg>')).toEqual(['<svg>', '<script>']);
  expect(unsafeMarkup('<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=x</p>')).toEqual([]);
});

describe('markdown', () => {
  it.each(xssPayloads.map((p) => [p]))('renders %j without live markup', (payload) => {
    expect(unsafeMarkup(renderMarkdown(payload))).toEqual([]);
  });

  it('renders all of them at once, as one body, without live markup', () => {
    expect(unsafeMarkup(renderMarkdown(xssPayloads.join('\n\n')))).toEqual([]);
  });
});

describe('the RSS feed', () => {
  const xml = buildFeed({ ...site, incidents: attacked });

  it('has no script anywhere in the raw XML, not even inside CDATA', () => {
    expect(xml).not.toMatch(/<script/i);
    expect(xml).not.toMatch(/<(iframe|object|embed|svg|img)\b[^>]*\son/i);
  });

  it('parses, with every title as the text typed and every description free of live markup', async () => {
    const feed = await new Parser().parseString(xml);
    expect(feed.items).toHaveLength(Math.min(50, xssPayloads.length));
    for (const item of feed.items) {
      const n = Number(item.guid!.split('#')[1]) - 1;
      expect(item.title, xssPayloads[n]).toBe(`${xssPayloads[n]} — Identified`);
      expect(unsafeMarkup(item.content ?? ''), xssPayloads[n]).toEqual([]);
    }
  });

  it('keeps a page name with markup as text too', async () => {
    const hostile = buildFeed({ ...site, pageName: '</title><script>window.__xss=1</script>', description: '<img src=x onerror=alert(1)>', incidents: attacked.slice(0, 1) });
    expect(hostile).not.toMatch(/<script|<img/i);
    const feed = await new Parser().parseString(hostile);
    expect(feed.title).toBe('</title><script>window.__xss=1</script> status');
    expect(feed.description).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('the Statuspage JSON documents', () => {
  const web = component({ id: 'webmail', name: '<img src=x onerror=alert(1)>', description: '"><script>window.__xss=1</script>' });
  const shown = currentComponentStatuses([web], attacked);
  const docs = statuspageDocuments({
    pageName: '<script>window.__xss=1</script>',
    siteUrl: site.siteUrl,
    timeZone: 'UTC',
    sections: [{ id: null, name: 'Other services', components: shown }],
    components: shown,
    incidents: attacked,
    status: pageStatus(shown, attacked),
  });

  it('keeps names and markdown bodies exactly as typed, through a JSON round trip', () => {
    const incidents = JSON.parse(JSON.stringify(docs.incidents())).incidents as { name: string; incident_updates: { body: string }[] }[];
    expect(incidents).toHaveLength(50);
    for (const i of incidents) {
      expect(xssPayloads).toContain(i.name);
      expect(i.incident_updates[0].body).toBe(i.name);
    }
    const summary = JSON.parse(JSON.stringify(docs.summary()));
    expect(summary.page.name).toBe('<script>window.__xss=1</script>');
    expect(summary.components[0]).toMatchObject({ name: web.name, description: web.description });
  });

  it('is a JSON string escape-safe for every payload (quotes and backslashes cannot end a string early)', () => {
    for (const payload of xssPayloads) expect(JSON.parse(JSON.stringify({ body: payload })).body).toBe(payload);
  });
});

describe('notification mails', () => {
  const subscriber = { id: 7, address: 'reader@example.com' };

  it.each(attacked.map((i) => [i.title, i]))('an update titled and written %j mails no live markup', (_, attack) => {
    const target = attack as Incident;
    const mail = updateMail(mailSite, target, target.updates[0] as IncidentUpdate & { status: 'identified' }, 1, subscriber, links);
    expect(unsafeMarkup(mail.html, { allowStyle: true })).toEqual([]);
    // The text part is plain text: the markdown source as typed.
    expect(mail.text).toContain(target.updates[0].body);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('a title with line breaks cannot add headers through the subject', () => {
    const target = incident({ id: 'crlf', title: 'Webmail down\r\nBcc: everyone@example.com\nX-Injected: 1\r', updates: [update('crlf#1', 'Hello', '2026-11-20T10:00:00Z')] });
    const mail = updateMail(mailSite, target, target.updates[0] as IncidentUpdate & { status: 'identified' }, 1, subscriber, links);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Webmail down');
    const maintenance = incident({ ...target, id: 'crlf-m', kind: 'maintenance', scheduledFor: new Date('2026-12-01T02:00:00Z'), scheduledUntil: new Date('2026-12-01T03:00:00Z') });
    expect(windowMail(mailSite, maintenance, 'reminder', subscriber, links).subject).not.toMatch(/[\r\n]/);
    for (const header of Object.values(mail.headers)) expect(header).not.toMatch(/[\r\n]/);
  });

  it('a page name with markup is escaped in the frame', () => {
    const hostileSite = { ...mailSite, pageName: '</title><script>window.__xss=1</script>' };
    const mail = updateMail(hostileSite, attacked[0], attacked[0].updates[0] as IncidentUpdate & { status: 'identified' }, 1, subscriber, links);
    expect(unsafeMarkup(mail.html, { allowStyle: true })).toEqual([]);
  });
});
