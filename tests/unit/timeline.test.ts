import { describe, expect, it } from 'vitest';
import type { ComponentStatusLogRow, IncidentRow, IncidentUpdateRow } from '../../src/db/schema';
import type { AuthoredIncident } from '../../src/lib/content/incident-file';
import { activeIncidents, activeMaintenance, mergeTimeline, suggestedNextStatus, upcomingMaintenance } from '../../src/lib/timeline';
import type { UpdateStatus } from '../../src/db/constants';

const t = (iso: string) => new Date(iso);
const authored: AuthoredIncident = {
  id: '2026-09-03-dns',
  kind: 'incident',
  title: 'DNS trouble',
  impact: 'minor',
  components: [{ id: 'dns', status: 'partial_outage' }],
  startedAt: t('2026-09-03T13:20:00Z'),
  scheduledFor: null,
  scheduledUntil: null,
  recurrence: null,
  updates: [
    { at: t('2026-09-03T13:48:00Z'), status: 'investigating', body: 'Looking' },
    { at: t('2026-09-03T14:35:00Z'), status: 'identified', body: 'Found' },
  ],
  filePath: 'content/incidents/2026-09-03-dns.md',
};
const liveRow: IncidentRow = {
  id: '2026-11-22-web',
  kind: 'incident',
  title: 'Web down',
  impact: 'major',
  startedAt: t('2026-11-22T10:00:00Z'),
  scheduledFor: null,
  scheduledUntil: null,
  createdAt: t('2026-11-22T10:00:00Z'),
  seriesId: null,
  occurrenceOf: null,
  deletedAt: null,
  closedAt: null,
  revision: 0,
  templateId: null,
};
const update = (id: number, incidentId: string, status: IncidentUpdateRow['status'], at: string): IncidentUpdateRow => ({
  id,
  incidentId,
  status,
  body: `update ${id}`,
  at: t(at),
  notify: true,
  editedAt: null,
  deletedAt: null,
  automatic: false,
  postedBy: null,
  nextUpdateBy: null,
  promiseKeptAt: null,
  overdueAlertedAt: null,
});
const now = t('2026-11-22T12:00:00Z');

describe('timeline merge', () => {
  it('turns both sources into one list, newest first, indistinguishable in shape', () => {
    const merged = mergeTimeline([authored], { incidents: [liveRow], components: [], updates: [update(1, liveRow.id, 'investigating', '2026-11-22T10:05:00Z')], statusChanges: [] }, now);
    expect(merged.map((i) => i.id)).toEqual([liveRow.id, authored.id]);
    expect(Object.keys(merged[0]).sort()).toEqual(Object.keys(merged[1]).sort());
    expect(merged[1].status).toBe('identified');
    expect(merged[1].updates.map((u) => u.id)).toEqual(['2026-09-03-dns#md-2', '2026-09-03-dns#md-1']);
  });

  it('appends live updates to a markdown incident and resolves it', () => {
    const merged = mergeTimeline(
      [authored],
      {
        incidents: [],
        components: [{ incidentId: authored.id, componentId: 'dns', status: 'degraded_performance' }],
        updates: [update(7, authored.id, 'resolved', '2026-09-03T22:05:00Z')],
        statusChanges: [],
      },
      now,
    );
    const [dns] = merged;
    expect(dns.status).toBe('resolved');
    expect(dns.resolvedAt).toEqual(t('2026-09-03T22:05:00Z'));
    expect(dns.updates[0]).toMatchObject({ id: `${authored.id}#7`, source: 'live' });
    expect(dns.components).toEqual([{ id: 'dns', status: 'partial_outage', peak: 'partial_outage' }]);
    expect(activeIncidents(merged)).toHaveLength(0);
  });

  it('dates resolution from the first closing update, not a later postmortem', () => {
    const merged = mergeTimeline(
      [],
      {
        incidents: [liveRow],
        components: [],
        updates: [
          update(1, liveRow.id, 'investigating', '2026-11-22T10:00:00Z'),
          update(2, liveRow.id, 'resolved', '2026-11-22T11:00:00Z'),
          update(3, liveRow.id, 'postmortem', '2026-11-22T11:30:00Z'),
        ],
        statusChanges: [],
      },
      now,
    );
    expect(merged[0].status).toBe('postmortem');
    expect(merged[0].resolvedAt).toEqual(t('2026-11-22T11:00:00Z'));
  });

  it('moves a scheduled maintenance through its window by itself', () => {
    const window = { ...authored, id: 'm', kind: 'maintenance' as const, impact: 'none' as const, updates: [{ at: t('2026-11-01T00:00:00Z'), status: 'scheduled' as const, body: 'Planned' }] };
    const at = (from: string, until: string, when: string) =>
      mergeTimeline([{ ...window, scheduledFor: t(from), scheduledUntil: t(until), startedAt: t(from) }], { incidents: [], components: [], updates: [], statusChanges: [] }, t(when))[0];
    const before = at('2026-12-06T02:00:00Z', '2026-12-06T03:30:00Z', '2026-12-01T00:00:00Z');
    expect(before.status).toBe('scheduled');
    expect(upcomingMaintenance([before])).toHaveLength(1);
    const during = at('2026-12-06T02:00:00Z', '2026-12-06T03:30:00Z', '2026-12-06T02:30:00Z');
    expect(during.status).toBe('in_progress');
    expect(activeMaintenance([during])).toHaveLength(1);
    const after = at('2026-12-06T02:00:00Z', '2026-12-06T03:30:00Z', '2026-12-07T00:00:00Z');
    expect(after.status).toBe('completed');
    expect(after.resolvedAt).toEqual(t('2026-12-06T03:30:00Z'));
  });
});

