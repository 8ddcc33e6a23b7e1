// Recurring maintenance: an RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=SU;COUNT=8")
// expanded by the rrule library, in the page's time zone. The rule is
// expanded on the wall clock (a floating DTSTART, as RFC 5545 does for a
// DTSTART with a TZID), so a window at 02:00 stays at 02:00 across
// daylight-saving changes; each local time is then read in the zone. A time
// the clock skips (02:30 on the night it springs forward) is read with the
// offset before the change, i.e. one hour later on the wall clock; a time the
// clock shows twice (02:30 on the night it falls back) is the first of them.
// Both as RFC 5545 reads a local time with a TZID, so calendars agree.
import rrule from 'rrule';
import { compactUtc, fromLocalInput, toLocalInput } from './time';

const { RRule } = rrule;

/** The most occurrences a series may have: a rule is a plan, not an archive. */
export const maxOccurrences = 520;
/** How far after its first window a series is looked at: ten years. */
const searchYears = 10;

export type RuleCheck = { ok: true; rule: string } | { ok: false; reason: string };

/**
 * The parts a rule may have: how often and on which days. The window's start
 * gives the time of day, so BYHOUR and the like have no place; and the shapes
 * are those whose every period (day, week, month) can be checked for a window
 * cheaply, because rrule walks periods without end while none gives one.
 */
const weekday = /^(MO|TU|WE|TH|FR|SA|SU)$/;
const ordinalWeekday = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;
const listOf = (value: string, ok: (item: string) => boolean) => value.split(',').every((item) => item !== '' && ok(item));
const integerIn = (low: number, high: number) => (item: string) => /^[+-]?\d{1,3}$/.test(item) && Number(item) >= low && Number(item) <= high && Number(item) !== 0;
const parts: Record<string, { ok: (value: string) => boolean; expect: string }> = {
  FREQ: { ok: (v) => ['DAILY', 'WEEKLY', 'MONTHLY'].includes(v), expect: 'DAILY, WEEKLY or MONTHLY' },
  INTERVAL: { ok: (v) => /^\d{1,2}$/.test(v) && Number(v) >= 1, expect: 'a whole number from 1 to 99' },
  COUNT: { ok: (v) => /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= maxOccurrences, expect: `a whole number from 1 to ${maxOccurrences}` },
  UNTIL: { ok: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v), expect: 'a date such as 20271231 or 20271231T235900Z' },
  BYDAY: { ok: (v) => listOf(v, (d) => ordinalWeekday.test(d)), expect: 'days such as SU or MO,TH, or 1TU / -1FR (the first Tuesday, the last Friday) for MONTHLY' },
  BYMONTHDAY: { ok: (v) => listOf(v, integerIn(-31, 31)), expect: 'days of the month from 1 to 31 (or -1 for the last)' },
  BYSETPOS: { ok: (v) => listOf(v, integerIn(-31, 31)), expect: 'positions from 1 to 31 (or -1 for the last)' },
  WKST: { ok: (v) => weekday.test(v), expect: 'a day such as MO' },
};

/** Why a rule's parts do not fit together, or null when they do. */
function shapeProblem(given: Map<string, string>): string | null {
  const freq = given.get('FREQ');
  const byDay = given.get('BYDAY');
  if (freq === 'DAILY' && (byDay || given.has('BYMONTHDAY') || given.has('BYSETPOS'))) return 'FREQ=DAILY takes no BYDAY, BYMONTHDAY or BYSETPOS: for some days of the week, write FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
  if (freq === 'WEEKLY' && (given.has('BYMONTHDAY') || given.has('BYSETPOS'))) return 'FREQ=WEEKLY takes no BYMONTHDAY or BYSETPOS: for days of the month, write FREQ=MONTHLY';
  if (freq !== 'MONTHLY' && byDay && /\d/.test(byDay)) return 'a numbered day (1TU, -1FR) is for FREQ=MONTHLY';
  if (given.has('BYMONTHDAY') && byDay) return 'give BYMONTHDAY or BYDAY, not both';
  if (given.has('BYSETPOS') && (!byDay || /\d/.test(byDay))) return 'BYSETPOS picks among plain BYDAY days, e.g. BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 for the last weekday';
  return null;
}

/**
 * Checks an RRULE as staff write it (with or without the `RRULE:` prefix, in
 * any case): DAILY, WEEKLY or MONTHLY, ending with COUNT or UNTIL, only the
 * parts in `parts` (no DTSTART or TZID of its own: the window's start and the
 * page's zone are those). A date-only UNTIL means the end of that day. Returns
 * it in the library's normal form, or why not: never throws, whatever the text.
 */
