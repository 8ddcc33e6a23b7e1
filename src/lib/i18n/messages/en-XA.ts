// A pseudo-language for testing, not for readers (the code is the one
// Android and Chrome use for it): English with every letter swapped for an
// accented look-alike, vowels doubled (about 40% longer, as German or
// Finnish run) and each message bracketed. A page read in it shows at once
// any text that skipped the catalogue, and any layout that cannot take longer
// words (tests/e2e/pseudo-locale.spec.ts).
import type { Catalogue, Message } from '../translate';
import { en } from './en';

const lookAlikes: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter, i) => [letter, [...'ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ'][i]]),
);

/** A message in pseudo-language; its `{placeholders}` stay as they are. */
export function pseudo(text: string): string {
  const stretched = text
    .split(/(\{\w+\})/)
    .map((part, i) => (i % 2 ? part : part.replace(/[A-Za-z]/g, (c) => (/[aeiouAEIOU]/.test(c) ? lookAlikes[c].repeat(2) : lookAlikes[c]))))
    .join('');
  return `⟦${stretched}⟧`;
}

const pseudoMessage = (message: Message): Message =>
  typeof message === 'string' ? pseudo(message) : (Object.fromEntries(Object.entries(message).map(([form, text]) => [form, pseudo(text!)])) as Message);

export const enXA = Object.fromEntries(Object.entries(en).map(([key, message]) => [key, pseudoMessage(message)])) as unknown as Catalogue;
