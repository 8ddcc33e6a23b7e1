import { describe, expect, it } from 'vitest';
import type { ComponentStatusLogRow } from '../../src/db/schema';
import type { Outage } from '../../src/lib/model';
import { collectOutages, dayCauses, monthlyUptime, monthReportCsv, PARTIAL_OUTAGE_WEIGHT, uptimeBar, uptimeOver, type UptimeCorrection } from '../../src/lib/uptime';
import { addDays, localDay, startOfLocalDay } from '../../src/lib/time';
import { incident } from '../helpers/factories';

const now = new Date('2026-11-22T12:00:00Z');
const H = 3_600_000;
const outage = (status: Outage['status'], start: string, end: string | null): Outage => ({
  componentId: 'web',
  incidentId: null,
  status,
  start: new Date(start),
  end: end ? new Date(end) : null,
});
const cell = (bar: ReturnType<typeof uptimeBar>, day: string) => bar.days.find((d) => d.day === day)!;

describe('uptime bars', () => {
  it('has 90 days ending today, all operational without outages', () => {
    const bar = uptimeBar('web', [], now, 'UTC');
    expect(bar.days).toHaveLength(90);
    expect(bar.days.at(-1)!.day).toBe('2026-11-22');
    expect(bar.days[0].day).toBe('2026-08-25');
    expect(bar.days.every((d) => d.status === 'operational')).toBe(true);
    expect(bar.percent).toBe(100);
  });

  it('splits an incident crossing midnight between both days', () => {
    const bar = uptimeBar('web', [outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')], now, 'UTC');
    expect(cell(bar, '2026-11-10').msByStatus.major_outage).toBe(2 * H);
    expect(cell(bar, '2026-11-11').msByStatus.major_outage).toBe(3 * H);
    expect(cell(bar, '2026-11-10').status).toBe('major_outage');
    expect(cell(bar, '2026-11-12').status).toBe('operational');
  });

  it('cuts days at midnight of the page time zone, not UTC', () => {
    // 22:00–03:00 UTC is 23:00–04:00 in Berlin (CET): one hour on the 10th, four on the 11th.
    const bar = uptimeBar('web', [outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')], now, 'Europe/Berlin');
    expect(cell(bar, '2026-11-10').msByStatus.major_outage).toBe(1 * H);
    expect(cell(bar, '2026-11-11').msByStatus.major_outage).toBe(4 * H);
    // In New York (EST) the whole outage falls on the 10th.
    const ny = uptimeBar('web', [outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')], now, 'America/New_York');
    expect(cell(ny, '2026-11-10').msByStatus.major_outage).toBe(5 * H);
    expect(cell(ny, '2026-11-11').status).toBe('operational');
  });

  it('counts major outage fully, partial at 0.3, degraded and maintenance not at all', () => {
    const outages = [
      outage('major_outage', '2026-11-01T00:00:00Z', '2026-11-01T10:00:00Z'),
      outage('partial_outage', '2026-11-02T00:00:00Z', '2026-11-02T10:00:00Z'),
      outage('degraded_performance', '2026-11-03T00:00:00Z', '2026-11-03T10:00:00Z'),
      outage('under_maintenance', '2026-11-04T00:00:00Z', '2026-11-04T10:00:00Z'),
    ];
    const bar = uptimeBar('web', outages, now, 'UTC');
    expect(cell(bar, '2026-11-01').downtimeMs).toBe(10 * H);
    expect(cell(bar, '2026-11-02').downtimeMs).toBeCloseTo(3 * H);
    expect(cell(bar, '2026-11-03').downtimeMs).toBe(0);
    expect(cell(bar, '2026-11-03').status).toBe('degraded_performance');
    expect(cell(bar, '2026-11-04').status).toBe('under_maintenance');
    const observed = 89 * 24 * H + 12 * H; // today counts up to noon
    expect(bar.percent).toBe(Math.floor((1 - (13 * H) / observed) * 10_000) / 100);
  });

  it('never counts overlapping outages twice; the worst status wins', () => {
    const bar = uptimeBar(
      'web',
      [
        outage('partial_outage', '2026-11-05T00:00:00Z', '2026-11-05T06:00:00Z'),
        outage('major_outage', '2026-11-05T02:00:00Z', '2026-11-05T04:00:00Z'),
        outage('major_outage', '2026-11-05T03:00:00Z', '2026-11-05T05:00:00Z'),
      ],
      now,
      'UTC',
    );
    const day = cell(bar, '2026-11-05');
    expect(day.msByStatus.major_outage).toBe(3 * H);
    expect(day.msByStatus.partial_outage).toBe(3 * H);
    expect(day.status).toBe('major_outage');
  });

  it('counts an ongoing outage up to now, and ignores other components', () => {
    const bar = uptimeBar(
      'web',
      [outage('major_outage', '2026-11-22T10:00:00Z', null), { ...outage('major_outage', '2026-11-20T00:00:00Z', null), componentId: 'imap' }],
      now,
      'UTC',
    );
    expect(cell(bar, '2026-11-22').msByStatus.major_outage).toBe(2 * H);
    expect(cell(bar, '2026-11-21').status).toBe('operational');
  });
});

describe('collecting outages', () => {
  it('takes incidents, maintenance that has started, and manual status changes', () => {
    const resolved = incident({
      id: 'a',
      components: [{ id: 'web', status: 'partial_outage' }],
      startedAt: new Date('2026-11-01T10:00:00Z'),
      resolvedAt: new Date('2026-11-01T12:00:00Z'),
      status: 'resolved',
    });
    const future = incident({
      id: 'b',
      kind: 'maintenance',
      status: 'scheduled',
      components: [{ id: 'web', status: 'under_maintenance' }],
      scheduledFor: new Date('2026-12-01T00:00:00Z'),
      scheduledUntil: new Date('2026-12-01T02:00:00Z'),
    });
    const log: ComponentStatusLogRow[] = [
      { id: 1, componentId: 'dns', status: 'major_outage', at: new Date('2026-11-02T00:00:00Z'), incidentId: null },
      { id: 2, componentId: 'dns', status: 'operational', at: new Date('2026-11-02T01:00:00Z'), incidentId: null },
    ];
    const outages = collectOutages([resolved, future], log, now);
    expect(outages).toEqual([
      { componentId: 'web', status: 'partial_outage', start: resolved.startedAt, end: resolved.resolvedAt, incidentId: 'a' },
      { componentId: 'dns', status: 'major_outage', start: log[0].at, end: log[1].at, incidentId: null },
    ]);
  });

  it('follows status changes staff made during an incident', () => {
    const open = incident({ id: 'c', components: [{ id: 'web', status: 'degraded_performance' }], startedAt: new Date('2026-11-20T00:00:00Z') });
    const log: ComponentStatusLogRow[] = [
      { id: 1, componentId: 'web', status: 'major_outage', at: new Date('2026-11-20T00:00:00Z'), incidentId: 'c' },
      { id: 2, componentId: 'web', status: 'degraded_performance', at: new Date('2026-11-20T02:00:00Z'), incidentId: 'c' },
    ];
    const outages = collectOutages([open], log, now);
    expect(outages.map((o) => [o.status, o.start.toISOString(), o.end?.toISOString() ?? null])).toEqual([
      ['major_outage', '2026-11-20T00:00:00.000Z', '2026-11-20T02:00:00.000Z'],
      ['degraded_performance', '2026-11-20T02:00:00.000Z', null],
    ]);
  });
});

describe('uptime bars kept between renders', () => {
  // The 90 days as uptimeOver sees them without anything kept.
  const fresh = (outages: Outage[], at: Date, timeZone: string, options: Parameters<typeof uptimeBar>[5] = {}) => {
    const today = localDay(at, timeZone);
    const bounds = Array.from({ length: 90 }, (_, n) => {
      const day = addDays(today, n - 89);
      return { day, from: startOfLocalDay(day, timeZone).getTime(), end: startOfLocalDay(addDays(day, 1), timeZone).getTime() };
    });
    return uptimeOver('web', outages, at, bounds, options);
  };

  it('gives what a fresh computation gives as outages, corrections, the clock and the zone change', () => {
    const since = new Date('2026-09-01T00:00:00Z');
    const correction: UptimeCorrection = { percent: 99.5, reason: 'monitoring gap', at: new Date('2026-11-02T00:00:00Z') };
    const steps: [Outage[], Date, string, Parameters<typeof uptimeBar>[5]][] = [
      [[outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')], now, 'UTC', { since }],
      // The same again (kept), then an outage that ends later, one more, one still open since yesterday.
      [[outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')], now, 'UTC', { since }],
      [[outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T05:00:00Z')], now, 'UTC', { since }],
      [[outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T05:00:00Z'), outage('partial_outage', '2026-11-21T20:00:00Z', null)], now, 'UTC', { since }],
      [[outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T05:00:00Z'), outage('partial_outage', '2026-11-21T20:00:00Z', null)], new Date(now.getTime() + H), 'UTC', { since }],
      // Past midnight: yesterday became a past day; another zone; a correction; a later `since`.
      [[outage('partial_outage', '2026-11-21T20:00:00Z', null)], new Date('2026-11-23T01:00:00Z'), 'UTC', { since }],
      [[outage('partial_outage', '2026-11-21T20:00:00Z', null)], new Date('2026-11-23T01:00:00Z'), 'America/New_York', { since }],
      [[outage('partial_outage', '2026-11-21T20:00:00Z', null)], now, 'UTC', { since, corrections: new Map([['2026-11-01', correction]]) }],
      [[outage('partial_outage', '2026-11-21T20:00:00Z', null)], now, 'UTC', { since, corrections: new Map([['2026-11-01', { ...correction, percent: 98 }]]) }],
      [[outage('partial_outage', '2026-11-21T20:00:00Z', null)], now, 'UTC', { since: new Date('2026-11-15T00:00:00Z') }],
      // An outage starting today moves "watched from" only within today.
      [[outage('major_outage', '2026-11-22T01:00:00Z', '2026-11-22T02:00:00Z')], now, 'UTC', { since: new Date('2026-11-22T06:00:00Z') }],
      // Today's cell is worked out from the outages that reach into it: one that ended at midnight, an older one that says
      // the component was watched before `since` (and so today from midnight), and none at all with no `since`.
      [[outage('partial_outage', '2026-11-21T20:00:00Z', '2026-11-22T00:00:00Z'), outage('major_outage', '2026-11-22T03:00:00Z', null)], now, 'UTC', {}],
      [[outage('degraded_performance', '2026-10-01T00:00:00Z', '2026-10-01T04:00:00Z')], now, 'UTC', { since: new Date('2026-11-22T09:00:00Z') }],
      [[outage('degraded_performance', '2026-10-01T00:00:00Z', '2026-10-01T04:00:00Z')], now, 'UTC', {}],
    ];
    for (const [outages, at, zone, options] of steps) expect(uptimeBar('web', outages, at, zone, 90, options)).toEqual(fresh(outages, at, zone, options));
  });

  it('keeps the days before today as they were while nothing under them changes', () => {
    const outages = [outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z'), outage('degraded_performance', '2026-11-22T08:00:00Z', null)];
    const first = uptimeBar('web', outages, now, 'UTC');
    const later = uptimeBar('web', outages, new Date(now.getTime() + H), 'UTC');
    expect(later.days.slice(0, -1).every((d, n) => d === first.days[n])).toBe(true);
    expect(later.days.at(-1)!.observedMs).toBe(13 * H);
    const changed = uptimeBar('web', [outage('major_outage', '2026-11-10T22:00:00Z', '2026-11-11T04:00:00Z')], now, 'UTC');
    expect(cell(changed, '2026-11-11').msByStatus.major_outage).toBe(4 * H);
  });
});

describe('uptime people can audit', () => {
  it('shows no data before a component is watched, and counts only watched time', () => {
    const since = new Date('2026-11-20T12:00:00Z');
    const bar = uptimeBar('web', [outage('major_outage', '2026-11-21T00:00:00Z', '2026-11-21T06:00:00Z')], now, 'UTC', 90, { since });
    expect(cell(bar, '2026-11-19')).toMatchObject({ percent: null, observedMs: 0 });
    expect(bar.days.filter((d) => d.percent === null)).toHaveLength(87);
    expect(cell(bar, '2026-11-20')).toMatchObject({ percent: 100, observedMs: 12 * H });
    expect(cell(bar, '2026-11-21')).toMatchObject({ percent: 75, observedMs: 24 * H });
    // 6 h down of 48 h watched (12 + 24 + 12 up to now), not of 90 days.
    expect(bar.percent).toBe(87.5);
    // An outage before `since` says it existed then: watched from there.
    const earlier = uptimeBar('web', [outage('partial_outage', '2026-11-01T00:00:00Z', '2026-11-01T01:00:00Z')], now, 'UTC', 90, { since });
    expect(cell(earlier, '2026-10-31').percent).toBeNull();
    expect(cell(earlier, '2026-11-01').percent).toBe(98.75); // 0.3 × 1 h of 24 h
  });

  it('applies a staff correction to its day and to the total, keeping what was measured', () => {
    const outages = [outage('major_outage', '2026-11-21T00:00:00Z', '2026-11-21T12:00:00Z')];
    const corrections = new Map([['2026-11-21', { percent: 100, reason: 'A probe failed, not the service.', at: now }]]);
    const plain = uptimeBar('web', outages, now, 'UTC');
    const corrected = uptimeBar('web', outages, now, 'UTC', 90, { corrections });
    expect(cell(plain, '2026-11-21').percent).toBe(50);
    expect(cell(corrected, '2026-11-21')).toMatchObject({ percent: 100, downtimeMs: 0, status: 'major_outage', msByStatus: { major_outage: 12 * H } });
    expect(cell(corrected, '2026-11-21').correction?.reason).toBe('A probe failed, not the service.');
    expect(corrected.percent).toBe(100);
    expect(plain.percent).toBeLessThan(100);
  });

  it('lists what made a day, and its figures add up to the day’s percentage', () => {
    const outages: Outage[] = [
      { ...outage('major_outage', '2026-11-21T10:00:00Z', '2026-11-21T11:00:00Z'), incidentId: 'db-down' },
      { ...outage('partial_outage', '2026-11-21T11:00:00Z', '2026-11-21T15:00:00Z'), incidentId: 'db-down' },
      outage('degraded_performance', '2026-11-21T20:00:00Z', '2026-11-22T02:00:00Z'),
    ];
    const day = cell(uptimeBar('web', outages, now, 'UTC'), '2026-11-21');
    const causes = dayCauses('web', outages, '2026-11-21', 'UTC', now);
    expect(causes.map((c) => [c.incidentId, c.status, c.ms / H])).toEqual([
      ['db-down', 'partial_outage', 4],
      [null, 'degraded_performance', 4],
      ['db-down', 'major_outage', 1],
    ]);
    const downtime = (day.msByStatus.major_outage ?? 0) + PARTIAL_OUTAGE_WEIGHT * (day.msByStatus.partial_outage ?? 0);
    expect(day.downtimeMs).toBe(downtime);
    expect(day.percent).toBe(Math.floor((1 - downtime / day.observedMs) * 10_000) / 100);
    expect(day.percent).toBe(90.83); // (1 h + 0.3 × 4 h) of 24 h
  });

  it('reports calendar months in the page’s zone, across a daylight-saving change', () => {
    const components = [{ id: 'web', name: 'Web', createdAt: new Date('2026-01-01T00:00:00Z') }, { id: 'new', name: 'New', createdAt: new Date('2026-11-01T00:00:00Z') }];
    const outages = [outage('major_outage', '2026-10-10T00:00:00Z', '2026-10-10T03:00:00Z')];
    const report = monthlyUptime(components, outages, '2026-10', 'Europe/Berlin', now);
    const web = report.components[0];
    // October in Berlin has 31 days and one 25-hour day.
    expect(web.observedMs).toBe((31 * 24 + 1) * H);
    expect(web.percent).toBe(99.59); // 3 h of 745 h
    expect(report.components[1].percent).toBeNull(); // not watched in October
    expect(report.percent).toBe(99.59);
    const csv = monthReportCsv({ ...report, components: [...report.components, { ...web, id: 'x', name: '=HYPERLINK("evil")' }] });
    expect(csv.split('\r\n')[0]).toMatch(/^month,time_zone,component_id,component,uptime_percent,/);
    expect(csv).toContain('2026-10,Europe/Berlin,web,Web,99.59,180,44700,180,0,0,0,');
    expect(csv).toContain(`"'=HYPERLINK(""evil"")"`);
    expect(csv).toContain('2026-10,Europe/Berlin,,All components,');
  });
});
