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

/** Rules are for windows that repeat weekly or monthly (daily too), and end. */
const frequencies = new Map<number, string>([
  [RRule.DAILY, 'DAILY'],
  [RRule.WEEKLY, 'WEEKLY'],
  [RRule.MONTHLY, 'MONTHLY'],
]);

/** The most occurrences a series may have: a rule is a plan, not an archive. */
export const maxOccurrences = 520;

export type RuleCheck = { ok: true; rule: string } | { ok: false; reason: string };

/**
 * Checks an RRULE as staff write it (with or without the `RRULE:` prefix):
 * DAILY, WEEKLY or MONTHLY, ending with COUNT or UNTIL, no DTSTART or TZID of
 * its own (the window's start and the page's zone are those). Returns it in
 * the library's normal form.
 */
export function checkRule(text: string): RuleCheck {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') return { ok: false, reason: 'write a rule such as FREQ=WEEKLY;BYDAY=SU;COUNT=8' };
  if (/(^|;)\s*(DTSTART|TZID)\b/i.test(body) || /[\r\n]/.test(body)) return { ok: false, reason: 'the rule takes no DTSTART or TZID: the window gives its start, the page its time zone' };
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(body);
  } catch (error) {
    return { ok: false, reason: `not an RRULE: ${(error as Error).message}` };
  }
  if (options.freq === undefined || !frequencies.has(options.freq)) return { ok: false, reason: 'FREQ must be DAILY, WEEKLY or MONTHLY' };
  if (!options.count && !options.until) return { ok: false, reason: 'end the series with COUNT=<n> or UNTIL=<date>' };
  if (options.count && options.count > maxOccurrences) return { ok: false, reason: `COUNT may be at most ${maxOccurrences}` };
  return { ok: true, rule: new RRule(options).toString().replace(/^RRULE:/, '') };
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
  // UNTIL as written (…Z) is taken as the zone's wall clock, like the rest of the series.
  const until = options.until ? new Date(options.until.getTime()) : undefined;
  const expander = new RRule({ ...options, dtstart, until });
  const found: Occurrence[] = [];
  const from = after ? floating(after, timeZone).getTime() : -Infinity;
  expander.all((wall) => {
    if (found.length >= Math.min(limit, maxOccurrences)) return false;
    if (wall.getTime() >= from) found.push({ start: instantOf(wall, timeZone), wall: compactUtc(wall).replace(/Z$/, '') });
    return true;
  });
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
