// Staff's own words (an incident's title, an update's text) in the reader's
// language where staff translated them, else in the page's default language,
// marked as such: the element showing it takes `lang`, and the page says the
// incident is not translated (page.not_translated).
import type { Locale } from './locales';
import type { Incident, IncidentUpdate } from '../model';

export interface StaffWords {
  text: string;
  /** The language of `text` when it is not the reader's: for the element's `lang`. */
  lang: Locale | undefined;
}

function pick(own: string, translations: Partial<Record<Locale, string>> | undefined, locale: Locale, fallback: Locale): StaffWords {
  if (locale === fallback) return { text: own, lang: undefined };
  const translated = translations?.[locale];
  return translated ? { text: translated, lang: undefined } : { text: own, lang: fallback };
}

export const titleIn = (incident: Pick<Incident, 'title' | 'titles'>, locale: Locale, fallback: Locale): StaffWords => pick(incident.title, incident.titles, locale, fallback);

export const bodyIn = (update: Pick<IncidentUpdate, 'body' | 'translations'>, locale: Locale, fallback: Locale): StaffWords => pick(update.body, update.translations, locale, fallback);

/** Whether some of an incident's words are not in this language (its title, or an update's text). */
export function partlyUntranslated(incident: Pick<Incident, 'title' | 'titles' | 'updates'>, locale: Locale, fallback: Locale): boolean {
  return locale !== fallback && (!incident.titles?.[locale] || incident.updates.some((u) => u.body.trim() !== '' && !u.translations?.[locale]));
}
