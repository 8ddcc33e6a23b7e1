// Time at the edges: everything is a UTC instant until it is shown or cut into
// days, and then the page's time zone decides, never the server's.
import { locales, type Locale } from './i18n/locales';

/** A calendar day in the page's time zone, as `YYYY-MM-DD`. */
export type LocalDay = string;

const DAY_MS = 86_400_000;
const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

function exactOffsetMs(ms: number, timeZone: string): number {
  const w = wallClock(new Date(ms), timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * Offsets by zone and quarter hour, or null for a quarter hour in which the
 * offset changes. Asking Intl costs microseconds, and a page or an API answer
 * asks thousands of times, nearly always about the same few quarter hours.
 */
const quarterOffsets = new Map<string, Map<number, number | null>>();
const QUARTER_MS = 900_000;
let rememberedOffsets = 0;

/** How far the zone's wall clock is ahead of UTC at that instant, in ms. */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const ms = instant.getTime();
  const quarter = Math.floor(ms / QUARTER_MS);
  let ofZone = quarterOffsets.get(timeZone);
  if (!ofZone) quarterOffsets.set(timeZone, (ofZone = new Map()));
  let offset = ofZone.get(quarter);
  if (offset === undefined) {
    // The same at its first and last second: no change inside (zones change at most once in a quarter hour).
    const first = exactOffsetMs(quarter * QUARTER_MS, timeZone);
    offset = first === exactOffsetMs((quarter + 1) * QUARTER_MS - 1000, timeZone) ? first : null;
    // Bounded; offsets never change, so dropping them is safe.
    if (++rememberedOffsets > 50_000) {
      quarterOffsets.clear();
      rememberedOffsets = 1;
      quarterOffsets.set(timeZone, (ofZone = new Map()));
    }
    ofZone.set(quarter, offset);
  }
  return offset ?? exactOffsetMs(ms, timeZone);
}

/** "+01:00" for an offset in ms, as ISO 8601 writes it; a handful of distinct values, so kept. */
const offsetSuffixes = new Map<number, string>();

function offsetSuffix(offset: number): string {
  let suffix = offsetSuffixes.get(offset);
  if (suffix === undefined) {
    const minutes = Math.round(Math.abs(offset) / 60_000);
    suffix = `${offset < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    if (offsetSuffixes.size < 1_000) offsetSuffixes.set(offset, suffix);
  }
  return suffix;
}

const zonedInstantPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * An instant written with its zone: an ISO 8601 date and time to the minute
 * or finer, then `Z` or an offset (`2026-12-06T02:00:00Z`,
 * `2026-12-06 03:00+01:00`). Null for anything else: a time without a zone
 * (which would mean whatever zone the server runs in), or a day or hour the
 * calendar does not have (2026-02-30, 24:00). The one reader of the instants
 * markdown files, the HTTP API and the CLI give; console forms say they use
 * the page's zone and read theirs with fromLocalInput.
 */
export function parseInstant(text: string): Date | null {
  const m = zonedInstantPattern.exec(text.trim());
  if (!m) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', utc, sign, offsetHours, offsetMinutes] = m;
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const probe = new Date(wall);
  const inCalendar =
    probe.getUTCFullYear() === Number(year) && probe.getUTCMonth() === Number(month) - 1 && probe.getUTCDate() === Number(day) &&
    Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
  if (!inCalendar || (!utc && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59))) return null;
  const offset = utc ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return new Date(wall - offset);
}

/** ISO 8601's basic UTC form to the second, e.g. 20261124T083854Z: iCalendar times and backup file names. */
export function compactUtc(instant: Date): string {
  return instant.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** ISO 8601 with the zone's offset, e.g. 2026-11-24T08:00:00.000+01:00 (what Statuspage's API sends). */
export function isoWithOffset(instant: Date, timeZone: string): string {
  const offset = zoneOffsetMs(instant, timeZone);
  return new Date(instant.getTime() + offset).toISOString().slice(0, 23) + offsetSuffix(offset);
}

/** The calendar day an instant falls on in the zone. */
export function localDay(instant: Date, timeZone: string): LocalDay {
  return new Date(instant.getTime() + zoneOffsetMs(instant, timeZone)).toISOString().slice(0, 10);
}

function dayParts(day: LocalDay): [number, number, number] {
  const [y, m, d] = day.split('-').map(Number);
  return [y, m, d];
}

/** Day starts already worked out, by zone and day: a page of 90-day bars asks for the same few thousand times. */
const dayStarts = new Map<string, number>();

/** The instant a local day begins (DST-aware: the offset is checked at the result). */
export function startOfLocalDay(day: LocalDay, timeZone: string): Date {
  const key = `${timeZone}\n${day}`;
  let instant = dayStarts.get(key);
  if (instant === undefined) {
    const [y, m, d] = dayParts(day);
    const wallMidnight = Date.UTC(y, m - 1, d);
    instant = wallMidnight - zoneOffsetMs(new Date(wallMidnight), timeZone);
    instant = wallMidnight - zoneOffsetMs(new Date(instant), timeZone);
    if (dayStarts.size > 20_000) dayStarts.clear(); // bounded: a day's start never changes, so dropping them all is safe
    dayStarts.set(key, instant);
  }
  return new Date(instant);
}

export function addDays(day: LocalDay, n: number): LocalDay {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM` of a local day. */
export function monthOf(day: LocalDay): string {
  return day.slice(0, 7);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** True for a real `YYYY-MM` between year 1970 and 9999. */
export function isMonth(value: string): boolean {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  return !!match && Number(match[1]) >= 1970 && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

/** Human duration: "47 min", "3 h 12 min", "2 d 4 h". */
export function formatDuration(ms: number, locale: Locale = 'en'): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  // Two units at most: "2 h 50 min", "3 d 4 h"; minutes under an hour.
  const parts: [number, 'day' | 'hour' | 'minute'][] =
    minutes < 60 ? [[minutes, 'minute']] : hours < 48 ? [[hours, 'hour'], [minutes % 60, 'minute']] : [[days, 'day'], [hours % 24, 'hour']];
  const shown = parts.filter(([n], i) => i === 0 || n > 0);
  if (locale === 'en') return shown.map(([n, unit]) => `${n} ${englishUnits[unit]}`).join(' ');
  const intl = locales[locale].intl;
  return listFormatter(intl).format(shown.map(([n, unit]) => unitFormatter(intl, unit).format(n)));
}

// English keeps Herald's own short units (mails and the API's texts use them too); other languages take Intl's.
const englishUnits = { day: 'd', hour: 'h', minute: 'min' } as const;
const unitFormatters = new Map<string, Intl.NumberFormat>();
const unitFormatter = (intl: string, unit: string) => {
  let formatter = unitFormatters.get(`${intl}|${unit}`);
  if (!formatter) unitFormatters.set(`${intl}|${unit}`, (formatter = new Intl.NumberFormat(intl, { style: 'unit', unit, unitDisplay: 'short' })));
  return formatter;
};
const listFormatters = new Map<string, Intl.ListFormat>();
const listFormatter = (intl: string) => {
  let formatter = listFormatters.get(intl);
  if (!formatter) listFormatters.set(intl, (formatter = new Intl.ListFormat(intl, { type: 'unit', style: 'narrow' })));
  return formatter;
};

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function displayFormatter(key: string, timeZone: string, options: Intl.DateTimeFormatOptions, locale: Locale = 'en') {
  const cacheKey = `${key}|${timeZone}|${locale}`;
  let formatter = displayFormatters.get(cacheKey);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locales[locale].intl, { timeZone, ...options });
    displayFormatters.set(cacheKey, formatter);
  }
  return formatter;
}

/** "14 Sep 2026, 08:20 UTC" in the page's zone (in English; "14. Sept. 2026, 08:20 UTC" in German). */
const dateTimeOptions: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };

export function formatDateTime(instant: Date, timeZone: string, locale: Locale = 'en'): string {
  return displayFormatter('datetime', timeZone, dateTimeOptions, locale).format(instant);
}

function formatClock(instant: Date, timeZone: string, locale: Locale = 'en'): string {
  return displayFormatter('clock', timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }, locale).format(instant);
}