export function checkRule(text: string): RuleCheck {
  const body = text.trim().replace(/^RRULE:/i, '').toUpperCase();
  if (body === '') return { ok: false, reason: 'write a rule such as FREQ=WEEKLY;BYDAY=SU;COUNT=8' };
  if (body.length > 200) return { ok: false, reason: 'a rule is at most 200 characters' };
  const given = new Map<string, string>();
  for (const part of body.split(';').filter((p) => p !== '')) {
    const [name, value, ...rest] = part.split('=');
    if (name === 'DTSTART' || name === 'TZID') return { ok: false, reason: 'the rule takes no DTSTART or TZID: the window gives its start, the page its time zone' };
    if (value === undefined || rest.length > 0) return { ok: false, reason: `not an RRULE: "${part.slice(0, 40)}" is not NAME=VALUE` };
    const known = parts[name];
    if (!known) return { ok: false, reason: `${name.slice(0, 20)} is not taken here: a rule says how often (FREQ, INTERVAL), on which days (BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS) and until when (COUNT, UNTIL); the window gives the time of day` };
    if (given.has(name)) return { ok: false, reason: `${name} is given twice` };
    if (!known.ok(value)) return { ok: false, reason: `${name} must be ${known.expect}` };
    given.set(name, value);
  }
  if (!given.has('FREQ')) return { ok: false, reason: 'FREQ must be DAILY, WEEKLY or MONTHLY' };
  if (given.has('COUNT') && given.has('UNTIL')) return { ok: false, reason: 'end the series with COUNT or UNTIL, not both' };
  if (!given.has('COUNT') && !given.has('UNTIL')) return { ok: false, reason: 'end the series with COUNT=<n> or UNTIL=<date>' };
  const problem = shapeProblem(given);
  if (problem) return { ok: false, reason: problem };
  const until = given.get('UNTIL');
  // Read on the page zone's wall clock, as the rest of the series; a date alone is that whole day.
  if (until) given.set('UNTIL', until.length === 8 ? `${until}T235959Z` : until.endsWith('Z') ? until : `${until}Z`);
  try {
    const options = RRule.parseString([...given].map(([name, value]) => `${name}=${value}`).join(';'));
    return { ok: true, rule: new RRule(options).toString().replace(/^RRULE:/, '') };
  } catch (error) {
    return { ok: false, reason: `not an RRULE: ${(error as Error).message}` };
  }
}

/**
 * Checks a rule against its first window: the rule must give that start first
 * (in `timeZone`), and at most maxOccurrences windows in all. The one check
 * for a series from the console, the API, the CLI and a markdown file.
 */
export function checkSeries(text: string, first: Date, timeZone: string): RuleCheck {
  const checked = checkRule(text);
  if (!checked.ok) return checked;
  if (!givesAWindow(checked.rule, floating(first, timeZone))) return { ok: false, reason: 'the rule gives no window at all: no month it falls on has that day' };
  const starts = occurrences(checked.rule, first, timeZone, { limit: maxOccurrences + 1 });
  if (starts[0]?.start.getTime() !== first.getTime()) {
    return { ok: false, reason: `the window's start is not one the rule gives in ${timeZone}: start it on a day the rule repeats on, at a whole minute (on the night clocks go back, the first of the two)` };
  }
  if (starts.length > maxOccurrences) return { ok: false, reason: `the rule gives more than ${maxOccurrences} windows: end it sooner` };
  // Nothing is planned past the search horizon: a rule that would go on beyond it is refused, not cut short unseen.
  const { count, until } = RRule.parseString(checked.rule);
  const horizon = floating(first, timeZone).getTime() + searchYears * 366 * 86_400_000;
  if ((until && until.getTime() > horizon) || (count && starts.length < count)) return { ok: false, reason: `a series may run at most ${searchYears} years from its first window: end it sooner` };
  return checked;
}

/**
 * Whether the months a MONTHLY rule falls on give it a day, at least once in
 * forty years (the longest a day such as "the fifth Sunday of February"
 * waits). rrule would otherwise walk month after month to the year 9999
 * looking for one. A DAILY or WEEKLY rule of the shapes above has a day in
 * every period.
 */
function givesAWindow(rule: string, start: Date): boolean {
  const options = RRule.parseString(rule);
  if (options.freq !== RRule.MONTHLY) return true;
  const interval = options.interval ?? 1;
  const monthDays = ([] as number[]).concat(options.bymonthday ?? []);
  const days = ([] as Array<number | { weekday: number; n?: number }>).concat((options.byweekday as never) ?? []).map((d) => (typeof d === 'number' ? { weekday: d, n: undefined } : d));
  const positions = ([] as number[]).concat(options.bysetpos ?? []);
  for (let k = 0; k * interval <= 40 * 12; k++) {
    const month = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + k * interval, 1));
    const length = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).getUTCDate();
    // rrule's weekdays count from Monday (0); Date's from Sunday.
    const weekdaysOf = (weekday: number) => Array.from({ length }, (_, d) => d).filter((d) => (new Date(month.getTime() + d * 86_400_000).getUTCDay() + 6) % 7 === weekday).length;
    if (days.length === 0) {
      const wanted = monthDays.length ? monthDays : [start.getUTCDate()];
      if (wanted.some((v) => Math.abs(v) <= length)) return true;
    } else if (positions.length) {
      const size = days.reduce((n, d) => n + weekdaysOf(d.weekday), 0);
      if (positions.some((p) => Math.abs(p) <= size)) return true;
    } else if (days.some((d) => !d.n || Math.abs(d.n) <= weekdaysOf(d.weekday))) return true;
  }
  return false;
}

