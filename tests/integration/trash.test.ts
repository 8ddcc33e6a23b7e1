// Time-delayed deletion and retention on a real database: the trash hides at
// once and restores as it was; the purge deletes for good only what is older
// than its period, with everything that hangs off it.
import { describe, expect, it } from 'vitest';
import { auditLog, componentStatusLog, incidents, incidentUpdates, notifyJobs, outbox, sessions, subscribers } from '../../src/db/schema';
import { expandNext } from '../../src/lib/server/subscribers/outbox';
import { readAudit } from '../../src/lib/server/accounts/audit';
import { readLiveLog, readStatusLog } from '../../src/lib/server/read-model';
import { purgeExpired } from '../../src/lib/server/storage/retention';
import { createIncident, postUpdate } from '../../src/lib/server/publishing/staff-actions';
import { listTrash, purgeTrash, restoreFromTrash, trashIncident, trashUpdate } from '../../src/lib/server/storage/trash';
import { ActionError } from '../../src/lib/server/validate';
import { mergeTimeline } from '../../src/lib/timeline';
import { freshContext } from '../helpers/temp-db';

const day = 86_400_000;
const visible = (ctx: ReturnType<typeof freshContext>) => mergeTimeline(ctx.authored, readLiveLog(ctx.db), new Date());

function withSubscriber(ctx: ReturnType<typeof freshContext>) {
  ctx.db.insert(subscribers).values({ kind: 'email', address: 'a@example.com', confirmedAt: new Date(), createdAt: new Date() }).run();
}

describe('the trash', () => {
  it('hides an incident everywhere at once, drops its queued mail, and restores it as it was', () => {
    const ctx = freshContext();
    withSubscriber(ctx);
    const id = createIncident(ctx, { title: 'Webmail down', impact: 'major', message: 'Looking.', components: [{ id: 'webmail', status: 'major_outage' }] });
    expandNext(ctx.db);
    expect(ctx.db.select().from(outbox).all()).toHaveLength(1);
    trashIncident(ctx, id);
    expect(visible(ctx).some((i) => i.id === id)).toBe(false);
    expect(readStatusLog(ctx.db).some((r) => r.incidentId === id)).toBe(false); // uptime forgets it too
    expect(ctx.db.select().from(outbox).all()).toHaveLength(0);
    // Its job expands no further.
    expect(ctx.db.select({ droppedAt: notifyJobs.droppedAt }).from(notifyJobs).get()?.droppedAt).toBeInstanceOf(Date);
    expect(expandNext(ctx.db)).toBeNull();
    expect(() => postUpdate(ctx, id, { status: 'resolved', message: 'x' })).toThrow(/no incident or maintenance/);
    expect(listTrash(ctx.db, 7)).toMatchObject([{ kind: 'incident', id, label: 'Webmail down' }]);

    restoreFromTrash(ctx, 'incident', id);
    const back = visible(ctx).find((i) => i.id === id)!;
    expect(back).toMatchObject({ title: 'Webmail down', status: 'investigating', components: [{ id: 'webmail', status: 'major_outage' }] });
    expect(listTrash(ctx.db, 7)).toEqual([]);
    expect(readAudit(ctx.db).map((a) => a.action).slice(0, 2)).toEqual(['incident.restore', 'incident.trash']);
  });

  it('trashes one update, but not the last one of an incident, and never a markdown incident', () => {
    const ctx = freshContext();
    const id = createIncident(ctx, { title: 'Slow', impact: 'minor', message: 'First.' });
    const second = postUpdate(ctx, id, { status: 'identified', message: 'Second, posted by mistake.' });
    trashUpdate(ctx, second);
    expect(visible(ctx).find((i) => i.id === id)!.updates.map((u) => u.body)).toEqual(['First.']);
    const first = ctx.db.select().from(incidentUpdates).all().find((u) => u.body === 'First.')!;
    expect(() => trashUpdate(ctx, first.id)).toThrow(/only update of the incident/);
    const authored = ctx.authored[0];
    expect(() => trashIncident(ctx, authored.id)).toThrow(ActionError);
    expect(() => trashIncident(ctx, authored.id)).toThrow(/delete that file in git/);
    restoreFromTrash(ctx, 'update', String(second));
    expect(visible(ctx).find((i) => i.id === id)!.updates).toHaveLength(2);
    expect(() => restoreFromTrash(ctx, 'update', String(second))).toThrow(/nothing of that name is in the trash/);
  });

  it('purges for good only what has been in the trash longer than its period', () => {
    const ctx = freshContext();
    withSubscriber(ctx);
    const now = Date.now();
    const old = createIncident(ctx, { title: 'Old mistake', impact: 'minor', message: 'x', components: [{ id: 'dns', status: 'partial_outage' }] });
    const recent = createIncident(ctx, { title: 'Recent mistake', impact: 'minor', message: 'y' });
    trashIncident(ctx, old, new Date(now - 8 * day));
    trashIncident(ctx, recent, new Date(now - 6 * day));
    expect(purgeTrash(ctx.db, 7, new Date(now))).toEqual({ incidents: 1, updates: 0 });
    expect(ctx.db.select().from(incidents).all().map((i) => i.id)).toEqual([recent]);
    expect(ctx.db.select().from(incidentUpdates).all().every((u) => u.incidentId === recent)).toBe(true);
    expect(ctx.db.select().from(componentStatusLog).all().some((r) => r.incidentId === old)).toBe(false);
    expect(ctx.db.select().from(notifyJobs).all().map((j) => j.incidentId)).toEqual([recent]);
    expect(readAudit(ctx.db)[0]).toMatchObject({ action: 'trash.purge', actor: 'herald' });
  });
});

describe('retention', () => {
  it('deletes old audit entries, expired sessions and sent mail past their periods, and keeps the rest', async () => {
    const ctx = freshContext();
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * day);
    ctx.db.insert(auditLog).values([
      { at: ago(200), actor: 'x', action: 'old', target: null },
      { at: ago(10), actor: 'x', action: 'recent', target: null },
    ]).run();
    const subscriber = ctx.db.insert(subscribers).values({ kind: 'email', address: 'b@example.com', confirmedAt: now, createdAt: now }).returning().get();
    ctx.db.insert(outbox).values([
      { subscriberId: subscriber.id, event: 'a', status: 'sent', sentAt: ago(40), nextAttemptAt: ago(40), createdAt: ago(40) },
      { subscriberId: subscriber.id, event: 'b', status: 'sent', sentAt: ago(2), nextAttemptAt: ago(2), createdAt: ago(2) },
      { subscriberId: subscriber.id, event: 'c', status: 'queued', nextAttemptAt: now, createdAt: ago(40) },
    ]).run();
    const report = await purgeExpired(ctx.db, { trashDays: 7, auditDays: 180 }, now);
    expect(report).toMatchObject({ auditEntries: 1, outboxRows: 1 });
    expect(ctx.db.select().from(auditLog).all().map((a) => a.action)).toContain('recent');
    expect(ctx.db.select().from(auditLog).all().map((a) => a.action)).not.toContain('old');
    // Still waiting to be sent: kept, whatever its age.
    expect(ctx.db.select().from(outbox).all().map((o) => o.event).sort()).toEqual(['b', 'c']);
    expect(ctx.db.select().from(sessions).all()).toHaveLength(0);
  });
});
