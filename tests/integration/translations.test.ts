// Staff's words in several languages, end to end below the web layer: the
// markdown format (and its mistakes, each naming the file), translations
// given with an incident and an update or afterwards (checked, audited),
// the timeline that merges them, and mail in each subscriber's language
// through a real SMTP server: German for an update written in English and
// German, English with a "not translated" note where German is missing, and
// threading and one-click unsubscribe as in every other mail.
import type { ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, translations } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { ContentError, parseIncidentFile } from '../../src/lib/content/incident-file';
import type { PageSettings } from '../../src/lib/content/catalog';
import { contentFolder } from '../../src/lib/server/paths';
import { correctUpdate, createIncident, postUpdate, postWindowUpdates, resolveIncident, scheduleMaintenance, translateIncident } from '../../src/lib/server/publishing/staff-actions';
import { makeOccurrences } from '../../src/lib/server/publishing/maintenance-series';
import { incidents } from '../../src/db/schema';
import { eq } from 'drizzle-orm';
import { readIncident } from '../../src/lib/server/read-model';
import { purgeTrash, trashIncident } from '../../src/lib/server/storage/trash';
import { DeliveryWorker, mailTransport } from '../../src/lib/server/subscribers/delivery';
import { confirmSubscriber, subscribeEmail, subscriberFromLink } from '../../src/lib/server/subscribers/subscriptions';
import { ActionError } from '../../src/lib/server/validate';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { confirmNotice, updateNotice } from '../../src/lib/chat/messages';
import { freshContext } from '../helpers/temp-db';
import { cpSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const content = readContentFolder(contentFolder);
const page: PageSettings = { ...content.page, languages: ['en', 'de', 'fr'], default_language: 'en' };
const known = new Set(content.catalog.components.map((c) => c.id));

const sinks: SmtpSink[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of sinks.splice(0)) await s.close();
});

async function setup() {
  const sink = await startSmtpSink();
  sinks.push(sink);
  const base = freshContext();
  const ctx = { ...base, content: { page, templates: [] } };
  const config = loadConfig({ HERALD_DB: base.path, SITE_URL: 'https://status.example.com', SMTP_URL: sink.url, MAIL_RETRY_MIN_SECONDS: '0.05' });
  const worker = new DeliveryWorker({ ...base, config, page, transport: mailTransport(config.mail), idleMs: 20 });
  workers.push(worker);
  return { ctx, sink, worker };
}

const linkIn = (mail: ParsedMail, path: string) => {
  const match = new RegExp(`https://status\\.example\\.com${path}\\?s=(\\d+)&t=([\\w-]+)`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return { s: match[1], t: match[2] };
};

async function subscribed(env: Awaited<ReturnType<typeof setup>>, email: string, locale: 'de' | 'fr' | null) {
  const before = env.sink.messages.length;
  expect(subscribeEmail(env.ctx.db, { email, componentIds: [], clientAddress: '192.0.2.1', locale })).toBe('sent');
  await env.worker.runOnce();
  await env.sink.waitFor(before + 1);
  const confirmation = env.sink.to(email).at(-1)!;
  const prefix = locale ? `/${locale}` : '';
  const link = linkIn(confirmation, `${prefix}/subscribe/confirm`);
  const subscriber = subscriberFromLink(env.ctx.db, 'confirm', link.s, link.t)!;
  confirmSubscriber(env.ctx.db, subscriber);
  return confirmation;
}

const file = `---
title: Webmail is slow
translations:
  de:
    title: Webmail ist langsam
impact: minor
components:
  webmail: degraded_performance
---

## 2026-09-14T08:20:00Z investigating
Pages take a minute to load.

## 2026-09-14T08:20:00Z investigating de
Seiten brauchen eine Minute.

## 2026-09-14T09:00:00Z resolved
Fixed.

## 2026-09-14T09:00:00Z resolved de
Behoben.
`;
const parse = (text: string, name = 'x') => parseIncidentFile(name, `content/incidents/${name}.md`, text, known);
const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ContentError);
    return (error as Error).message;
  }
  throw new Error('parsed');
};

