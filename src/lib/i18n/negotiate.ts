// Which of the page's languages a visitor's browser asks for (RFC 9110
// Accept-Language, matched as RFC 4647 "lookup" does): the highest-weighted
// range that one of them satisfies, exactly or by its primary language
// (`de-AT` is served `de`, `pt` is served `pt-BR`); the page's default when
// none does. A header is read at most 32 ranges deep: it costs a visitor
// nothing to send more, and Herald nothing to ignore them.
import type { Locale } from './locales';

const maxRanges = 32;

export function negotiateLocale(header: string | null | undefined, offered: readonly Locale[], fallback: Locale): Locale {
  if (!header) return fallback;
  const ranges = header
    .slice(0, 1000)
    .split(',', maxRanges)
    .map((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), order };
    })
    .filter((r) => r.tag !== '' && r.q > 0 && /^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(r.tag))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  const lower = offered.map((code) => ({ code, tag: code.toLowerCase(), primary: code.toLowerCase().split('-')[0] }));
  for (const range of ranges) {
    if (range.tag === '*') return fallback;
    const exact = lower.find((l) => l.tag === range.tag);
    if (exact) return exact.code;
    // Lookup: drop subtags from the end of the range until one matches.
    for (let prefix = range.tag; prefix.includes('-'); ) {
      prefix = prefix.slice(0, prefix.lastIndexOf('-'));
      const found = lower.find((l) => l.tag === prefix);
      if (found) return found.code;
    }
    const sameLanguage = lower.find((l) => l.primary === range.tag.split('-')[0]);
    if (sameLanguage) return sameLanguage.code;
  }
  return fallback;
}

/**
 * What the home page's language hint depends on (src/lib/server/http/language-hint.ts):
 * the browser's languages, and whether it came from a page of this site, so a
 * cache keeps one answer per pair and never hands one visitor another's.
 */
export const languageHintVary = 'Accept-Language, Sec-Fetch-Site';
