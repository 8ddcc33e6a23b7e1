// Recurring maintenance: an RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=SU;COUNT=8")
// expanded by the rrule library, in the page's time zone. The rule is
// expanded on the wall clock (a floating DTSTART, as RFC 5545 does for a
// DTSTART with a TZID), so a window at 02:00 stays at 02:00 across
// daylight-saving changes; each local time is then read in the zone. A time
// the clock skips (02:30 on the night it springs forward) is read with the
// offset before the change, i.e. one hour later on the wall clock.
import rrule from 'rrule';
import { fromLocalInput, toLocalInput } from './time';

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
const instantOf = (wall: Date, timeZone: string) => fromLocalInput(wall.toISOString().slice(0, 16), timeZone)!;

/**
 * The starts of a series whose first window starts at `first`, in
 * `timeZone`, at most `limit`, optionally only those from `after` on.
 * UNTIL is read as a wall-clock time in the zone, as for a DTSTART with a TZID.
 */
export function occurrenceStarts(rule: string, first: Date, timeZone: string, { after, limit = maxOccurrences }: { after?: Date; limit?: number } = {}): Date[] {
  const options = RRule.parseString(rule);
  const dtstart = floating(first, timeZone);
  // UNTIL as written (…Z) is taken as the zone's wall clock, like the rest of the series.
  const until = options.until ? new Date(options.until.getTime()) : undefined;
  const expander = new RRule({ ...options, dtstart, until });
  const starts: Date[] = [];
  const from = after ? floating(after, timeZone).getTime() : -Infinity;
  expander.all((wall) => {
    if (starts.length >= Math.min(limit, maxOccurrences)) return false;
    if (wall.getTime() >= from) starts.push(instantOf(wall, timeZone));
    return true;
  });
  return starts;
}
