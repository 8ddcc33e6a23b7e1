// Maintenance windows as an iCalendar feed (RFC 5545) that calendar apps
// subscribe to. Each window is one VEVENT whose UID derives from the
// maintenance's stable id, so an edited window updates the same event
// (SEQUENCE counts its updates), and a cancelled one shows as cancelled.
// A recurring maintenance is one event with its RRULE in the page's zone (and
// that zone as a VTIMEZONE), so calendars show the series: a cancelled
// occurrence is an EXDATE, a moved or retitled one an event of its own with
// the series' UID and a RECURRENCE-ID.
import type { Incident, MaintenanceSeries } from './model';
import { isPlainWallTime, allOccurrences, ruleForCalendar } from './recurrence';
import { compactUtc, toLocalInput, zoneOffsetMs } from './time';

/** A maintenance completed before its window began was called off. */
export function isCancelledMaintenance(m: Incident): boolean {
  return m.kind === 'maintenance' && m.status === 'completed' && !!m.resolvedAt && !!m.scheduledFor && m.resolvedAt < m.scheduledFor;
}

/**
 * TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks
 * escaped. A lone CR counts as a line break too: some readers end a line there,
 * so a title could otherwise start a property of its own.
 */
const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');

/** Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (octets + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function maintenanceCalendar(site: { pageName: string; siteUrl: string }, incidents: Incident[], now: Date, series: MaintenanceSeries[] = []): string {
  const host = new URL(site.siteUrl).hostname.replace(/^\[|\]$/g, '') || 'localhost';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Herald//Status page maintenance//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`${site.pageName} maintenance`)}`,
    'X-PUBLISHED-TTL:PT1H',
  ];
  const seriesById = new Map(series.map((s) => [s.id, s]));
  const windowsOf = new Map<string, Incident[]>();
  const event = (m: Incident, uid: string, when: string[]) => {
    const url = `${site.siteUrl}/incidents/${m.id}`;
    const latest = m.updates[0];
    const cancelled = isCancelledMaintenance(m);
    lines.push(
      'BEGIN:VEVENT',
      `UID:${uid}`,
      `DTSTAMP:${compactUtc(now)}`,
      `LAST-MODIFIED:${compactUtc(m.updatedAt)}`,
      `SEQUENCE:${Math.max(0, m.updates.length - 1)}`,
      ...when,
      `SUMMARY:${escapeText(cancelled ? `Cancelled: ${m.title}` : m.title)}`,
      `DESCRIPTION:${escapeText(`${latest ? `${latest.body}\n\n` : ''}${url}`)}`,
      `URL:${url}`,
      `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  };
  for (const m of incidents) {
    if (m.kind !== 'maintenance' || !m.scheduledFor || !m.scheduledUntil) continue;
    if (m.occurrence && seriesById.has(m.occurrence.seriesId)) {
      const list = windowsOf.get(m.occurrence.seriesId);
      if (list) list.push(m);
      else windowsOf.set(m.occurrence.seriesId, [m]);
      continue;
    }
    event(m, `maintenance-${m.id}@${host}`, [`DTSTART:${compactUtc(m.scheduledFor)}`, `DTEND:${compactUtc(m.scheduledUntil)}`]);
  }
  const zones = new Map<string, [Date, Date]>();
  for (const [id, windows] of windowsOf) {
    const s = seriesById.get(id)!;
    const first = windows.find((w) => w.id === s.id) ?? windows.at(-1)!;
    const uid = `maintenance-${s.id}@${host}`;
    // A time written after the zone's TZID (a wall clock), or in UTC for a series in UTC.
    const wallTime = (wall: string) => (s.timeZone === 'UTC' ? `:${wall}Z` : `;TZID=${s.timeZone}:${wall}`);
    const at = (instant: Date) => wallTime(localStamp(instant, s.timeZone));
    const byStart = new Map(windows.map((w) => [w.occurrence!.of.getTime(), w]));
    const planned = allOccurrences(s.rule, s.firstStart, s.timeZone);
    const excluded: string[] = [];
    const own: { wall: string; window: Incident }[] = [];
    const placed = new Set<Incident>();
    for (const occurrence of planned) {
      // Not made yet: the rule says it all.
      if (s.nextStart && occurrence.start >= s.nextStart) break;
      const window = byStart.get(occurrence.start.getTime());
      if (window) placed.add(window);
      if (!window || isCancelledMaintenance(window)) excluded.push(occurrence.wall);
      else if (
        window.scheduledFor!.getTime() !== occurrence.start.getTime() ||
        window.scheduledUntil!.getTime() !== occurrence.start.getTime() + s.durationMs ||
        window.title !== first.title ||
        // A wall-clock time the zone skips or repeats that night: its instant spelled out, as calendars differ on those.
        !isPlainWallTime(occurrence, s.timeZone)
      )
        own.push({ wall: occurrence.wall, window });
    }
    const firstEnd = new Date(s.firstStart.getTime() + s.durationMs);
    // The series' event says what the rule plans: the first window's own cancellation is an EXDATE, not the series'.
    const plannedFirst = isCancelledMaintenance(first) ? { ...first, status: 'scheduled' as const, resolvedAt: null } : first;
    event(plannedFirst, uid, [
      `DTSTART${at(s.firstStart)}`,
      `DTEND${at(firstEnd)}`,
      `RRULE:${s.timeZone === 'UTC' ? s.rule : ruleForCalendar(s.rule, s.timeZone)}`,
      ...(excluded.length ? [`EXDATE${s.timeZone === 'UTC' ? ':' : `;TZID=${s.timeZone}:`}${excluded.map((wall) => (s.timeZone === 'UTC' ? `${wall}Z` : wall)).join(',')}`] : []),
    ]);
    for (const { wall, window } of own) {
      event(window, uid, [`RECURRENCE-ID${wallTime(wall)}`, `DTSTART:${compactUtc(window.scheduledFor!)}`, `DTEND:${compactUtc(window.scheduledUntil!)}`]);
    }
    // A window the rule no longer gives (its file's rule changed since it was planned) is still on the page: an event of its own.
    for (const window of windows) {
      if (!placed.has(window) && window.id !== s.id) event(window, `maintenance-${window.id}@${host}`, [`DTSTART:${compactUtc(window.scheduledFor!)}`, `DTEND:${compactUtc(window.scheduledUntil!)}`]);
    }
    if (s.timeZone !== 'UTC') {
      const span = zones.get(s.timeZone);
      const last = planned.at(-1)?.start ?? s.firstStart;
      zones.set(s.timeZone, [span && span[0] < s.firstStart ? span[0] : s.firstStart, span && span[1] > last ? span[1] : last]);
    }
  }
  // The zones' definitions go before the events that name them (readers that read in one pass need them first).
  const definitions = [...zones].flatMap(([zone, [from, to]]) => vtimezone(zone, from, to));
  lines.splice(lines.indexOf('X-PUBLISHED-TTL:PT1H') + 1, 0, ...definitions);
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** A local time as written after a TZID: 20261206T020000. */
const localStamp = (instant: Date, timeZone: string) => `${toLocalInput(instant, timeZone).replace(/[-:]/g, '')}00`;

