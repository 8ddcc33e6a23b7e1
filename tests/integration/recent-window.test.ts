// The home page reads only the last 90 days, through indexes. Whatever the
// history holds, it must show exactly what the full read shows: the status,
// every component's 90-day bar, what is open, planned and recent.
import { describe, expect, it } from 'vitest';
import { incidents as incidentsTable } from '../../src/db/schema';
import { loadStatusPage } from '../../src/lib/server/read-model';
import { createIncident, postUpdate, resolveIncident, scheduleMaintenance, setComponentStatus } from '../../src/lib/server/publishing/staff-actions';
import { trashUpdate } from '../../src/lib/server/storage/trash';
import { activeIncidents, activeMaintenance, upcomingMaintenance } from '../../src/lib/timeline';
import { uptimeBar } from '../../src/lib/uptime';
import { freshContext } from '../helpers/temp-db';
import type { Runtime } from '../../src/lib/server/runtime';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { RenderCache } from '../../src/lib/server/http/render-cache';
import { StorageHealth } from '../../src/lib/server/storage/storage-health';

const day = 86_400_000;

function runtimeFor(ctx: ReturnType<typeof freshContext>): Runtime {
  return { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: readContentFolder(contentFolder), renderCache: new RenderCache(), storage: new StorageHealth(ctx.path) };
}

/** What `/` shows, as data. */
function homePage(runtime: Runtime, now: Date, recentDays?: number) {
  const view = loadStatusPage(runtime, now, { recentDays });
  const ids = (list: { id: string }[]) => list.map((i) => i.id).sort();
  return {
    status: view.status,
    components: view.components.map((c) => `${c.id}:${c.status}`),
    bars: view.components.map((c) => uptimeBar(c.id, view.outages, now, view.page.time_zone)),
    open: ids(activeIncidents(view.incidents)),
    maintenance: ids([...activeMaintenance(view.incidents), ...upcomingMaintenance(view.incidents)]),
    recent: ids(view.incidents.filter((i) => i.startedAt.getTime() > now.getTime() - 14 * day)),
  };
}

describe('the 90-day read', () => {
  it('shows what the full read shows, over two years of history', () => {
    const ctx = freshContext();
    const now = new Date();
    const ago = (days: number, hours = 0) => new Date(now.getTime() - days * day - hours * 3600_000);
    // Two years of closed incidents, some with component changes.
    for (let d = 730; d > 0; d -= 9) {
      const id = createIncident(ctx, { title: `Old ${d}`, impact: 'minor', message: 'x', components: [{ id: 'webmail', status: 'degraded_performance' }] }, ago(d));
      resolveIncident(ctx, id, 'Fixed.', ago(d, -3));
    }
    // Opened long ago and still open; resolved long after it started, inside the window.
    createIncident(ctx, { title: 'Never closed', impact: 'major', message: 'x', components: [{ id: 'dns', status: 'partial_outage' }] }, ago(200));
    const spanning = createIncident(ctx, { title: 'Spanning', impact: 'minor', message: 'x', components: [{ id: 'imap-pop', status: 'major_outage' }] }, ago(120));
    resolveIncident(ctx, spanning, 'Fixed at last.', ago(60));
    // A component's own status set before the window and still in force, then changed inside it.
    setComponentStatus(ctx, 'inbound', 'degraded_performance', ago(100));
    setComponentStatus(ctx, 'inbound', 'operational', ago(30));
    // Resolved, then the resolution trashed: open again.
    const reopened = createIncident(ctx, { title: 'Reopened', impact: 'minor', message: 'x' }, ago(150));
    const resolution = resolveIncident(ctx, reopened, 'Too soon.', ago(149));
    trashUpdate(ctx, resolution);
    // Maintenance ahead, and one running.
    scheduleMaintenance(ctx, { title: 'Ahead', message: 'x', scheduledFor: ago(-10), scheduledUntil: ago(-10, -2) }, ago(5));
    scheduleMaintenance(ctx, { title: 'Running', message: 'x', scheduledFor: ago(0, 1), scheduledUntil: ago(0, -1), components: ['outbound-queue'] }, ago(3));
    const recentUpdate = createIncident(ctx, { title: 'Recent', impact: 'minor', message: 'x' }, ago(2));
    postUpdate(ctx, recentUpdate, { status: 'identified', message: 'y' }, ago(1));

    const runtime = runtimeFor(ctx);
    const windowed = homePage(runtime, now, 90);
    const full = homePage(runtime, now);
    expect(windowed).toEqual(full);
    expect(windowed.open).toContain(reopened);
    expect(windowed.status.indicator).toBe('major');
    // And it read much less than everything.
    expect(loadStatusPage(runtime, now, { recentDays: 90 }).incidents.length).toBeLessThan(loadStatusPage(runtime, now).incidents.length / 3);
  });

  it('a markdown incident resolved long ago and touched, or reopened, by live updates is on the page', () => {
    const ctx = freshContext();
    const runtime = runtimeFor(ctx);
    const file = runtime.content.authored.find((a) => a.id === '2026-09-03-biz-domains-fail-to-resolve')!;
    expect(file).toBeDefined();
    // A year on, the file still says it was resolved in September 2026.
    const later = new Date(file.startedAt.getTime() + 365 * day);
    // Reopened 120 days before `later` (outside the window) and still open.
    postUpdate(ctx, file.id, { status: 'investigating', message: 'It is back.', components: [{ id: 'dns', status: 'major_outage' }] }, new Date(later.getTime() - 120 * day));
    let windowed = homePage(runtime, later, 90);
    expect(windowed).toEqual(homePage(runtime, later));
    expect(windowed.open).toContain(file.id);

    // Touched inside the window: its live update counts too.
    postUpdate(ctx, file.id, { status: 'identified', message: 'Found it.', components: [{ id: 'dns', status: 'partial_outage' }] }, new Date(later.getTime() - 2 * day));
    windowed = homePage(runtime, later, 90);
    expect(windowed).toEqual(homePage(runtime, later));
    expect(windowed.components).toContain('dns:partial_outage');
  });

  it('keeps closed_at in step with the latest update', () => {
    const ctx = freshContext();
    const id = createIncident(ctx, { title: 'T', impact: 'minor', message: 'x' });
    const closedAt = () => ctx.db.select().from(incidentsTable).get()!.closedAt;
    expect(closedAt()).toBeNull();
    const resolved = resolveIncident(ctx, id, 'done');
    expect(closedAt()).not.toBeNull();
    trashUpdate(ctx, resolved);
    expect(closedAt()).toBeNull();
  });
});