describe('what each update changed, and the worst a component got', () => {
  let logId = 0;
  const logged = (incidentId: string, componentId: string, status: ComponentStatusLogRow['status'], at: string): ComponentStatusLogRow => ({
    id: ++logId,
    incidentId,
    componentId,
    status,
    at: t(at),
  });
  const changesOf = (incident: ReturnType<typeof mergeTimeline>[number]) =>
    [...incident.updates].reverse().map((u) => [u.status, u.componentChanges.map((c) => `${c.id} ${c.from}>${c.to}`)]);

  it('a live incident: set, changed, resolved back to operational; the peak survives the resolution', () => {
    const [web] = mergeTimeline(
      [],
      {
        incidents: [liveRow],
        components: [{ incidentId: liveRow.id, componentId: 'webmail', status: 'degraded_performance' }, { incidentId: liveRow.id, componentId: 'imap', status: 'partial_outage' }],
        updates: [
          update(1, liveRow.id, 'investigating', '2026-11-22T10:00:00Z'),
          update(2, liveRow.id, 'identified', '2026-11-22T10:30:00Z'),
          update(3, liveRow.id, 'monitoring', '2026-11-22T11:00:00Z'),
          update(4, liveRow.id, 'resolved', '2026-11-22T11:30:00Z'),
          update(5, liveRow.id, 'postmortem', '2026-11-23T09:00:00Z'),
        ],
        statusChanges: [
          logged(liveRow.id, 'webmail', 'major_outage', '2026-11-22T10:00:00Z'),
          logged(liveRow.id, 'imap', 'partial_outage', '2026-11-22T10:30:00Z'),
          logged(liveRow.id, 'webmail', 'degraded_performance', '2026-11-22T11:00:00Z'),
          // Listed again without a change: not a change.
          logged(liveRow.id, 'imap', 'partial_outage', '2026-11-22T11:00:00Z'),
        ],
      },
      now,
    );
    expect(changesOf(web)).toEqual([
      ['investigating', ['webmail operational>major_outage']],
      ['identified', ['imap operational>partial_outage']],
      ['monitoring', ['webmail major_outage>degraded_performance']],
      ['resolved', ['webmail degraded_performance>operational', 'imap partial_outage>operational']],
      ['postmortem', []],
    ]);
    expect(web.components).toEqual([
      { id: 'webmail', status: 'degraded_performance', peak: 'major_outage' },
      { id: 'imap', status: 'partial_outage', peak: 'partial_outage' },
    ]);
  });

  it('a reopened incident brings its components back, and a markdown incident starts from its file', () => {
    const [dns] = mergeTimeline(
      [authored],
      {
        incidents: [],
        components: [],
        updates: [update(8, authored.id, 'resolved', '2026-09-03T15:00:00Z'), update(9, authored.id, 'investigating', '2026-09-03T16:00:00Z')],
        statusChanges: [],
      },
      now,
    );
    expect(changesOf(dns)).toEqual([
      ['investigating', ['dns operational>partial_outage']],
      ['identified', []],
      ['resolved', ['dns partial_outage>operational']],
      ['investigating', ['dns operational>partial_outage']],
    ]);
  });

  it('a maintenance puts its components under maintenance when it starts and back when it completes', () => {
    const row: IncidentRow = { ...liveRow, id: 'm', kind: 'maintenance', impact: 'none', scheduledFor: t('2026-11-22T02:00:00Z'), scheduledUntil: t('2026-11-22T04:00:00Z') };
    const [m] = mergeTimeline(
      [],
      {
        incidents: [row],
        components: [{ incidentId: 'm', componentId: 'imap', status: 'under_maintenance' }],
        updates: [update(1, 'm', 'scheduled', '2026-11-20T09:00:00Z'), update(2, 'm', 'in_progress', '2026-11-22T02:00:00Z'), update(3, 'm', 'completed', '2026-11-22T04:00:00Z')],
        statusChanges: [],
      },
      now,
    );
    expect(changesOf(m)).toEqual([
      ['scheduled', []],
      ['in_progress', ['imap operational>under_maintenance']],
      ['completed', ['imap under_maintenance>operational']],
    ]);
    expect(m.components).toEqual([{ id: 'imap', status: 'under_maintenance', peak: 'under_maintenance' }]);
  });
});

describe('the next status the console offers', () => {
  const now = new Date('2027-01-10T00:00:00Z');
  it('follows the incident life cycle', () => {
    const offered = (status: UpdateStatus) => suggestedNextStatus({ kind: 'incident', status, scheduledFor: null }, now);
    expect(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'].map((s) => offered(s as UpdateStatus))).toEqual(['identified', 'monitoring', 'resolved', 'postmortem', 'postmortem']);
  });
  it('offers "in progress" for a maintenance only once its window is near or has begun', () => {
    const at = (hoursAhead: number, status: UpdateStatus = 'scheduled') => suggestedNextStatus({ kind: 'maintenance', status, scheduledFor: new Date(now.getTime() + hoursAhead * 3_600_000) }, now);
    expect(at(72)).toBe('scheduled');
    expect(at(2)).toBe('scheduled');
    expect(at(1)).toBe('in_progress');
    expect(at(-1)).toBe('in_progress');
    expect(at(-1, 'in_progress')).toBe('verifying');
    expect(at(-1, 'verifying')).toBe('completed');
    expect(at(-1, 'completed')).toBe('completed');
  });
});
