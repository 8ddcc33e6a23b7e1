// The interface's languages: every catalogue has every key English has and no
// other, keeps each message's placeholders, and has the plural forms its
// language needs; messages fill in and pluralise; Accept-Language picks a
// language as RFC 4647 lookup does; dates read right in each language across
// a daylight-saving change; page.yml's languages are checked.
import { describe, expect, it } from 'vitest';
import { localeCodes, locales } from '../../src/lib/i18n/locales';
import { negotiateLocale } from '../../src/lib/i18n/negotiate';
import { catalogues, translator, type Message } from '../../src/lib/i18n/translate';
import { en } from '../../src/lib/i18n/messages/en';
import { pageSchema } from '../../src/lib/content/catalog';
import { formatDateTime, formatDuration, formatMonth, formatWindow, formatWithUtc } from '../../src/lib/time';
import { localizedPath, splitLocalePath } from '../../src/lib/i18n/paths';
import { accessFor, isPersonalPath, isSharedPublicPath } from '../../src/lib/server/accounts/access';

const placeholders = (m: Message) => [...new Set((typeof m === 'string' ? [m] : Object.values(m)).flatMap((text) => [...text!.matchAll(/\{(\w+)\}/g)].map((x) => x[1])))].sort();

describe('catalogues', () => {
  it.each(localeCodes)('%s has every key of English and no other', (locale) => {
    expect(Object.keys(catalogues[locale]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(localeCodes)('%s keeps every placeholder and has the plural forms its language needs', (locale) => {
    const categories = new Intl.PluralRules(locales[locale].intl).resolvedOptions().pluralCategories;
    for (const [key, source] of Object.entries(en) as [keyof typeof en, Message][]) {
      const message: Message = catalogues[locale][key];
      expect(placeholders(message), `${locale} ${key}`).toEqual(placeholders(source));
      expect(typeof message, `${locale} ${key}`).toBe(typeof source);
      if (typeof message !== 'string') {
        expect(Object.keys(message).sort(), `${locale} ${key}`).toEqual([...categories].sort());
        for (const text of Object.values(message)) expect(text.trim(), `${locale} ${key}`).not.toBe('');
      } else expect(message.trim(), `${locale} ${key}`).not.toBe('');
    }
  });
});

describe('translator', () => {
  it('fills in placeholders and picks the plural form by count, numbers as the language writes them', () => {
    expect(translator('en')('history.incidents', { count: 1 })).toBe('1 incident');
    expect(translator('en')('history.incidents', { count: 1204 })).toBe('1,204 incidents');
    expect(translator('de')('subscribe.followers', { count: 1204 })).toBe('1.204 Personen folgen dieser Seite per E-Mail.');
    expect(translator('fr')('uptime.days', { count: 1_000_000 })).toBe('1\u202f000\u202f000 de jours');
    expect(translator('ar')('uptime.days', { count: 2 })).toBe(`يومان (${new Intl.NumberFormat('ar').format(2)})`);
    expect(translator('ja')('page.as_of', { time: '12:00' })).toBe('12:00 時点');
  });
});

describe('negotiateLocale', () => {
  const offered = ['en', 'de', 'pt-BR', 'ja'] as const;
  it.each([
    [null, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-AT,de;q=0.9,en;q=0.8', 'de'],
    ['fr-FR,fr;q=0.9,ja;q=0.5', 'ja'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['en;q=0.1, de;q=0.5', 'de'],
    ['de;q=0, ja', 'ja'],
    ['*', 'en'],
    ['x-klingon, 12345, de', 'de'],
    ['zh-Hant-TW', 'en'],
    [`${'fr,'.repeat(5000)}de`, 'en'],
  ])('%s → %s', (header, expected) => {
    expect(negotiateLocale(header, offered, 'en')).toBe(expected);
  });
});

describe('dates in the reader’s language', () => {
  // Europe/Berlin goes from 02:00 CET to 03:00 CEST on 29 March 2026.
  const before = new Date('2026-03-29T00:59:00Z');
  const after = new Date('2026-03-29T01:01:00Z');
  it('reads both sides of the change in English and German', () => {
    expect(formatDateTime(before, 'Europe/Berlin')).toBe('29 Mar 2026, 01:59 CET');
    expect(formatDateTime(after, 'Europe/Berlin')).toBe('29 Mar 2026, 03:01 CEST');
    expect(formatDateTime(before, 'Europe/Berlin', 'de')).toBe('29. März 2026, 01:59 MEZ');
    expect(formatDateTime(after, 'Europe/Berlin', 'de')).toBe('29. März 2026, 03:01 MESZ');
    expect(formatMonth('2026-03', 'ja')).toBe('2026年3月');
  });

  it('writes a maintenance window across the change, and its length, in each language: an hour of it never happened', () => {
    const from = new Date('2026-03-29T00:30:00Z'); // 01:30 CET
    const until = new Date('2026-03-29T01:30:00Z'); // 03:30 CEST: one hour later, not two
    expect(formatWindow(from, until, 'Europe/Berlin')).toBe('29 Mar 2026, 01:30 to 03:30 CEST (00:30 to 01:30 UTC)');
    // Each side as the clock on the wall reads it (one zone name for the range, as Intl writes it), and UTC beside it.
    const plain = (text: string) => text.replace(/[\u00a0\u202f\u2009]/g, ' ');
    expect(plain(formatWindow(from, until, 'Europe/Berlin', 'de'))).toBe('29. März 2026, 01:30–03:30 Uhr MESZ (29. März 2026, 00:30–01:30 Uhr UTC)');
    expect(plain(formatWindow(from, until, 'Europe/Berlin', 'fr'))).toBe('29 mars 2026, 01:30 – 03:30 UTC+2 (29 mars 2026, 00:30 – 01:30 UTC)');
    expect(formatDuration(until.getTime() - from.getTime())).toBe('1 h');
    expect(plain(formatDuration(until.getTime() - from.getTime(), 'de'))).toBe('1 Std.');
    expect(plain(formatDuration(170 * 60_000, 'fr'))).toBe('2 h 50 min');
    expect(plain(formatDuration(3 * 86_400_000 + 4 * 3_600_000, 'ja'))).toBe('3 日4 時間');
    expect(formatWithUtc(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin', 'de')).toBe('25. Okt. 2026, 02:30 MESZ (00:30 UTC)');
    expect(formatWithUtc(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin', 'de')).toBe('25. Okt. 2026, 02:30 MEZ (01:30 UTC)');
  });
});

describe('page.yml languages', () => {
  it('defaults to English alone, and refuses an unknown language or a default it does not offer', () => {
    expect(pageSchema.parse({ name: 'P' })).toMatchObject({ languages: ['en'], default_language: 'en' });
    expect(pageSchema.parse({ name: 'P', languages: ['de', 'en'], default_language: 'de' })).toMatchObject({ default_language: 'de' });
    expect(pageSchema.safeParse({ name: 'P', languages: ['en', 'xx'] }).error?.issues[0]).toMatchObject({ path: ['languages', 1], message: expect.stringContaining('one of en, de') });
    expect(pageSchema.safeParse({ name: 'P', languages: ['de'] }).error?.issues[0]).toMatchObject({ path: ['default_language'] });
    expect(pageSchema.safeParse({ name: 'P', languages: ['de', 'de'], default_language: 'de' }).success).toBe(false);
  });
});

describe('language in the address', () => {
  const offered = ['en', 'de', 'pt-BR'] as const;
  it.each([
    ['/', { locale: 'en', path: '/', prefixed: false }],
    ['/de', { locale: 'de', path: '/', prefixed: true }],
    ['/de/', { locale: 'de', path: '/', prefixed: true }],
    ['/de/incidents/x', { locale: 'de', path: '/incidents/x', prefixed: true }],
    ['/pt-BR/history/2026-11', { locale: 'pt-BR', path: '/history/2026-11', prefixed: true }],
    ['/en/incidents/x', { locale: 'en', path: '/en/incidents/x', prefixed: false }],
    ['/fr/', { locale: 'en', path: '/fr/', prefixed: false }],
    ['/dev/x', { locale: 'en', path: '/dev/x', prefixed: false }],
  ])('%s', (path, expected) => {
    expect(splitLocalePath(path, offered, 'en')).toEqual(expected);
  });

  it('writes the default language at the plain path, the others under their code', () => {
    expect(localizedPath('en', '/incidents/x', 'en')).toBe('/incidents/x');
    expect(localizedPath('de', '/', 'en')).toBe('/de/');
    expect(localizedPath('de', '/incidents/x', 'en')).toBe('/de/incidents/x');
  });

  it('applies the same access rules under a language', () => {
    expect(accessFor('/de/admin')).toEqual({ kind: 'console', role: 'editor' });
    expect(accessFor('/DE/admin/users')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/ja/api/admin/incidents')).toEqual({ kind: 'api' });
    expect(isPersonalPath('/de/subscribe/manage')).toBe(true);
    expect(isSharedPublicPath('/pt-br/unsubscribe')).toBe(false);
    expect(isSharedPublicPath('/de/incidents/x')).toBe(true);
  });
});
