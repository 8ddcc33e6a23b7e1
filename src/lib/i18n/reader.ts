// What a page or component needs to speak the reader's language: the
// language, its messages, its numbers, and addresses within it. Herald's
// server puts the language and the page's default in Astro.locals; one
// Reader per pair is made once and shared.
import { locales, type Locale } from './locales';
import { localizedPath } from './paths';
import { translator, type Translate } from './translate';
import { bodyIn, titleIn, type StaffWords } from './staff-words';
import type { Incident, IncidentUpdate } from '../model';

export interface Reader {
  locale: Locale;
  /** The page's default language, whose addresses carry no prefix. */
  fallback: Locale;
  t: Translate;
  /** A path of this site in the reader's language: `/history` → `/de/history`. */
  href(path: string): string;
  /** An incident's title in this language, or in the default one, marked (staff-words.ts). */
  title(incident: Pick<Incident, 'title' | 'titles'>): StaffWords;
  /** An update's text likewise. */
  body(update: Pick<IncidentUpdate, 'body' | 'translations'>): StaffWords;
  /** For staff's own text that has no translations (the page's description, a component's): its language, when it is not the reader's. */
  ownLang: Locale | undefined;
  /** 99.95 → "99.95%" ("99,95 %" in German); two decimals as the bars show, unless told. */
  percent(value: number, digits?: 0 | 2): string;
}

const readers = new Map<string, Reader>();

export function readerFor(locale: Locale, fallback: Locale): Reader {
  const key = `${locale}|${fallback}`;
  let reader = readers.get(key);
  if (reader) return reader;
  const percents = ([0, 2] as const).map((digits) => new Intl.NumberFormat(locales[locale].intl, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }));
  reader = {
    locale,
    fallback,
    t: translator(locale),
    href: (path) => localizedPath(locale, path, fallback),
    ownLang: locale === fallback ? undefined : fallback,
    title: (incident) => titleIn(incident, locale, fallback),
    body: (update) => bodyIn(update, locale, fallback),
    percent: (value, digits = 2) => percents[digits === 0 ? 0 : 1].format(value / 100),
  };
  readers.set(key, reader);
  return reader;
}

/** The reader of a request: Astro.locals as Herald's server filled them, English where nothing did. */
export function reader(locals: { locale?: Locale; defaultLocale?: Locale }): Reader {
  const fallback = locals.defaultLocale ?? 'en';
  return readerFor(locals.locale ?? fallback, fallback);
}