describe('translated markdown incidents', () => {
  it('carry a title and every update in another language', () => {
    const incident = parse(file);
    expect(incident.title).toBe('Webmail is slow');
    expect(incident.titles).toEqual({ de: 'Webmail ist langsam' });
    expect(incident.updates.map((u) => [u.body, u.translations])).toEqual([
      ['Pages take a minute to load.', { de: 'Seiten brauchen eine Minute.' }],
      ['Fixed.', { de: 'Behoben.' }],
    ]);
  });

  it('refuse a translation that names an unknown language, misses an update, or translates none, naming the file', () => {
    expect(refusal(file.replace(/ de$/gm, ' xx').replace('  de:', '  xx:'))).toMatch(/^content\/incidents\/x\.md: translations\.xx: "xx" is not a language Herald has/);
    expect(refusal(file.replace('## 2026-09-14T09:00:00Z resolved de\nBehoben.\n', ''))).toBe(
      'content/incidents/x.md: translations.de: the update "## 2026-09-14T09:00:00Z resolved" has no translation: add a "## 2026-09-14T09:00:00Z resolved de" section',
    );
    expect(refusal(file.replace('09:00:00Z resolved de', '09:30:00Z resolved de'))).toMatch(/updates \("## 2026-09-14T09:30:00Z resolved de"\): translates no update/);
    expect(refusal(file.replace('translations:\n  de:\n    title: Webmail ist langsam\n', ''))).toMatch(/add the title in de under translations\.de\.title/);
    expect(refusal(file.replace('Behoben.', ''))).toMatch(/the translation is empty/);
    expect(refusal(file.replace('\n## 2026-09-14T09:00:00Z resolved de\n', '\n## 2026-09-14T08:20:00Z investigating de\n'))).toMatch(/translated into that language twice/);
  });

  it('must be into a language the page offers, other than its own', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'herald-tr-')), 'content');
    cpSync(contentFolder, folder, { recursive: true });
    writeFileSync(join(folder, 'incidents', '2026-09-14-slow.md'), file);
    expect(() => readContentFolder(folder)).toThrow('content/incidents/2026-09-14-slow.md: translations.de: the page is not offered in de: add it to languages in content/page.yml');
    writeFileSync(join(folder, 'page.yml'), `${readFileSync(join(folder, 'page.yml'), 'utf8')}languages: [en, de]\n`);
    expect(readContentFolder(folder).authored.find((a) => a.id === '2026-09-14-slow')?.titles).toEqual({ de: 'Webmail ist langsam' });
  });
});

describe('translations staff post', () => {
  it('come with an incident and an update, are merged into the timeline, and can be given, corrected and removed afterwards, audited', async () => {
    const { ctx } = await setup();
    const id = createIncident(ctx, { title: 'Logins fail', impact: 'major', message: 'We are looking.', translations: { de: { title: 'Anmeldungen scheitern', message: 'Wir sehen nach.' } } });
    const row = postUpdate(ctx, id, { status: 'identified', message: 'Found it.', translations: { de: { message: '' }, fr: { message: 'Trouvé.' } } });
    let incident = readIncident(ctx, id)!.incident;
    expect(incident.titles).toEqual({ de: 'Anmeldungen scheitern' });
    expect(incident.updates.map((u) => u.translations ?? {})).toEqual([{ fr: 'Trouvé.' }, { de: 'Wir sehen nach.' }]);

    translateIncident(ctx, id, 'de', { updates: [{ id: row, message: 'Gefunden.' }] });
    translateIncident(ctx, id, 'fr', { title: 'Les connexions échouent', updates: [{ id: row, message: '' }] });
    incident = readIncident(ctx, id)!.incident;
    expect(incident.titles).toEqual({ de: 'Anmeldungen scheitern', fr: 'Les connexions échouent' });
    expect(incident.updates[0].translations).toEqual({ de: 'Gefunden.' });
    const audited = ctx.db.select().from(auditLog).all().filter((a) => a.action === 'incident.translate');
    expect(audited.map((a) => JSON.parse(a.detail ?? '{}').language)).toEqual(['de', 'fr']);

    // Gone with the incident when the trash is emptied.
    trashIncident(ctx, id);
    purgeTrash(ctx.db, 0, new Date(Date.now() + 1000));
    expect(ctx.db.select().from(translations).all()).toEqual([]);
  });

  it('are refused, naming the field, for a language the page does not offer, its own, or another incident\'s update', async () => {
    const { ctx } = await setup();
    const id = createIncident(ctx, { title: 'A', impact: 'minor', message: 'a' });
    const other = createIncident(ctx, { title: 'B', impact: 'minor', message: 'b' });
    const otherUpdate = postUpdate(ctx, other, { status: 'identified', message: 'b2' });
    const fieldOf = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        expect(error).toBeInstanceOf(ActionError);
        return `${(error as ActionError).field}: ${(error as ActionError).message}`;
      }
      throw new Error('accepted');
    };
    expect(fieldOf(() => postUpdate(ctx, id, { status: 'identified', message: 'x', translations: { ja: { message: 'x' } } }))).toBe("translations.ja: the page's other languages are de, fr");
    expect(fieldOf(() => postUpdate(ctx, id, { status: 'identified', message: 'x', translations: { en: { message: 'x' } } }))).toMatch(/^translations\.en: /);
    expect(fieldOf(() => postUpdate(ctx, id, { status: 'identified', message: 'x', translations: { de: { title: 'x' } } }))).toBe('translations.de.title: not taken here: only message');
    expect(fieldOf(() => createIncident(ctx, { title: 'C', impact: 'minor', message: 'c', translations: { de: { message: 'x'.repeat(20_001) } } }))).toBe('translations.de.message: message is longer than 20000 characters');
    expect(fieldOf(() => translateIncident(ctx, id, 'de', { updates: [{ id: otherUpdate, message: 'x' }] }))).toBe(`updates.0.id: update ${otherUpdate} is not one of this incident's live updates`);
    expect(fieldOf(() => translateIncident(ctx, id, 'xx', { title: 'x' }))).toMatch(/^translations\.xx: /);
    expect(ctx.db.select().from(translations).all()).toEqual([]);
  });
});

