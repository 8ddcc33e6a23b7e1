// Each named read of the read model must show exactly what the full read
// (loadStatusPage without a window) shows for its route, over a long history
// with markdown incidents carrying live updates, trashed incidents, incidents
// that start near a month's edge in the page's time zone, and maintenance;
// and it must reach the database only through indexes.
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../bench/dataset';
import { monthArchive, pastEvents } from '../../src/lib/history';
import { buildFeed } from '../../src/lib/feed';
import { componentWindowDays, readCurrentStatus, loadApiView, loadStatusPage, readAllMaintenance, readNewestStarted, readRecentlyClosed, readComponents, statuspageSource, readComponentWindow, readFeedIncidents, readHistoryMonth, readIncident } from '../../src/lib/server/read-model';
import { isOpen, upcomingMaintenance } from '../../src/lib/timeline';
import type { Incident } from '../../src/lib/model';
import { uptimeBar } from '../../src/lib/uptime';
import { maintenanceCalendar } from '../../src/lib/icalendar';
import { statuspageDocuments } from '../../src/lib/statuspage';
import { createIncident, postUpdate, resolveIncident, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { trashIncident, trashUpdate } from '../../src/lib/server/storage/trash';
import { openDatabase } from '../../src/lib/server/db';
import { addMonths, localDay, monthOf } from '../../src/lib/time';
import { freshContext, tempDir } from '../helpers/temp-db';
import type { Runtime } from '../../src/lib/server/runtime';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';

import { RenderCache } from '../../src/lib/server/http/render-cache';
import { StorageHealth } from '../../src/lib/server/storage/storage-health';

const day = 86_400_000;
const hour = 3_600_000;

function runtimeAt(path: string, timeZone: string): Runtime {
  const db = openDatabase(path);
  const content = readContentFolder(contentFolder);
  return { db, authored: content.authored, config: loadConfig({ HERALD_DB: path }), content: { ...content, page: { ...content.page, time_zone: timeZone } }, renderCache: new RenderCache(), storage: new StorageHealth(path) };
}

/** The bench's two years (smaller), plus the awkward cases written through the staff actions. */
function history(now: Date) {
  const path = join(tempDir(), 'herald.db');
  const counts = buildDataset(path, { incidents: 240, years: 2, subscriberCount: 0, seed: 12 });
  const ctx = { ...freshContextFor(path) };
  const ago = (d: number, h = 0) => new Date(now.getTime() - d * day - h * hour);
  // Markdown incidents touched and reopened by live updates, long after their files.
  const [md1, md2] = ctx.authored;
  postUpdate(ctx, md1.id, { status: 'monitoring', message: 'Again.', components: [{ id: 'dns', status: 'degraded_performance' }] }, new Date(md1.startedAt.getTime() + 40 * day));
  postUpdate(ctx, md2.id, { status: 'investigating', message: 'Back.' }, new Date(md2.startedAt.getTime() + 3 * day));
  const trashedMdUpdate = postUpdate(ctx, md2.id, { status: 'resolved', message: 'Gone, then trashed.' }, new Date(md2.startedAt.getTime() + 4 * day));
  trashUpdate(ctx, trashedMdUpdate);
  // Trashed incidents: one whole, one with its resolution trashed (open again).
  const trashed = createIncident(ctx, { title: 'Trashed one', impact: 'minor', message: 'x', components: [{ id: 'webmail', status: 'major_outage' }] }, ago(300));
  trashIncident(ctx, trashed);
  const reopened = createIncident(ctx, { title: 'Reopened one', impact: 'major', message: 'x' }, ago(400));
  trashUpdate(ctx, resolveIncident(ctx, reopened, 'Too soon.', ago(399)));
  // Around month edges (in UTC and in the zones tested): the last and first hours of months.
  const edges: string[] = [];
  for (let n = 1; n <= 20; n++) {
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1);
    for (const offset of [-14, -5, -1, 0, 1, 5, 13]) {
      const id = createIncident(ctx, { title: `Edge ${n} ${offset}`, impact: 'minor', message: 'x', components: [{ id: 'inbound', status: 'partial_outage' }] }, new Date(monthStart + offset * hour));
      resolveIncident(ctx, id, 'Fixed.', new Date(monthStart + offset * hour + 30 * day));
      edges.push(id);
    }
  }
  // Maintenance: long past (completed by its window alone), running, ahead (created long ago, still scheduled).
  const past = scheduleMaintenance(ctx, { title: 'Past window', message: 'x', scheduledFor: ago(500), scheduledUntil: ago(500, -2), components: ['dns'] }, ago(510));
  const running = scheduleMaintenance(ctx, { title: 'Running', message: 'x', scheduledFor: ago(0, 1), scheduledUntil: ago(0, -1) }, ago(3));
  const ahead = scheduleMaintenance(ctx, { title: 'Ahead', message: 'x', scheduledFor: ago(-20), scheduledUntil: ago(-20, -2) }, ago(700));
  // Updates at the very same instant, among the newest: the feed's edge must order them as the full read does.
  for (let n = 0; n < 60; n++) createIncident(ctx, { title: `Tied ${n}`, impact: 'minor', message: 'x', components: [{ id: n % 2 ? 'webmail' : 'dns', status: 'degraded_performance' }] }, ago(0, 5));
  return { path, counts, trashed, reopened, edges, past, running, ahead };
}

