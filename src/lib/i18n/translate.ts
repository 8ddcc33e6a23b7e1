// Messages by key in the reader's language: `{name}` placeholders filled in,
// plural forms chosen by Intl.PluralRules for `count` (formatted as the
// language writes numbers). English is the source; a catalogue must carry
// every key English has (the type says so, and a test checks the plural forms
// each language needs and the placeholders each message keeps).
import { en } from './messages/en';
import { de } from './messages/de';
import { fr } from './messages/fr';
import { es } from './messages/es';
import { ptBR } from './messages/pt-BR';
import { ja } from './messages/ja';
import { ar } from './messages/ar';
import { enXA } from './messages/en-XA';
import { locales, type Locale } from './locales';

export type MessageKey = keyof typeof en;
/** One message: text, or its plural forms (CLDR categories; `other` always). */
export type Message = string | ({ other: string } & Partial<Record<Intl.LDMLPluralRule, string>>);
export type Catalogue = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : { other: string } & Partial<Record<Intl.LDMLPluralRule, string>> };

export const catalogues: Record<Locale, Catalogue> = { en, de, fr, es, 'pt-BR': ptBR, ja, ar, 'en-XA': enXA };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

const translators = new Map<Locale, Translate>();

/** The translate function for a language, made once. */
export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (t) return t;
  const intl = locales[locale].intl;
  const plural = new Intl.PluralRules(intl);
  const numbers = new Intl.NumberFormat(intl);
  const catalogue: Record<string, Message> = catalogues[locale];
  t = (key, params) => {
    const message = catalogue[key] ?? (en as Record<string, Message>)[key];
    // Most messages have no placeholder: pages ask for hundreds per render.
    if (params === undefined && typeof message === 'string') return message;
    const values = params ?? {};
    const count = values.count;
    const text = typeof message === 'string' ? message : (message[plural.select(typeof count === 'number' ? count : 0)] ?? message.other);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  };
  translators.set(locale, t);
  return t;
}

/**
 * A message cut at the named placeholders, for a page that puts markup there
 * (a <time>): its text and slots in the language's order, e.g.
 * `card.window` → ["du ", {slot: "from"}, " au ", {slot: "until"}].
 */
export function pieces(t: Translate, key: MessageKey, slots: string[], params: Params = {}): (string | { slot: string })[] {
  const marked = t(key, { ...params, ...Object.fromEntries(slots.map((name, i) => [name, `\u0000${i}\u0000`])) });
  return marked
    .split(/\u0000(\d+)\u0000/)
    .map((part, i) => (i % 2 ? { slot: slots[Number(part)] } : part))
    .filter((part) => part !== '');
}
