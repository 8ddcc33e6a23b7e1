// Grouping incidents into days and months of the page's time zone, for the home
// page's recent days and the /history archive.
import type { Incident } from './model';
import { addDays, addMonths, localDay, monthOf, type LocalDay } from './time';

/** Incidents and maintenance that have begun (not future windows), newest first. */
export function pastEvents(incidents: Incident[], now: Date): Incident[] {
  return incidents.filter((i) => i.startedAt <= now && !(i.kind === 'maintenance' && i.status === 'scheduled'));
}

function groupByDay(incidents: Incident[], timeZone: string): Map<LocalDay, Incident[]> {
  const byDay = new Map<LocalDay, Incident[]>();
  for (const incident of incidents) {
    const day = localDay(incident.startedAt, timeZone);
    const list = byDay.get(day);
    if (list) list.push(incident);
    else byDay.set(day, [incident]);
  }
  return byDay;
}

/** The last `count` days ending today, newest first, each with the events that began on it. */
export function recentDays(incidents: Incident[], now: Date, timeZone: string, count = 14) {
  const today = localDay(now, timeZone);
  const byDay = groupByDay(pastEvents(incidents, now), timeZone);
  return Array.from({ length: count }, (_, n) => {
    const day = addDays(today, -n);
    return { day, incidents: byDay.get(day) ?? [] };
  });
}

export interface MonthArchive {
  month: string;
  /** Days of the month that had events, newest first. */
  days: { day: LocalDay; incidents: Incident[] }[];
  previous: string | null;
  next: string | null;
}

/** The earliest month with an event; the archive starts there. */
export function firstMonth(incidents: Incident[], now: Date, timeZone: string): string {
  const events = pastEvents(incidents, now);
  const oldest = events.reduce<Date>((min, i) => (i.startedAt < min ? i.startedAt : min), now);
  return monthOf(localDay(oldest, timeZone));
}

/**
 * One month of the archive, or null when the month is outside the page's
 * history. `first` is the archive's first month; by default worked out from
 * `incidents`, which must then be the whole history (the read model passes it
 * with only the month's incidents).
 */
export function monthArchive(
  incidents: Incident[],
  month: string,
  now: Date,
  timeZone: string,
  first = firstMonth(incidents, now, timeZone),
): MonthArchive | null {
  const current = monthOf(localDay(now, timeZone));
  if (month < first || month > current) return null;
  const byDay = groupByDay(pastEvents(incidents, now), timeZone);
  const days = [...byDay.entries()]
    .filter(([day]) => monthOf(day) === month).sort(([a], [b]) => b.localeCompare(a)).map(([day, list]) => ({ day, incidents: list }));
  return {
    month,
    days,
    previous: month > first ? addMonths(month, -1) : null,
    next: month < current ? addMonths(month, 1) : null,
  };
}
