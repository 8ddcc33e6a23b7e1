// The read model keeps a closed live incident merged between reads
// (read-model/live-log.ts readMerged) only while nothing under it changed:
// the triggers of migration 0010 count every change to its updates,
// components and status changes in incidents.revision, whoever writes.
import { describe, expect, it } from 'vitest';
import { loadStatusPage, readCurrentStatus, readIncident } from '../../src/lib/server/read-model';
import { openDatabase } from '../../src/lib/server/db';
import { correctUpdate, createIncident, editIncident, postUpdate, resolveIncident } from '../../src/lib/server/publishing/staff-actions';
import { restoreFromTrash, trashUpdate } from '../../src/lib/server/storage/trash';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { RenderCache } from '../../src/lib/server/http/render-cache';
import { StorageHealth } from '../../src/lib/server/storage/storage-health';
import type { Runtime } from '../../src/lib/server/runtime';
import { freshContext } from '../helpers/temp-db';

const t = (iso: string) => new Date(iso);
const now = t('2026-11-30T12:00:00Z');

function setUp() {
  const ctx = freshContext();
  const content = readContentFolder(contentFolder);
  const runtime: Runtime = { db: ctx.db, authored: ctx.authored, config: loadConfig({ HERALD_DB: ctx.path }), content, renderCache: new RenderCache(), storage: new StorageHealth(ctx.path) };
  const id = createIncident(ctx, { title: 'Mail slow', impact: 'minor', message: 'Looking.', components: [{ id: 'dns', status: 'partial_outage' }] }, t('2026-11-29T10:00:00Z'));
  const resolution = resolveIncident(ctx, id, 'Fixed.', t('2026-11-29T11:00:00Z'));
  const revision = () => ctx.db.$client.prepare('SELECT revision FROM incidents WHERE id = ?').pluck().get(id) as number;
  const read = () => readIncident(ctx, id, now)!.incident;
  /** What the full read (no window, nothing kept) shows of it. */
  const full = () => loadStatusPage(runtime, now).incidents.find((i) => i.id === id);
  return { ctx, runtime, id, resolution, revision, read, full };
}

describe('incidents.revision', () => {
  it('moves with every change under the incident, through the staff actions or straight SQL', () => {
    const { ctx, id, resolution, revision } = setUp();
    let last = revision();
    const moved = (what: string) => {
      const current = revision();
      expect(current, what).toBeGreaterThan(last);
      last = current;
    };
    expect(last).toBeGreaterThan(0);
    correctUpdate(ctx, resolution, 'Fixed for good.');
    moved('a corrected update');
    trashUpdate(ctx, resolution);
    moved('an update in the trash');
    restoreFromTrash(ctx, 'update', String(resolution));
    moved('an update restored');
    postUpdate(ctx, id, { status: 'postmortem', message: 'What happened.', components: [{ id: 'dns', status: 'operational' }] }, t('2026-11-29T12:00:00Z'));
    moved('an update with a component change');
    const sql = ctx.db.$client;
    sql.prepare("UPDATE incident_components SET status = 'major_outage' WHERE incident_id = ?").run(id);
    moved('a component row changed');
    sql.prepare("UPDATE component_status_log SET status = 'degraded_performance' WHERE incident_id = ?").run(id);
    moved('a status change changed');
    sql.prepare('DELETE FROM component_status_log WHERE incident_id = ?').run(id);
    moved('status changes deleted');
    sql.prepare('DELETE FROM incident_components WHERE incident_id = ?').run(id);
    moved('component rows deleted');
    sql.prepare('DELETE FROM incident_updates WHERE incident_id = ?').run(id);
    moved('updates deleted');
  });
});

describe('closed incidents kept merged', () => {
  it('reads a closed incident once, and afresh after any change, always as the full read shows it', () => {
    const { ctx, id, resolution, read, full } = setUp();
    const first = read();
    expect(read()).toBe(first); // kept: not read again
    expect(first).toEqual(full());

    correctUpdate(ctx, resolution, 'Fixed: a full disk.');
    const corrected = read();
    expect(corrected).not.toBe(first);
    expect(corrected.updates[0].body).toBe('Fixed: a full disk.');
    expect(corrected).toEqual(full());

    editIncident(ctx, id, { title: 'Mail slow for some' });
    expect(read().title).toBe('Mail slow for some');
    expect(read()).toEqual(full());

    // Trashing the resolution reopens it: open incidents are never kept.
    trashUpdate(ctx, resolution);
    const reopened = read();
    expect(reopened.status).toBe('investigating');
    expect(read()).not.toBe(reopened);
    expect(reopened).toEqual(full());
  });

  it('sees what another connection wrote (the CLI, a second process)', () => {
    const { ctx, resolution, read, full } = setUp();
    read();
    const other = openDatabase(ctx.path);
    correctUpdate({ db: other, authored: ctx.authored }, resolution, 'Written elsewhere.');
    other.$client.close();
    expect(read().updates[0].body).toBe('Written elsewhere.');
    expect(read()).toEqual(full());
  });

  it('page-wide reads merge kept and fresh incidents in the timeline\'s order', () => {
    const { ctx, runtime } = setUp();
    for (let n = 0; n < 5; n++) {
      const other = createIncident(ctx, { title: `Other ${n}`, impact: 'minor', message: 'x', components: [{ id: 'webmail', status: 'degraded_performance' }] }, t(`2026-11-2${n}T09:00:00Z`));
      if (n % 2) resolveIncident(ctx, other, 'Done.', t(`2026-11-2${n}T10:00:00Z`));
    }
    const recent = () => loadStatusPage(runtime, now, { recentDays: 90 });
    const before = recent();
    const again = recent(); // the closed ones kept, the open ones read
    expect(again.incidents.map((i) => i.id)).toEqual(before.incidents.map((i) => i.id));
    expect(again).toEqual(before);
    expect(readCurrentStatus(runtime, now).components).toEqual(before.components);
    const whole = loadStatusPage(runtime, now);
    expect(again.incidents).toEqual(whole.incidents.filter((i) => again.incidents.some((r) => r.id === i.id)));
  });
});
