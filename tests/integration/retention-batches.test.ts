// Retention deletes in batches, each a short transaction with a turn of the
// event loop between two: a purge of many rows never holds the loop or the
// write lock for long, and still removes exactly what has expired.
import { count, eq, ne } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, incidents, outbox, subscribers } from '../../src/db/schema';
import { readAudit } from '../../src/lib/server/accounts/audit';
import { purgeExpired, type PurgeReport } from '../../src/lib/server/storage/retention';
import { createIncident } from '../../src/lib/server/publishing/staff-actions';
import { trashIncident } from '../../src/lib/server/storage/trash';
import { freshContext } from '../helpers/temp-db';

const day = 86_400_000;
const expired = 50_000;

describe('retention in batches', () => {
  it('purges 50,000 expired rows in many short batches, and nothing else', async () => {
    const ctx = freshContext();
    const now = new Date('2026-11-30T12:00:00Z');
    const old = now.getTime() - 200 * day;
    const recent = now.getTime() - 10 * day;
    // Generated inside SQLite: 50,000 audit entries past their period, 1,000 within it.
    ctx.db.$client.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${expired})
      INSERT INTO audit_log (at, actor, action) SELECT ${old} + i, 'x', 'old' FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
      INSERT INTO audit_log (at, actor, action) SELECT ${recent} + i, 'x', 'recent' FROM n;
    `);
    // And sent mail: 3,000 rows past 30 days, one queued just as old (kept), one recent (kept).
    const subscriber = ctx.db.insert(subscribers).values({ kind: 'email', address: 'b@example.com', confirmedAt: now, createdAt: now }).returning().get();
    ctx.db.$client.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO outbox (subscriber_id, event, status, next_attempt_at, created_at) SELECT ${subscriber.id}, 'old:' || i, 'sent', ${old}, ${old} FROM n;
      INSERT INTO outbox (subscriber_id, event, status, next_attempt_at, created_at) VALUES (${subscriber.id}, 'waiting', 'queued', ${old}, ${old}), (${subscriber.id}, 'recent', 'sent', ${recent}, ${recent});
    `);

    const others = ctx.db.select({ n: count() }).from(auditLog).where(ne(auditLog.action, 'old')).get()!.n;
    expect(others).toBeGreaterThanOrEqual(1000);

    const batches: { what: keyof PurgeReport; rows: number }[] = [];
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const report = await purgeExpired(ctx.db, { trashDays: 7, auditDays: 180 }, now, { batchSize: 2_000, onBatch: (what, rows) => batches.push({ what, rows }) }).finally(() =>
      clearInterval(ticker),
    );

    expect(report).toMatchObject({ auditEntries: expired, outboxRows: 3000 });
    const audit = batches.filter((b) => b.what === 'auditEntries');
    expect(audit.length).toBe(expired / 2_000);
    expect(audit.every((b) => b.rows <= 2_000)).toBe(true);
    expect(batches.filter((b) => b.what === 'outboxRows').map((b) => b.rows)).toEqual([2000, 1000]);
    // The loop had turns while the purge ran (between batches).
    expect(turns).toBeGreaterThan(0);

    // All expired rows gone; everything else still there.
    expect(ctx.db.select({ n: count() }).from(auditLog).get()!.n).toBe(others);
    expect(ctx.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'old')).get()!.n).toBe(0);
    expect(ctx.db.select({ event: outbox.event }).from(outbox).all().map((o) => o.event).sort()).toEqual(['recent', 'waiting']);
  });

  it('purges the trash in batches too, each with its own audit entry', async () => {
    const ctx = freshContext();
    const now = Date.now();
    const ids = Array.from({ length: 5 }, (_, n) => createIncident(ctx, { title: `Mistake ${n}`, impact: 'minor', message: 'x' }));
    for (const id of ids.slice(0, 4)) trashIncident(ctx, id, new Date(now - 8 * day));
    trashIncident(ctx, ids[4], new Date(now - 6 * day)); // still restorable
    const batches: number[] = [];
    const report = await purgeExpired(ctx.db, { trashDays: 7, auditDays: 180 }, new Date(now), {
      batchSize: 3,
      onBatch: (what, rows) => what === 'trashedIncidents' && batches.push(rows),
    });
    expect(report.trashedIncidents).toBe(4);
    expect(batches).toEqual([3, 1]);
    expect(ctx.db.select({ id: incidents.id }).from(incidents).all().map((i) => i.id)).toEqual([ids[4]]);
    expect(readAudit(ctx.db).filter((a) => a.action === 'trash.purge')).toHaveLength(2);
  });
});
