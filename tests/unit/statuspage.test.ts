// The Statuspage documents, badges and calendar as plain functions: offsets
// and DST, the indicator following the worst active impact, escaping.
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { badgeSvg } from '../../src/lib/badge';
import { maintenanceCalendar } from '../../src/lib/icalendar';
import type { Component, Incident } from '../../src/lib/model';
import { currentComponentStatuses, pageStatus } from '../../src/lib/status';
import { statuspageDocuments, statuspagePageId } from '../../src/lib/statuspage';
import { isoWithOffset } from '../../src/lib/time';
import { component, incident, type IncidentInput } from '../helpers/factories';

describe('isoWithOffset', () => {
  it.each([
    ['2026-01-15T12:00:00Z', 'UTC', '2026-01-15T12:00:00.000+00:00'],
    ['2026-01-15T12:00:00Z', 'Europe/Berlin', '2026-01-15T13:00:00.000+01:00'],
    ['2026-07-15T12:00:00Z', 'Europe/Berlin', '2026-07-15T14:00:00.000+02:00'],
    ['2026-01-15T03:00:00.250Z', 'America/New_York', '2026-01-14T22:00:00.250-05:00'],
    ['2026-01-15T12:00:00Z', 'Asia/Kolkata', '2026-01-15T17:30:00.000+05:30'],
  ])('%s in %s is %s, the same instant', (instant, zone, expected) => {
    const out = isoWithOffset(new Date(instant), zone);
    expect(out).toBe(expected);
    expect(Date.parse(out)).toBe(Date.parse(instant));
  });
});

function documents(components: Component[], incidents: Incident[]) {
  const shown = currentComponentStatuses(components, incidents);
  return statuspageDocuments({
    pageName: 'Example',
    siteUrl: 'https://status.example.com',
    timeZone: 'UTC',
    sections: [{ id: null, name: 'Other services', components: shown }],
    components: shown,
    incidents,
    status: pageStatus(shown, incidents),
  });
}

describe('the indicator follows the worst active impact', () => {
  const web = component({ id: 'web' });
  const started = new Date(Date.now() - 3600_000);
  it.each([
    [[], 'none'],
    [[incident({ id: 'a', impact: 'minor', startedAt: started })], 'minor'],
    [[incident({ id: 'a', impact: 'minor', startedAt: started }), incident({ id: 'b', impact: 'critical', startedAt: started })], 'critical'],
    [[incident({ id: 'a', impact: 'critical', status: 'resolved', startedAt: started }), incident({ id: 'b', impact: 'major', startedAt: started })], 'major'],
    [[incident({ id: 'a', impact: 'critical', status: 'resolved', startedAt: started })], 'none'],
    [[incident({ id: 'm', kind: 'maintenance', status: 'in_progress', impact: 'none', components: [{ id: 'web', status: 'under_maintenance' }], startedAt: started })], 'maintenance'],
    [[incident({ id: 'm', kind: 'maintenance', status: 'in_progress', impact: 'none', startedAt: started }), incident({ id: 'b', impact: 'minor', startedAt: started })], 'minor'],
  ] as [Incident[], string][])('case %#', (incidents, indicator) => {
    const docs = documents([web], incidents);
    expect(docs.status().status.indicator).toBe(indicator);
    expect(docs.summary().status.indicator).toBe(indicator);
    expect(docs.unresolvedIncidents().incidents.every((i) => i.status !== 'resolved')).toBe(true);
  });
});

it('a page id is the same for one site address, and differs between sites', () => {
  expect(statuspagePageId('https://status.example.com')).toBe(statuspagePageId('https://status.example.com'));
  expect(statuspagePageId('https://status.example.com')).not.toBe(statuspagePageId('https://status.example.org'));
  expect(statuspagePageId('https://status.example.com')).toMatch(/^[0-9a-z]{12}$/);
});

it('badges escape names and carry an accessible title', () => {
  const svg = badgeSvg('A&B <script>', 'operational', 'operational');
  expect(svg).not.toContain('<script>');
  expect(svg).toContain('<title>A&#38;B &#60;script&#62;: operational</title>');
  expect(svg).toContain('role="img"');
});

describe('maintenance calendar', () => {
  const window = (overrides: IncidentInput) =>
    incident({ kind: 'maintenance', status: 'scheduled', scheduledFor: new Date('2026-12-06T02:00:00Z'), scheduledUntil: new Date('2026-12-06T03:30:00Z'), ...overrides });

  it('escapes text, folds long lines without splitting characters, and round-trips through a parser', () => {
    const body = 'Ünïcödé ✓ '.repeat(20) + '\nLine two; with, commas\\and a backslash';
    const m = window({ id: 'upgrade', title: 'Upgrade, part 1; with "quotes"', updates: [{ id: 'upgrade#1', status: 'scheduled', body, at: new Date('2026-11-20T09:00:00Z'), source: 'live', editedAt: null, notified: true }] });
    const ics = maintenanceCalendar({ pageName: 'Example', siteUrl: 'https://status.example.com' }, [m], new Date('2026-11-20T09:00:00Z'));
    expect(ics.endsWith('\r\n')).toBe(true);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const [event] = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(event.uid).toBe('maintenance-upgrade@status.example.com');
    expect(event.summary).toBe('Upgrade, part 1; with "quotes"');
    expect(event.description).toBe(`${body}\n\nhttps://status.example.com/incidents/upgrade`);
  });

  it('marks a window completed before it began as cancelled, and one completed after as held', () => {
    const completedAt = (iso: string) => ({ status: 'completed' as const, resolvedAt: new Date(iso) });
    const ics = maintenanceCalendar(
      { pageName: 'Example', siteUrl: 'https://status.example.com' },
      [window({ id: 'off', ...completedAt('2026-12-01T00:00:00Z') }), window({ id: 'held', ...completedAt('2026-12-06T03:30:00Z') })],
      new Date(),
    );
    const statuses = new Map(new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => [v.getFirstPropertyValue('uid'), v.getFirstPropertyValue('status')]));
    expect(statuses.get('maintenance-off@status.example.com')).toBe('CANCELLED');
    expect(statuses.get('maintenance-held@status.example.com')).toBe('CONFIRMED');
  });
});
