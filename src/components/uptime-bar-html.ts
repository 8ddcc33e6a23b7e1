// An uptime bar, its cells and legends, as one HTML string (UptimeBar.astro).
// The home page has thousands of cells and two legends per component, and an
// Astro expression costs far more than the text it writes (a buffer and a
// promise each), so they are not Astro elements. The days before today are written once: they are the same
// cell objects from render to render until something changes them (uptimeBar
// in src/lib/uptime.ts), so only today's cell is written again.
import type { ComponentStatus } from '../db/constants';
import { escapeHtml } from '../lib/escape';
import type { Reader } from '../lib/i18n/reader';
import { formatDay, formatDuration } from '../lib/time';
import { narrowBarDays, recentPercent, type DayCell, type UptimeBar } from '../lib/uptime';

interface Written {
  daysHref: string | undefined;
  /** The cells before the last, and their HTML. */
  before: DayCell[];
  html: string;
}

/** Per language, by the bar's first cell: one entry per bar, gone with its cells. */
const writtenIn = new Map<Reader, WeakMap<DayCell, Written>>();

/** What a day's cell says when pointed at: its statuses with how long, and its uptime. */
function describe(cell: DayCell, { t, locale, percent }: Reader): string {
  const day = formatDay(cell.day, locale);
  if (cell.percent === null) return t('uptime.cell_no_data', { day });
  const parts = Object.entries(cell.msByStatus).map(([status, ms]) =>
    t('uptime.cell_status', { status: t(`status.${status as ComponentStatus}`), duration: formatDuration(ms!, locale) }),
  );
  return t(cell.correction ? 'uptime.cell_corrected' : 'uptime.cell', { day, facts: [...parts, percent(cell.percent)].join(t('day.separator')) });
}

/** A quiet day is a bare <li> (operational is the bar's own colour); others say what happened and link to the day's details. */
function cellHtml(cell: DayCell, daysHref: string | undefined, reader: Reader): string {
  if (cell.percent === null) return `<li class="d-none" title="${escapeHtml(describe(cell, reader))}"></li>`;
  if (cell.status === 'operational' && !cell.correction) return '<li></li>';
  const classes = [`d-${cell.status}`, ...(cell.correction ? ['corrected'] : [])].join(' ');
  const inner = daysHref !== undefined ? `<a href="${escapeHtml(`${daysHref}#day-${cell.day}`)}" tabindex="-1"></a>` : '';
  return `<li class="${classes}" title="${escapeHtml(describe(cell, reader))}">${inner}</li>`;
}

/** The bar's cells, escaped, oldest day first, in the reader's language; `daysHref` is where each day's details are (`${daysHref}#day-YYYY-MM-DD`). */
function barCellsHtml(bar: UptimeBar, daysHref: string | undefined, reader: Reader): string {
  const { days } = bar;
  if (days.length === 0) return '';
  const before = days.slice(0, -1);
  let written = writtenIn.get(reader);
  if (!written) writtenIn.set(reader, (written = new WeakMap()));
  const known = written.get(days[0]);
  let html: string;
  if (known && known.daysHref === daysHref && known.before.length === before.length && before.every((cell, n) => cell === known.before[n])) html = known.html;
  else {
    html = before.map((cell) => cellHtml(cell, daysHref, reader)).join('');
    written.set(days[0], { daysHref, before, html });
  }
  return html + cellHtml(days[days.length - 1], daysHref, reader);
}

/**
 * The bar's two legends: its days and uptime, and those of the last 30 days
 * that a narrow screen shows instead (global.css). `label` names the bar for
 * screen readers; the figure links to the day-by-day list when `daysHref` is given.
 */
function barLegendsHtml(bar: UptimeBar, label: string, daysHref: string | undefined, { t, percent }: Reader): string {
  const periods = [
    { className: 'wide-only', days: bar.days.length, percent: bar.percent },
    { className: 'narrow-only', days: Math.min(narrowBarDays, bar.days.length), percent: recentPercent(bar) },
  ];
  const today = escapeHtml(t('uptime.today'));
  return periods
    .map((p) => {
      const figure = escapeHtml(t('uptime.percent', { percent: percent(p.percent) }));
      const linked = daysHref !== undefined ? `<a href="${escapeHtml(`${daysHref}#days`)}">${figure}</a>` : figure;
      return (
        `<p class="bar-legend ${p.className}"> <span>${escapeHtml(t('uptime.days_ago', { count: p.days }))}</span> ` +
        `<span> <span class="visually-hidden">${escapeHtml(t('uptime.last_days', { name: label, count: p.days }))} </span> ${linked} </span> <span>${today}</span> </p>`
      );
    })
    .join('');
}

/** The whole bar: its cells (hidden from screen readers, who get the legends' words) and its legends. */
export function barHtml(bar: UptimeBar, label: string, daysHref: string | undefined, reader: Reader): string {
  return `<ol class="bar" aria-hidden="true">${barCellsHtml(bar, daysHref, reader)}</ol> ${barLegendsHtml(bar, label, daysHref, reader)}`;
}
