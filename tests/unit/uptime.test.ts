import { describe, expect, it } from 'vitest';
import type { ComponentStatusLogRow } from '../../src/db/schema';
import type { Outage } from '../../src/lib/model';
import { collectOutages, uptimeBar } from '../../src/lib/uptime';
import { incident } from '../helpers/factories';

const now = new Date('2026-11-22T12:00:00Z');
const H = 3_600_000;
const outage = (status: Outage['status'], start: string, end: string | null): Outage => ({
  componentId: 'web',
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
      { componentId: 'web', status: 'partial_outage', start: resolved.startedAt, end: resolved.resolvedAt },
      { componentId: 'dns', status: 'major_outage', start: log[0].at, end: log[1].at },
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
