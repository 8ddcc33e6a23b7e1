import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatDuration, isMonth, localDay, startOfLocalDay, zoneOffsetMs } from '../../src/lib/time';

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
