// Status badges as SVG, in the familiar two-part shape: a grey label and a
// coloured message. Text is sized with textLength, so it fits whatever font
// the viewer has. Colours keep white text at 4.5:1 contrast or better.
import { escapeHtml } from './escape';
import type { Indicator, Tone } from './status';

/** The page's one status scale (status.ts), in colours that keep white text at 4.5:1. */
const toneColors: Record<Tone, string> = {
  operational: '#1a7f37',
  degraded: '#9a6700',
  partial: '#bc4c00',
  major: '#cf222e',
  maintenance: '#0969da',
};

export const indicatorBadge: Record<Indicator, { tone: Tone; message: string }> = {
  none: { tone: 'operational', message: 'operational' },
  minor: { tone: 'degraded', message: 'minor outage' },
  major: { tone: 'major', message: 'major outage' },
  critical: { tone: 'major', message: 'critical outage' },
  maintenance: { tone: 'maintenance', message: 'maintenance' },
};

/** Roughly Verdana 11 px: wide letters count more. Only the box size depends on it. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[iIl.,:;'|!]/.test(ch) ? 3.5 : /[mwMW@]/.test(ch) ? 10 : /[A-Z]/.test(ch) ? 7.5 : 6.5;
  return Math.round(width);
}

/** An SVG badge, e.g. "Example Mail | operational"; `title` is what assistive technology reads. */
export function badgeSvg(label: string, message: string, tone: Tone, title = `${label}: ${message}`): string {
  const [lw, mw] = [textWidth(label) + 12, textWidth(message) + 12];
  const width = lw + mw;
  const text = (x: number, w: number, value: string) =>
    `<text x="${x + w / 2}" y="14" textLength="${w - 12}" lengthAdjust="spacingAndGlyphs">${escapeHtml(value)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect width="${lw}" height="20" rx="3" fill="#444"/>`,
    `<rect x="${lw}" width="${mw}" height="20" rx="3" fill="${toneColors[tone]}"/>`,
    `<rect x="${lw}" width="4" height="20" fill="${toneColors[tone]}"/>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`,
    text(0, lw, label),
    text(lw, mw, message),
    '</g></svg>',
  ].join('');
}