const offsetText = (ms: number) => {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
};

/**
 * The zone as a VTIMEZONE: each change of offset from a year before `from` to
 * a year after `to`, found from the platform's zone data, as an observance
 * of its own (STANDARD, or DAYLIGHT when the clock goes forward).
 */
function vtimezone(timeZone: string, from: Date, to: Date): string[] {
  const year = 365 * 86_400_000;
  let at = from.getTime() - year;
  const end = to.getTime() + year;
  let offset = zoneOffsetMs(new Date(at), timeZone);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  const observance = (kind: 'STANDARD' | 'DAYLIGHT', start: string, before: number, after: number) =>
    lines.push(`BEGIN:${kind}`, `DTSTART:${start}`, `TZOFFSETFROM:${offsetText(before)}`, `TZOFFSETTO:${offsetText(after)}`, `END:${kind}`);
  // What held before the first change the span sees.
  observance('STANDARD', '19700101T000000', offset, offset);
  const step = 6 * 3_600_000;
  for (; at < end; at += step) {
    const next = zoneOffsetMs(new Date(at + step), timeZone);
    if (next === offset) continue;
    // The minute it changed.
    let low = at;
    let high = at + step;
    while (high - low > 60_000) {
      const middle = low + Math.floor((high - low) / 120_000) * 60_000;
      if (zoneOffsetMs(new Date(middle), timeZone) === offset) low = middle;
      else high = middle;
    }
    // DTSTART is the wall clock the change happens at, read with the offset before it.
    const wall = compactUtc(new Date(high + offset)).replace(/Z$/, '');
    observance(next > offset ? 'DAYLIGHT' : 'STANDARD', wall, offset, next);
    offset = next;
  }
  lines.push('END:VTIMEZONE');
  return lines;
}