/** A wall-clock time as a "floating" Date: its UTC fields are the wall clock's. */
const floating = (instant: Date, timeZone: string) => new Date(`${toLocalInput(instant, timeZone)}:00Z`);
/** The instant of a floating wall-clock time in the zone; of the two in the hour clocks go back, the first (RFC 5545, 3.3.5). */
function instantOf(wall: Date, timeZone: string): Date {
  const local = wall.toISOString().slice(0, 16);
  const at = fromLocalInput(local, timeZone)!;
  for (const back of [3_600_000, 1_800_000]) {
    const earlier = new Date(at.getTime() - back);
    if (toLocalInput(earlier, timeZone) === local) return earlier;
  }
  return at;
}

/** One start of a series: the instant, and the wall-clock time the rule gave (20270328T020000), which may name no instant or two. */
export interface Occurrence {
  start: Date;
  wall: string;
}

/**
 * The starts of a series whose first window starts at `first`, in
 * `timeZone`, at most `limit`, optionally only those from `after` on.
 * UNTIL is read as a wall-clock time in the zone, as for a DTSTART with a TZID.
 */
export function occurrences(rule: string, first: Date, timeZone: string, { after, limit = maxOccurrences }: { after?: Date; limit?: number } = {}): Occurrence[] {
  const options = RRule.parseString(rule);
  const dtstart = floating(first, timeZone);
  // UNTIL as written (…Z) is taken as the zone's wall clock, like the rest of the series; and no rule is
  // searched past the horizon, so one whose days never come (30 February) ends instead of walking to 9999.
  const horizon = dtstart.getTime() + searchYears * 366 * 86_400_000;
  const until = new Date(Math.min(options.until?.getTime() ?? Infinity, horizon));
  const expander = new RRule({ ...options, dtstart, until });
  const found: Occurrence[] = [];
  const from = after ? floating(after, timeZone).getTime() : -Infinity;
  expander.all((wall) => {
    if (found.length >= limit) return false;
    if (wall.getTime() >= from) found.push({ start: instantOf(wall, timeZone), wall: compactUtc(wall).replace(/Z$/, '') });
    return true;
  });
  return found;
}

/** Every start of a series, kept: the calendar lists them at each render, and a rule's starts never change. */
const expanded = new Map<string, Occurrence[]>();
export function allOccurrences(rule: string, first: Date, timeZone: string): Occurrence[] {
  const key = `${rule}|${first.getTime()}|${timeZone}`;
  let found = expanded.get(key);
  if (!found) {
    found = occurrences(rule, first, timeZone);
    // Series are few (staff make them); the bound only keeps edits over years from piling up.
    if (expanded.size >= 256) expanded.delete(expanded.keys().next().value!);
    expanded.set(key, found);
  }
  return found;
}

/** The instants occurrences() gives. */
export function occurrenceStarts(rule: string, first: Date, timeZone: string, options: { after?: Date; limit?: number } = {}): Date[] {
  return occurrences(rule, first, timeZone, options).map((o) => o.start);
}

/** Whether the wall-clock time names exactly this one instant in the zone: not in a gap the clock skips, nor in the hour it repeats. */
export function isPlainWallTime(occurrence: Occurrence, timeZone: string): boolean {
  const local = (ms: number) => compactUtc(new Date(`${toLocalInput(new Date(ms), timeZone)}:00Z`)).replace(/Z$/, '');
  const at = occurrence.start.getTime();
  return local(at) === occurrence.wall && [3_600_000, 1_800_000, -1_800_000, -3_600_000].every((shift) => local(at + shift) !== occurrence.wall);
}

/**
 * The rule as a calendar writes it beside a DTSTART with a TZID: UNTIL in UTC
 * (RFC 5545, 3.3.10), where Herald reads it on the zone's wall clock.
 */
export function ruleForCalendar(rule: string, timeZone: string): string {
  return rule.replace(/UNTIL=(\d{8}T\d{6})Z/, (_, wall: string) => {
    const at = instantOf(new Date(`${wall.slice(0, 4)}-${wall.slice(4, 6)}-${wall.slice(6, 8)}T${wall.slice(9, 11)}:${wall.slice(11, 13)}:00Z`), timeZone);
    return `UNTIL=${compactUtc(at)}`;
  });
}

/**
 * The rule cut short: its last start is `last` (one it gives), read on the
 * zone's wall clock like any UNTIL here. COUNT gives way to UNTIL (RFC 5545
 * allows one of the two).
 */
export function ruleEndingAt(rule: string, last: Date, timeZone: string): string {
  const options = RRule.parseString(rule);
  return new RRule({ ...options, count: null, until: floating(last, timeZone) }).toString().replace(/^RRULE:/, '');
}

/** The rule in words, as the page says it: "every week on Sunday, 8 times". */
export function describeRule(rule: string): string {
  return RRule.fromString(rule)
    .toText()
    .replace(/ for (\d+) times?$/, (_, n: string) => (n === '1' ? ', once' : `, ${n} times`));
}
