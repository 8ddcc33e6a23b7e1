// Staff's words in the page's other languages (content/page.yml: languages),
// given with an incident or an update, or afterwards: checked here the same
// way for the console, the HTTP API and the CLI, and kept in the translations
// table (one row per incident title or update, per language). Readers show
// what is missing in the page's default language, and say so.
import { and, eq, inArray } from 'drizzle-orm';
import { translations } from '../../../db/schema';
import { isLocale, type Locale } from '../../i18n/locales';
import type { HeraldDb } from '../db';
import { ActionError } from '../validate';

type Tx = Parameters<Parameters<HeraldDb['transaction']>[0]>[0];

/** What one language carries: a title (for an incident) and a message (for its update). */
export interface Translated {
  title?: string;
  message?: string;
}

export interface PageLanguages {
  languages: readonly Locale[];
  default_language: Locale;
}

/**
 * `{ de: { title, message } }` as staff sent it, checked: languages the page
 * offers other than its default, texts within the limits, only the parts the
 * caller takes (an update has no title). Empty texts are left out, so a form's
 * blank fields translate nothing. ActionError names `translations.<language>.<part>`.
 */
export function checkTranslations(page: PageLanguages | undefined, value: unknown, parts: readonly (keyof Translated)[], limits: { title: number; message: number }): Map<Locale, Translated> {
  const checked = new Map<Locale, Translated>();
  if (value === undefined || value === null) return checked;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ActionError('translations', 'translations must be an object by language, e.g. {"de": {"message": "…"}}');
  const others = (page?.languages ?? []).filter((l) => l !== page?.default_language);
  for (const [language, given] of Object.entries(value as Record<string, unknown>)) {
    const field = `translations.${language}`;
    if (!isLocale(language) || !others.includes(language)) {
      throw new ActionError(field, others.length ? `the page's other languages are ${others.join(', ')}` : 'the page is offered in one language only (content/page.yml: languages)');
    }
    if (!given || typeof given !== 'object' || Array.isArray(given)) throw new ActionError(field, `must be an object with ${parts.join(' and ')}`);
    const entry: Translated = {};
    for (const [part, text] of Object.entries(given as Record<string, unknown>)) {
      if (!(parts as string[]).includes(part)) throw new ActionError(`${field}.${part}`, `not taken here: only ${parts.join(' and ')}`);
      if (text === undefined || text === null) continue;
      if (typeof text !== 'string') throw new ActionError(`${field}.${part}`, `${part} must be text`);
      const trimmed = text.trim();
      if (trimmed === '') continue;
      const max = limits[part as keyof Translated];
      if (trimmed.length > max) throw new ActionError(`${field}.${part}`, `${part} is longer than ${max} characters`);
      if (trimmed.includes('\u0000')) throw new ActionError(`${field}.${part}`, `${part} contains a NUL character`);
      entry[part as keyof Translated] = trimmed;
    }
    if (entry.title !== undefined || entry.message !== undefined) checked.set(language, entry);
  }
  return checked;
}

/** Writes (or replaces) one text in one language: the incident's title (update 0) or an update's message. */
export function writeTranslation(tx: Tx, incidentId: string, updateId: number, locale: Locale, text: string, now: Date): void {
  tx.insert(translations)
    .values({ incidentId, updateId, locale, text, updatedAt: now })
    .onConflictDoUpdate({ target: [translations.incidentId, translations.updateId, translations.locale], set: { text, updatedAt: now } })
    .run();
}

/** Writes what checkTranslations kept: titles as the incident's, messages as this update's. */
export function writeTranslations(tx: Tx, incidentId: string, updateId: number | null, checked: Map<Locale, Translated>, now: Date): void {
  for (const [locale, entry] of checked) {
    if (entry.title !== undefined) writeTranslation(tx, incidentId, 0, locale, entry.title, now);
    if (entry.message !== undefined && updateId !== null) writeTranslation(tx, incidentId, updateId, locale, entry.message, now);
  }
}

/** Removes one language's text of an incident's title or updates. */
export function removeTranslations(tx: Tx, incidentId: string, locale: Locale, updateIds: number[]): void {
  if (updateIds.length === 0) return;
  tx.delete(translations).where(and(eq(translations.incidentId, incidentId), eq(translations.locale, locale), inArray(translations.updateId, updateIds))).run();
}

/** An incident's translations as stored, by update (0: the title) and language. */
export function readTranslations(db: HeraldDb | Tx, incidentId: string): Map<number, Map<Locale, string>> {
  const byUpdate = new Map<number, Map<Locale, string>>();
  for (const row of db.select().from(translations).where(eq(translations.incidentId, incidentId)).all()) {
    const texts = byUpdate.get(row.updateId) ?? new Map<Locale, string>();
    texts.set(row.locale, row.text);
    byUpdate.set(row.updateId, texts);
  }
  return byUpdate;
}
