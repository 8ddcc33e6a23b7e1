import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatDuration, isMonth, localDay, startOfLocalDay, parseInstant, zoneOffsetMs } from '../../src/lib/time';

describe('time zones', () => {
  it('finds the local day of an instant', () => {
    const instant = new Date('2026-09-19T23:30:00Z');
    expect(localDay(instant, 'UTC')).toBe('2026-09-19');
    expect(localDay(instant, 'Europe/Berlin')).toBe('2026-09-20');
    expect(localDay(instant, 'America/New_York')).toBe('2026-09-19');
  });

  it('starts a local day at local midnight, across DST changes', () => {
    expect(startOfLocalDay('2026-07-01', 'Europe/Berlin').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(startOfLocalDay('2026-01-15', 'Europe/Berlin').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    // 29 March 2026: Berlin springs forward, the day has 23 hours.
    const start = startOfLocalDay('2026-03-29', 'Europe/Berlin').getTime();
    const end = startOfLocalDay('2026-03-30', 'Europe/Berlin').getTime();
    expect((end - start) / 3_600_000).toBe(23);
    expect(zoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });

  it('does calendar arithmetic on days and months', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(isMonth('2026-09')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '26-09', '2026-9', 'abcd-ef', '']) expect(isMonth(bad)).toBe(false);
  });

  it('formats durations for people', () => {
    expect(formatDuration(47 * 60_000)).toBe('47 min');
    expect(formatDuration(192 * 60_000)).toBe('3 h 12 min');
    expect(formatDuration(52 * 3_600_000)).toBe('2 d 4 h');
  });
});

describe('zone offsets, remembered by the quarter hour', () => {
  // What Intl says, asked afresh every time: the reference the remembered offsets must match.
  const reference = (instant: Date, timeZone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(instant)
        .filter((p) => p.type !== 'literal')
        .map((p) => [p.type, Number(p.value)]),
    );
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(instant.getTime() / 1000) * 1000;
  };
  const cases: [string, string][] = [
    ['Europe/Berlin', '2026-03-29T00:00:00Z'], // summer time at 01:00 UTC
    ['America/New_York', '2026-11-01T04:00:00Z'], // back an hour at 06:00 UTC
    ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'], // half an hour back
    ['America/St_Johns', '2026-03-08T04:00:00Z'], // a -03:30 zone
    ['Africa/Monrovia', '1972-01-06T23:00:00Z'], // -00:44:30 to UTC at 00:44:30, inside a quarter hour
  ];
  for (const [zone, from] of cases) {
    it(`matches Intl at every 37 s for four hours around a change in ${zone}`, () => {
      const start = new Date(from).getTime();
      const differences: string[] = [];
      for (let ms = start; ms < start + 4 * 3_600_000; ms += 37_000) {
        const instant = new Date(ms);
        if (zoneOffsetMs(instant, zone) !== reference(instant, zone)) differences.push(instant.toISOString());
        // Asked again, now from what was remembered.
        if (zoneOffsetMs(instant, zone) !== reference(instant, zone)) differences.push(`${instant.toISOString()} (again)`);
      }
      expect(differences).toEqual([]);
      expect(new Set(Array.from({ length: 8 }, (_, n) => reference(new Date(start + n * 1_800_000), zone))).size).toBeGreaterThan(1);
    });
  }
  it('cuts days in the zone, also on either side of a change', () => {
    expect(localDay(new Date('2026-11-01T03:59:59Z'), 'America/New_York')).toBe('2026-10-31');
    expect(localDay(new Date('2026-11-01T04:00:00Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDay(new Date('2026-03-28T22:59:59.999Z'), 'Europe/Berlin')).toBe('2026-03-28');
    expect(localDay(new Date('2026-03-28T23:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
  });
});

describe('parseInstant: the one reader of instants with a zone', () => {
  it('reads ISO 8601 with Z or an offset, to the minute or finer', () => {
    expect(parseInstant('2026-12-06T02:00:00Z')?.toISOString()).toBe('2026-12-06T02:00:00.000Z');
    expect(parseInstant('2026-12-06T03:00+01:00')?.toISOString()).toBe('2026-12-06T02:00:00.000Z');
    expect(parseInstant(' 2026-12-06 03:00:00.5-0130 ')?.toISOString()).toBe('2026-12-06T04:30:00.500Z');
    expect(parseInstant('2026-12-06t02:00z')?.toISOString()).toBe('2026-12-06T02:00:00.000Z');
  });

  it('refuses a time without a zone, a bare number, and days or hours the calendar lacks', () => {
    for (const text of ['2026-12-06T02:00', '2026-12-06', '1', '', 'tomorrow', '2026-02-30T00:00Z', '2026-02-29T00:00Z', '2026-12-01T24:00Z', '2026-12-01T23:60Z', '2026-12-01T10:00+25:00']) {
      expect(parseInstant(text), text).toBeNull();
    }
    expect(parseInstant('2028-02-29T00:00Z')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});