/**
 * An instant in the page's zone and in UTC, for a promise read anywhere:
 * "2 Dec 2026, 15:30 CET (14:30 UTC)"; the UTC date only when it differs.
 */
export function formatWithUtc(instant: Date, timeZone: string, locale: Locale = 'en'): string {
  const local = formatDateTime(instant, timeZone, locale);
  if (timeZone === 'UTC' || / UTC$/.test(local)) return local;
  const utc = localDay(instant, timeZone) === localDay(instant, 'UTC') ? formatClock(instant, 'UTC', locale) : formatDateTime(instant, 'UTC', locale);
  return `${local} (${utc})`;
}

/** One zone's reading of a window: "24 Nov 2026, 08:00 to 10:00 CET", the end's date given only when it differs. */
function windowIn(from: Date, until: Date, timeZone: string): string {
  const end = localDay(from, timeZone) === localDay(until, timeZone) ? formatClock(until, timeZone) : formatDateTime(until, timeZone);
  return `${formatDateTime(from, timeZone).replace(/ \S+$/, '')} to ${end}`;
}

/**
 * A maintenance window in the page's zone and in UTC, for text read away from
 * the page (mail): "24 Nov 2026, 08:00 to 10:00 CET (07:00 to 09:00 UTC)".
 * Other languages write the range as Intl does ("24. Nov. 2026, 08:00–10:00 Uhr MEZ").
 */