describe('mail in the subscriber’s language', () => {
  it('German where staff wrote German, English with a note where they did not; links lead to the German pages; threading unchanged', async () => {
    const env = await setup();
    const confirmation = await subscribed(env, 'anna@example.com', 'de');
    expect(confirmation.subject).toBe('[Status von Example Mail] Abonnement bestätigen');
    expect(confirmation.text).toContain('Jemand (hoffentlich Sie) möchte mit dieser Adresse Status von Example Mail folgen.');
    expect(confirmation.html).toMatch(/^<!doctype html><html lang="de" dir="ltr">/);
    await subscribed(env, 'bob@example.com', null);

    const id = createIncident(env.ctx, {
      title: 'Webmail down',
      impact: 'major',
      message: 'We are looking into it.',
      components: [{ id: 'webmail', status: 'major_outage' }],
      translations: { de: { title: 'Webmail ausgefallen', message: 'Wir sehen uns das an.' } },
    });
    await env.worker.runOnce();
    await env.sink.waitFor(4);
    const [german] = env.sink.to('anna@example.com').slice(-1);
    const [english] = env.sink.to('bob@example.com').slice(-1);
    expect(german.subject).toBe('[Status von Example Mail] Webmail ausgefallen — Wird untersucht');
    expect(german.text).toContain('Störung · Wird untersucht · ');
    expect(german.text).toContain('Betroffen: Web interface: schwerer Ausfall');
    expect(german.text).toContain('Wir sehen uns das an.');
    expect(german.text).not.toContain('We are looking');
    expect(german.text).not.toContain('übersetzt');
    expect(german.text).toContain(`Verfolgen: https://status.example.com/de/incidents/${id}`);
    expect(german.text).toMatch(/Abmelden: https:\/\/status\.example\.com\/de\/unsubscribe\?s=\d+&t=/);
    expect(german.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toMatch(/<https:\/\/status\.example\.com\/de\/unsubscribe\?s=\d+&t=[\w-]+>/);
    expect(english.subject).toBe('[Example Mail status] Webmail down — Investigating');
    expect(english.text).toContain('We are looking into it.');
    expect(english.text).toContain('Affected: Web interface: major outage');

    // An update posted in English only: German readers get it in English, told so, marked as English in the HTML.
    resolveIncident(env.ctx, id, 'Fixed: a full disk.');
    await env.worker.runOnce();
    await env.sink.waitFor(6);
    const resolved = env.sink.to('anna@example.com').at(-1)!;
    expect(resolved.subject).toBe('[Status von Example Mail] Webmail ausgefallen — Behoben');
    expect(resolved.text).toContain('Noch nicht übersetzt: auf English angezeigt.');
    expect(resolved.text).toContain('Fixed: a full disk.');
    expect(resolved.html).toContain('<div lang="en">');
    expect(resolved.html).toContain('Web interface: schwerer Ausfall im schlimmsten Fall');
    // Same thread as the first mail, as for any subscriber.
    expect(resolved.inReplyTo).toBe(german.messageId);
  });
});

describe('chat cards in the channel’s language', () => {
  it('German labels and German words where translated, the note where not', async () => {
    const { ctx } = await setup();
    const id = createIncident(ctx, { title: 'Webmail down', impact: 'major', message: 'Looking.', components: [{ id: 'webmail', status: 'major_outage' }], translations: { de: { title: 'Webmail ausgefallen', message: 'Wir sehen nach.' } } });
    const row = postUpdate(ctx, id, { status: 'identified', message: 'A disk is full.', nextUpdate: '30m' });
    const incident = readIncident(ctx, id)!.incident;
    const site = { pageName: 'Example Mail', siteUrl: 'https://status.example.com', timeZone: 'UTC', componentNames: new Map([['webmail', 'Web interface']]), locale: 'de' as const, defaultLocale: 'en' as const };
    const first = updateNotice(site, incident, incident.updates[1] as never, 'https://status.example.com/de/unsubscribe?s=1&t=x');
    expect(first).toMatchObject({ source: 'Status von Example Mail', title: 'Webmail ausgefallen', body: 'Wir sehen nach.', link: { url: `https://status.example.com/de/incidents/${id}`, text: 'Auf der Statusseite verfolgen' } });
    expect(first.subtitle).toMatch(/^Störung · Wird untersucht · Auswirkung: Erheblich · /);
    expect(first.facts).toContainEqual({ label: 'Betroffen', value: 'Web interface: schwerer Ausfall' });
    const second = updateNotice(site, incident, incident.updates[0] as never, '');
    expect(incident.updates[0].id).toBe(`${id}#${row}`);
    expect(second.body).toBe('_Noch nicht übersetzt: auf English angezeigt._\n\nA disk is full.');
    expect(second.facts.map((f) => f.label)).toContain('Nächste Meldung');
    expect(confirmNotice(site, 'https://c', 'https://u', new Date()).title).toBe('Updates von „Status von Example Mail“ hier posten?');
  });
});

describe('translations that follow the incident', () => {
  it('a correction drops the translations of the text it replaced; Herald\'s own window updates read in every language', async () => {
    const { ctx } = await setup();
    const id = createIncident(ctx, { title: 'A', impact: 'minor', message: 'Data loss possible.', translations: { de: { message: 'Datenverlust möglich.' } } });
    const [first] = readIncident(ctx, id)!.incident.updates;
    correctUpdate(ctx, Number(first.id.split('#')[1]), 'No data loss.');
    expect(readIncident(ctx, id)!.incident.updates[0].translations).toBeUndefined();

    const from = new Date(Date.now() - 60_000);
    const maintenance = scheduleMaintenance(ctx, { title: 'Move', message: 'Moving.', scheduledFor: from, scheduledUntil: new Date(from.getTime() + 3_600_000), translations: { de: { title: 'Umzug', message: 'Wir ziehen um.' } } });
    postWindowUpdates(ctx, readIncident(ctx, maintenance)!.incident);
    const started = readIncident(ctx, maintenance)!.incident.updates[0];
    expect(started).toMatchObject({ automatic: true, body: 'The maintenance has begun, as scheduled.' });
    expect(started.translations).toMatchObject({ de: 'Die Wartung hat wie geplant begonnen.', ja: 'メンテナンスを予定どおり開始しました。' });
  });

  it('each window of a recurring maintenance carries the first window\'s translations', async () => {
    const { ctx } = await setup();
    // A whole minute: the rule's windows start where the first does.
    const first = new Date(Math.ceil((Date.now() + 86_400_000) / 3_600_000) * 3_600_000);
    const id = scheduleMaintenance(ctx, {
      title: 'Weekly patching',
      message: 'Rolling restarts.',
      scheduledFor: first,
      scheduledUntil: new Date(first.getTime() + 3_600_000),
      recurrence: 'FREQ=WEEKLY;COUNT=3',
      notify: false,
      translations: { de: { title: 'Wöchentliche Updates', message: 'Neustarts nacheinander.' } },
    });
    makeOccurrences(ctx, new Date(first.getTime() + 7 * 86_400_000));
    const windows = ctx.db.select().from(incidents).where(eq(incidents.seriesId, id)).all().filter((w) => w.id !== id);
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) {
      const window = readIncident(ctx, w.id)!.incident;
      expect(window.titles).toEqual({ de: 'Wöchentliche Updates' });
      expect(window.updates[0].translations).toEqual({ de: 'Neustarts nacheinander.' });
    }
  });
});