function freshContextFor(path: string) {
  const content = readContentFolder(contentFolder);
  return { db: openDatabase(path), authored: content.authored };
}

describe('the read model', () => {
  const now = new Date();
  const h = history(now);

  for (const timeZone of ['UTC', 'America/Los_Angeles', 'Pacific/Auckland']) {
    it(`reads one incident by id as the full read shows it (${timeZone})`, () => {
      const runtime = runtimeAt(h.path, timeZone);
      const all = loadStatusPage(runtime, now).incidents;
      const ids = [...all.map((i) => i.id), h.trashed, 'no-such-incident', '', "x' OR 1=1 --"];
      expect(all.some((i) => i.source === 'markdown' && i.updates.some((u) => u.source === 'live'))).toBe(true);
      for (const id of ids) expect(readIncident(runtime, id, now)?.incident ?? null, id).toEqual(all.find((i) => i.id === id) ?? null);
      expect(readIncident(runtime, h.trashed, now)).toBeNull();
      expect(readIncident(runtime, h.reopened, now)!.incident.status).toBe('investigating');
      expect(readIncident(runtime, h.past, now)!.incident.status).toBe('completed');
    });

    it(`reads a month of history as the full read shows it (${timeZone})`, () => {
      const runtime = runtimeAt(h.path, timeZone);
      const full = loadStatusPage(runtime, now);
      const current = monthOf(localDay(now, timeZone));
      let shown = 0;
      for (let n = -2; n <= 30; n++) {
        const month = addMonths(current, -n);
        const expected = monthArchive(full.incidents, month, now, timeZone);
        const actual = readHistoryMonth(runtime, month, now);
        expect(actual, month).toEqual(expected);
        if (expected) shown += expected.days.length;
      }
      expect(shown).toBeGreaterThan(100);
      // The first month is a 404 boundary: the one before it is outside the history.
      expect(readHistoryMonth(runtime, '1999-01', now)).toBeNull();
    });
  }

  it('reads the status now (for badges) from the open incidents alone, as the full read works it out', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const full = loadStatusPage(runtime, now);
    const current = readCurrentStatus(runtime, now);
    expect(current.status).toEqual(full.status);
    expect(current.components).toEqual(full.components);
  });

  it('reads one component\'s window as the full read shows its page', () => {
    const runtime = runtimeAt(h.path, 'America/Los_Angeles');
    const full = loadStatusPage(runtime, now);
    const tz = 'America/Los_Angeles';
    const ids = [...readComponents(runtime.db).map((c) => c.id), 'no-such-component'];
    expect(ids.length).toBeGreaterThan(30);
    for (const id of ids) {
      const expectedComponent = full.components.find((c) => c.id === id);
      const found = readComponentWindow(runtime, id, now);
      if (!expectedComponent) {
        expect(found, id).toBeNull();
        continue;
      }
      const touches = (i: { components: { id: string }[] }) => i.components.some((c) => c.id === id);
      expect(found!.component, id).toEqual(expectedComponent);
      expect(uptimeBar(id, found!.view.outages, now, tz), id).toEqual(uptimeBar(id, full.outages, now, tz));
      // The incidents of its 90 days (as its bar), open ones and planned ones; older ones are in the history.
      const since = now.getTime() - componentWindowDays * 86_400_000;
      const inWindow = (i: Incident) => isOpen(i) || i.startedAt.getTime() >= since || (i.resolvedAt?.getTime() ?? 0) >= since;
      expect(pastEvents(found!.incidents, now), id).toEqual(pastEvents(full.incidents, now).filter(touches).filter(inWindow));
      expect(upcomingMaintenance(found!.incidents), id).toEqual(upcomingMaintenance(full.incidents).filter(touches));
      expect(found!.view.sections, id).toEqual(full.sections);
      expect(found!.view.components, id).toEqual(full.components);
    }
  });

  it('reads the newest feed items as the full read shows them, site-wide and per component', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const full = loadStatusPage(runtime, now);
    const feed = (incidents: typeof full.incidents, component?: { id: string; name: string }) =>
      buildFeed({ pageName: 'P', description: null, siteUrl: 'https://status.example', timeZone: 'UTC', incidents, component, componentNames: new Map(), locale: 'en', defaultLocale: 'en' });
    const site = readFeedIncidents(runtime, now);
    expect(feed(site)).toEqual(feed(full.incidents));
    expect(site.length).toBeLessThan(full.incidents.length / 3);
    for (const component of [...full.components, { id: 'no-such-component', name: 'None' }]) {
      expect(feed(readFeedIncidents(runtime, now, { componentId: component.id }), component), component.id).toEqual(feed(full.incidents, component));
    }
  });

  it('reads what the JSON API shows: every document equal to the full read\'s', () => {
    for (const timeZone of ['UTC', 'Pacific/Auckland']) {
      const runtime = runtimeAt(h.path, timeZone);
      const full = statuspageDocuments(statuspageSource(loadStatusPage(runtime, now)));
      const api = statuspageDocuments(statuspageSource(loadApiView(runtime, now, 50)));
      for (const name of Object.keys(full) as (keyof typeof full)[]) expect(JSON.stringify(api[name]()), name).toEqual(JSON.stringify(full[name]()));
      // The documents about now, from the open incidents alone (statuspage-api.ts routes them so).
      const current = statuspageDocuments(statuspageSource(loadApiView(runtime, now)));
      for (const name of ['summary', 'status', 'components', 'unresolvedIncidents', 'activeMaintenances', 'upcomingMaintenances'] as const) {
        expect(JSON.stringify(current[name]()), name).toEqual(JSON.stringify(full[name]()));
      }
      expect(full.unresolvedIncidents().incidents.length).toBeGreaterThan(0);
      expect(full.upcomingMaintenances().scheduled_maintenances.length).toBeGreaterThan(0);
      expect(full.activeMaintenances().scheduled_maintenances.length).toBeGreaterThan(0);
    }
  });

  it('dates the page by its latest update even when that is on a closed incident', () => {
    const path = join(tempDir(), 'herald.db');
    copyFileSync(h.path, path);
    const ctx = freshContextFor(path);
    // After everything else (the dataset's open incident was written after now), to a closed
    // incident, changing no component: the newest update belongs to no open incident.
    const later = new Date(Date.now() + 60_000);
    postUpdate(ctx, h.counts.sampleIncidentId, { status: 'postmortem', message: 'Write-up amended.' }, later);
    const runtime = runtimeAt(path, 'UTC');
    const at = new Date(later.getTime() + 1000);
    const full = statuspageDocuments(statuspageSource(loadStatusPage(runtime, at)));
    const current = statuspageDocuments(statuspageSource(loadApiView(runtime, at)));
    expect(full.summary().page.updated_at).toBe(later.toISOString().replace('Z', '+00:00'));
    expect(JSON.stringify(current.summary())).toEqual(JSON.stringify(full.summary()));
  });

  it('reads the newest incidents and every maintenance window as the full read lists them', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const all = loadStatusPage(runtime, now).incidents;
    for (const kind of ['incident', 'maintenance'] as const) {
      for (const limit of [1, 5, 50, 100, 100_000]) {
        expect(readNewestStarted(runtime, kind, limit, now), `${kind} ${limit}`).toEqual(all.filter((i) => i.kind === kind).slice(0, limit));
      }
    }
    for (const count of [1, 8, 30]) {
      expect(readRecentlyClosed(runtime, count, now), `closed ${count}`).toEqual(all.filter((i) => i.kind === 'incident' && !isOpen(i)).slice(0, count));
    }
    const site = { pageName: 'P', siteUrl: 'https://status.example' };
    const maintenance = all.filter((i) => i.kind === 'maintenance');
    expect(readAllMaintenance(runtime, now)).toEqual(maintenance);
    expect(maintenanceCalendar(site, readAllMaintenance(runtime, now), now)).toEqual(maintenanceCalendar(site, all, now));
  });

  it('an incident starting in the last hour of a month in the page zone is in that month, not the next', () => {
    const runtime = runtimeAt(h.path, 'America/Los_Angeles');
    const full = loadStatusPage(runtime, now);
    for (const id of h.edges) {
      const incident = full.incidents.find((i) => i.id === id)!;
      const month = monthOf(localDay(incident.startedAt, 'America/Los_Angeles'));
      const archive = readHistoryMonth(runtime, month, now)!;
      expect(archive.days.flatMap((d) => d.incidents.map((i) => i.id)), id).toContain(id);
    }
  });

  it('a markdown incident alone, and a database with nothing else, give the same first month', () => {
    const ctx = freshContext();
    const runtime = runtimeAt(ctx.path, 'UTC');
    const full = loadStatusPage(runtime, now);
    const current = monthOf(localDay(now, 'UTC'));
    for (let n = 0; n <= 10; n++) {
      const month = addMonths(current, -n);
      expect(readHistoryMonth(runtime, month, now), month).toEqual(monthArchive(full.incidents, month, now, 'UTC'));
    }
  });
});