export function formatWindow(from: Date, until: Date, timeZone: string, locale: Locale = 'en'): string {
  if (locale !== 'en') {
    const range = (zone: string) => (displayFormatter('datetime', zone, dateTimeOptions, locale) as Intl.DateTimeFormat).formatRange(from, until);
    return timeZone === 'UTC' ? range('UTC') : `${range(timeZone)} (${range('UTC')})`;
  }
  const local = windowIn(from, until, timeZone);
  if (/ UTC$/.test(local)) return local;
  const utc = windowIn(from, until, 'UTC');
  return `${local} (${localDay(from, timeZone) === localDay(from, 'UTC') ? utc.replace(/^.*?, /, '') : utc})`;
}

/** "14 Sep 2026" for a local day. */
export function formatDay(day: LocalDay, locale: Locale = 'en'): string {
  return displayFormatter('day', 'UTC', { day: 'numeric', month: 'short', year: 'numeric' }, locale).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** "September 2026" for a `YYYY-MM`. */
export function formatMonth(month: string, locale: Locale = 'en'): string {
  return displayFormatter('month', 'UTC', { month: 'long', year: 'numeric' }, locale).format(new Date(`${month}-15T12:00:00Z`));
}

/** The value for an `<input type="datetime-local">`: the wall clock in the zone, to the minute. */
export function toLocalInput(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * The instant a `datetime-local` value names in the zone, or null if it is not
 * one. In a DST gap the clock is read as the offset before the change.
 */
export function fromLocalInput(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0));
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const probe = new Date(asUtc);
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  // Two passes: the offset at the guess, then at the corrected instant (DST edges).
  const first = asUtc - zoneOffsetMs(probe, timeZone);
  return new Date(asUtc - zoneOffsetMs(new Date(first), timeZone));
}

/** "30m", "90 min", "2h", "1 hour": a wait in milliseconds, or null if the text is not one. */
export function parseWait(text: string): number | null {
  const match = /^(\d{1,5})\s*(m|mins?|minutes?|h|hrs?|hours?)$/i.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * (match[2].toLowerCase().startsWith('h') ? 60 : 1) * 60_000;
}
