// Staff actions on a real SQLite file with the real migrations.
import { describe, expect, it } from 'vitest';
import { incidents, incidentUpdates, componentStatusLog } from '../../src/db/schema';
import { readComponents, readLiveLog } from '../../src/lib/server/read-model';
import {
  createIncident,
  postUpdate,
  resolveIncident,
  scheduleMaintenance,
  setComponentStatus,
} from '../../src/lib/server/publishing/staff-actions';
import { ActionError } from '../../src/lib/server/validate';
import { mergeTimeline } from '../../src/lib/timeline';
import { freshContext } from '../helpers/temp-db';

const count = (ctx: ReturnType<typeof freshContext>) => ({
  incidents: ctx.db.select().from(incidents).all().length,
  updates: ctx.db.select().from(incidentUpdates).all().length,
  log: ctx.db.select().from(componentStatusLog).all().length,
});

describe('staff actions', () => {
  it('opens, updates and resolves an incident', () => {
    const ctx = freshContext();
    const t0 = new Date('2026-11-22T10:00:00Z');
    const id = createIncident(ctx, { title: 'Webmail is slow', impact: 'major', message: 'Looking', components: [{ id: 'webmail', status: 'partial_outage' }] }, t0);
    expect(id).toBe('2026-11-22-webmail-is-slow');
    postUpdate(ctx, id, { status: 'identified', message: 'Found', components: [{ id: 'webmail', status: 'degraded_performance' }] }, new Date('2026-11-22T10:30:00Z'));
    resolveIncident(ctx, id, 'Fixed', new Date('2026-11-22T11:00:00Z'));
    const [incident] = mergeTimeline([], readLiveLog(ctx.db), new Date('2026-11-22T12:00:00Z'));
    expect(incident.status).toBe('resolved');
    expect(incident.updates.map((u) => u.status)).toEqual(['resolved', 'identified', 'investigating']);
    expect(incident.components).toEqual([{ id: 'webmail', status: 'degraded_performance', peak: 'partial_outage' }]);
    expect(incident.resolvedAt).toEqual(new Date('2026-11-22T11:00:00Z'));
  });

  it('gives each new incident a unique slug, also against markdown files', () => {
    const ctx = freshContext();
    const a = createIncident(ctx, { title: 'Same', impact: 'minor', message: 'm' }, new Date('2026-11-22T10:00:00Z'));
    const b = createIncident(ctx, { title: 'Same', impact: 'minor', message: 'm' }, new Date('2026-11-22T10:00:00Z'));
    expect([a, b]).toEqual(['2026-11-22-same', '2026-11-22-same-2']);
    // content/incidents/2026-09-03-biz-domains-fail-to-resolve.md already holds this slug.
    const clash = createIncident(ctx, { title: 'Biz domains fail to resolve', impact: 'minor', message: 'm' }, new Date('2026-09-03T12:00:00Z'));
    expect(clash).toBe('2026-09-03-biz-domains-fail-to-resolve-2');
  });

  it('appends a live update to a markdown incident, keeping its authored status history', () => {
    const ctx = freshContext();
    const markdown = ctx.authored.find((a) => a.id === '2026-09-03-biz-domains-fail-to-resolve')!;
    postUpdate(ctx, markdown.id, { status: 'postmortem', message: 'Write-up', components: [{ id: 'dns', status: 'operational' }] }, new Date('2026-09-05T00:00:00Z'));
    const merged = mergeTimeline(ctx.authored, readLiveLog(ctx.db), new Date('2026-11-22T00:00:00Z'));
    const incident = merged.find((i) => i.id === markdown.id)!;
    expect(incident.updates[0]).toMatchObject({ status: 'postmortem', source: 'live', body: 'Write-up' });
    expect(incident.updates.length).toBe(markdown.updates.length + 1);
    const log = ctx.db.select().from(componentStatusLog).all();
    expect(log.map((r) => [r.status, r.at.toISOString()])).toEqual([
      ['partial_outage', markdown.startedAt.toISOString()],
      ['operational', '2026-09-05T00:00:00.000Z'],
    ]);
  });

  it('writes nothing when any part of an action is invalid', () => {
    const ctx = freshContext();
    const before = count(ctx);
    const attempts: (() => unknown)[] = [
      () => createIncident(ctx, { title: 'T', impact: 'major', message: 'm', components: [{ id: 'webmail', status: 'partial_outage' }, { id: 'nope', status: 'major_outage' }] }),
      () => createIncident(ctx, { title: 'T', impact: 'huge', message: 'm' }),
      () => createIncident(ctx, { title: '   ', impact: 'minor', message: 'm' }),
      () => createIncident(ctx, { title: 'x'.repeat(201), impact: 'minor', message: 'm' }),
      () => createIncident(ctx, { title: 'T', impact: 'minor', message: 'a\u0000b' }),
      () => postUpdate(ctx, 'no-such-incident', { status: 'resolved', message: 'm' }),
      () => postUpdate(ctx, '2026-09-03-biz-domains-fail-to-resolve', { status: 'completed', message: 'm' }),
      () => postUpdate(ctx, '2026-12-06-database-server-upgrade', { status: 'identified', message: 'm' }),
      () => setComponentStatus(ctx, 'webmail', 'on_fire'),
      () => setComponentStatus(ctx, "webmail'; DROP TABLE components; --", 'major_outage'),
      () => scheduleMaintenance(ctx, { title: 'M', scheduledFor: '2026-12-01T02:00:00Z', scheduledUntil: '2026-12-01T01:00:00Z', message: 'm' }),
      () => scheduleMaintenance(ctx, { title: 'M', scheduledFor: 'tomorrow', scheduledUntil: '2026-12-01T01:00:00Z', message: 'm' }),
    ];
    for (const attempt of attempts) expect(attempt).toThrowError(ActionError);
    expect(count(ctx)).toEqual(before);
    expect(readComponents(ctx.db).every((c) => c.status === 'operational')).toBe(true);
  });

  it('stores SQL-shaped and HTML-shaped input literally', () => {
    const ctx = freshContext();
    const title = `Robert'); DROP TABLE incidents;-- <b>`;
    const id = createIncident(ctx, { title, impact: 'minor', message: '1 OR 1=1; --' });
    const row = ctx.db.select().from(incidents).all().find((r) => r.id === id)!;
    expect(row.title).toBe(title);
  });

  it('schedules maintenance that shows under_maintenance only while it runs', () => {
    const ctx = freshContext();
    const id = scheduleMaintenance(ctx, { title: 'Disk swap', scheduledFor: '2026-12-01T02:00:00Z', scheduledUntil: '2026-12-01T03:00:00Z', message: 'Planned', components: ['imap-pop'] }, new Date('2026-11-22T00:00:00Z'));
    const at = (iso: string) => mergeTimeline([], readLiveLog(ctx.db), new Date(iso)).find((i) => i.id === id)!;
    expect(at('2026-11-30T00:00:00Z').status).toBe('scheduled');
    expect(at('2026-12-01T02:30:00Z').status).toBe('in_progress');
    postUpdate(ctx, id, { status: 'verifying', message: 'Checking' }, new Date('2026-12-01T02:40:00Z'));
    expect(at('2026-12-01T02:45:00Z').status).toBe('verifying');
    resolveIncident(ctx, id, 'Done', new Date('2026-12-01T02:50:00Z'));
    expect(at('2026-12-01T03:00:00Z')).toMatchObject({ status: 'completed', resolvedAt: new Date('2026-12-01T02:50:00Z') });
  });
});
