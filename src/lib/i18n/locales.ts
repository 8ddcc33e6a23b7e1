// The languages Herald's interface is written in. A page offers some of them
// (content/page.yml: languages, default_language); each has a catalogue of
// messages in ./messages, and dates, numbers and plurals come from Intl.
export const locales = {
  en: { name: 'English', dir: 'ltr', intl: 'en-GB' },
  de: { name: 'Deutsch', dir: 'ltr', intl: 'de-DE' },
  fr: { name: 'Français', dir: 'ltr', intl: 'fr-FR' },
  es: { name: 'Español', dir: 'ltr', intl: 'es-ES' },
  'pt-BR': { name: 'Português (Brasil)', dir: 'ltr', intl: 'pt-BR' },
  ja: { name: '日本語', dir: 'ltr', intl: 'ja-JP' },
  ar: { name: 'العربية', dir: 'rtl', intl: 'ar' },
  /** Pseudo-English for testing layouts and finding untranslated text (messages/en-XA.ts); not for readers. */
  'en-XA': { name: 'Ƥşḗḗŭḓǿǿ', dir: 'ltr', intl: 'en-GB' },
} as const satisfies Record<string, { name: string; dir: 'ltr' | 'rtl'; intl: string }>;

export type Locale = keyof typeof locales;

export const localeCodes = Object.keys(locales) as Locale[];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && Object.hasOwn(locales, value);
}

/** A language a form sent, if it is one the page offers; else null. */
export function offeredLocale(value: unknown, offered: readonly Locale[]): Locale | null {
  return isLocale(value) && offered.includes(value) ? value : null;
}