describe('the read model reads through indexes', () => {
  const now = new Date();
  const h = history(now);

  /** Every statement the read runs, with SQLite's plan for it. */
  /**
   * Runs a read on its own connection to the same file, so every statement it
   * uses is prepared (and seen) here, even those the read model keeps prepared
   * per connection.
   */
  function onFreshConnection(runtime: Runtime, watch: (statement: Statement, source: string) => Statement, read: (r: Runtime) => void): void {
    const db = openDatabase(runtime.config.databasePath);
    const client = db.$client;
    const prepare = client.prepare.bind(client);
    client.prepare = ((source: string) => watch(prepare(source), source)) as typeof client.prepare;
    try {
      read({ ...runtime, db });
    } finally {
      client.close();
    }
  }

  /** The query plan of every statement a read ran. */
  function plans(runtime: Runtime, read: (r: Runtime) => void): string[] {
    const seen: { sql: string; params: unknown[] }[] = [];
    onFreshConnection(
      runtime,
      (statement, source) => {
        const wrap = (method: 'all' | 'get' | 'run') => {
          const original = statement[method].bind(statement);
          return (...params: unknown[]) => {
            seen.push({ sql: source, params });
            return (original as (...p: unknown[]) => unknown)(...params);
          };
        };
        return Object.assign(statement, { all: wrap('all'), get: wrap('get'), run: wrap('run') });
      },
      read,
    );
    const client = runtime.db.$client;
    return seen.flatMap(({ sql, params }) =>
      (client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as { detail: string }[]).map((r) => r.detail),
    );
  }

  /** How many rows the statements of a read returned. */
  function rowsRead(runtime: Runtime, read: (r: Runtime) => void): number {
    let count = 0;
    onFreshConnection(
      runtime,
      (statement) => {
        const all = statement.all.bind(statement);
        return Object.assign(statement, { all: (...params: unknown[]) => { const r = (all as (...p: unknown[]) => unknown[])(...params); count += r.length; return r; } });
      },
      read,
    );
    return count;
  }

  const history_tables = /\b(incidents|incident_updates|incident_components|component_status_log)\b/;
  function expectIndexed(steps: string[]) {
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps.filter((s) => history_tables.test(s))) expect(step).toMatch(/^SEARCH .* USING (INDEX|COVERING INDEX|PRIMARY KEY|INTEGER PRIMARY KEY)/);
  }

  it('one incident: by primary key and the incident indexes; an unknown id reads nothing else', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const md = runtime.content.authored[0].id;
    for (const id of [h.counts.sampleIncidentId, md, h.reopened]) expectIndexed(plans(runtime, (r) => readIncident(r, id, now)));
    const unknown = plans(runtime, (r) => readIncident(r, 'no-such-incident', now));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/SEARCH incidents USING INDEX sqlite_autoindex_incidents_1 \(id=\?\)/);
  });

  it('one component: through the component index; the feed walks the at index only as far as its items', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    // The component's page reads the recent window, as / does (its growth with history is checked below).
    expectIndexed(plans(runtime, (r) => readComponentWindow(r, 'dns', now)));
    expectIndexed(plans(runtime, (r) => readFeedIncidents(r, now, { componentId: 'webmail' })));
    // The site feed reads the newest updates in index order and stops: count the rows it reads
    // (its 50 items' incidents with their updates, components and component changes).
    const rows = rowsRead(runtime, (r) => readFeedIncidents(r, now));
    expect(rows).toBeLessThan(500);
  });

  it('the API, newest lists and calendar: through indexes, the at walk bounded', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    expectIndexed(plans(runtime, (r) => readNewestStarted(r, 'incident', 50, now)));
    expectIndexed(plans(runtime, (r) => readAllMaintenance(r, now)));
    const api = plans(runtime, (r) => loadApiView(r, now, 50));
    expectIndexed(api.filter((s) => !/^SCAN incident_updates USING INDEX incident_updates_at$/.test(s)));
    const apiNow = plans(runtime, (r) => loadApiView(r, now));
    expectIndexed(apiNow.filter((s) => !/^SCAN incident_updates USING INDEX incident_updates_at$/.test(s)));
  });

  it('reads no more rows when the history grows older', () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const reads = () => ({
      api: rowsRead(runtime, (r) => loadApiView(r, now, 50)),
      apiNow: rowsRead(runtime, (r) => loadApiView(r, now)),
      feed: rowsRead(runtime, (r) => readFeedIncidents(r, now)),
      componentFeed: rowsRead(runtime, (r) => readFeedIncidents(r, now, { componentId: 'dns' })),
      // The older incidents below all touch webmail: its page must not read them.
      componentPage: rowsRead(runtime, (r) => readComponentWindow(r, 'webmail', now)),
      badge: rowsRead(runtime, (r) => readCurrentStatus(r, now)),
      incident: rowsRead(runtime, (r) => readIncident(r, h.counts.sampleIncidentId, now)),
      unknown: rowsRead(runtime, (r) => readIncident(r, 'no-such-incident', now)),
      month: rowsRead(runtime, (r) => readHistoryMonth(r, monthOf(localDay(new Date(now.getTime() - 100 * day), 'UTC')), now)),
      newest: rowsRead(runtime, (r) => readNewestStarted(r, 'incident', 50, now)),
    });
    const before = reads();
    const ctx = { db: runtime.db, authored: runtime.authored };
    // Another three years before the history began, on other components than dns.
    for (let n = 0; n < 150; n++) {
      const at = new Date(now.getTime() - (800 + n * 7) * day);
      const id = createIncident(ctx, { title: `Older ${n}`, impact: 'minor', message: 'x', components: [{ id: 'webmail', status: 'degraded_performance' }] }, at);
      postUpdate(ctx, id, { status: 'identified', message: 'y' }, new Date(at.getTime() + hour));
      resolveIncident(ctx, id, 'Fixed.', new Date(at.getTime() + 2 * hour));
    }
    const after = reads();
    // The month's 404 check reads the oldest incident, whichever it is: compare the rest exactly.
    expect(after.month).toBeLessThanOrEqual(before.month + 10);
    expect({ ...after, month: 0 }).toEqual({ ...before, month: 0 });
    expect(before.unknown).toBe(0);
  });

  it('one month: through the started_at index; a month after today reads nothing, one before the history only the oldest', () => {
    const runtime = runtimeAt(h.path, 'Pacific/Auckland');
    const month = monthOf(localDay(new Date(now.getTime() - 200 * day), 'Pacific/Auckland'));
    expectIndexed(plans(runtime, (r) => readHistoryMonth(r, month, now)));
    expect(plans(runtime, (r) => readHistoryMonth(r, '2999-01', now))).toEqual([]);
    const before = plans(runtime, (r) => readHistoryMonth(r, '1999-01', now));
    expectIndexed(before);
    expect(before.some((s) => /incidents USING INDEX incidents_started_at/.test(s))).toBe(true);
  });

  it("the bars' window: each component's last own change before it is one seek, past every change incidents made", () => {
    const runtime = runtimeAt(h.path, 'UTC');
    const steps = plans(runtime, (r) => loadStatusPage(r, now, { recentDays: 90 }));
    expectIndexed(steps);
    expect(steps).toContain('SEARCH p USING INDEX component_status_log_own (component_id=? AND at<?)');
  });
});
