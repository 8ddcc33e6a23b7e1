// Uptime people can audit, on a real SQLite file: a day corrected by staff
// (refused without a reason, audited with what it was), and a calendar
// month's report that counts an incident begun the month before.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, incidents } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { correctUptimeDay } from '../../src/lib/server/publishing/component-actions';
import { createIncident, resolveIncident } from '../../src/lib/server/publishing/staff-actions';
import { readMonthUptime, readUptimeCorrections } from '../../src/lib/server/read-model';
import { RenderCache } from '../../src/lib/server/http/render-cache';
import { StorageHealth } from '../../src/lib/server/storage/storage-health';
import type { Runtime } from '../../src/lib/server/runtime';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';

function runtime(): Runtime {
  const ctx = freshContext();
  const content = readContentFolder(contentFolder);
  return { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content: { ...content, authored: [] }, renderCache: new RenderCache(), storage: new StorageHealth(ctx.path) };
}

describe('uptime corrections and monthly reports', () => {
  it('corrects a day with a reason, audited; replaces and removes it', () => {
    const r = runtime();
    const refused = (input: { day: unknown; percent: unknown; reason: unknown }) => {
      try {
        correctUptimeDay(r, 'webmail', input, new Date('2026-11-22T12:00:00Z'));
      } catch (error) {
        return (error as ActionError).field;
      }
      return 'accepted';
    };
    expect(refused({ day: '2026-11-31', percent: '100', reason: 'x' })).toBe('day');
    expect(refused({ day: '2026-12-05', percent: '100', reason: 'x' })).toBe('day');
    expect(refused({ day: '2026-11-20', percent: '101', reason: 'x' })).toBe('percent');
    expect(refused({ day: '2026-11-20', percent: '100', reason: ' ' })).toBe('reason');
    expect(refused({ day: '2026-11-20', percent: '', reason: '' })).toBe('percent'); // nothing to remove
    correctUptimeDay(r, 'webmail', { day: '2026-11-20', percent: '100', reason: 'The probe failed, not webmail.' }, new Date('2026-11-22T12:00:00Z'));
    correctUptimeDay(r, 'webmail', { day: '2026-11-20', percent: '99.5%', reason: 'Half an hour was real.' }, new Date('2026-11-22T13:00:00Z'));
    expect(readUptimeCorrections(r.db, '2026-11-01').get('webmail')?.get('2026-11-20')).toMatchObject({ percent: 99.5, reason: 'Half an hour was real.' });
    correctUptimeDay(r, 'webmail', { day: '2026-11-20', percent: '', reason: '' }, new Date('2026-11-22T14:00:00Z'));
    expect(readUptimeCorrections(r.db, '2026-11-01').size).toBe(0);
    const audit = r.db.select().from(auditLog).where(eq(auditLog.target, 'webmail')).all();
    expect(audit.map((a) => a.action)).toEqual(['uptime.correct', 'uptime.correct', 'uptime.uncorrect']);
    expect(JSON.parse(audit[1].detail!).before).toMatchObject({ percent: 100, reason: 'The probe failed, not webmail.' });
  });

  it('reports a month with an incident begun the month before, and staff corrections', () => {
    const r = runtime();
    const id = createIncident(r, { title: 'Down over midnight', impact: 'major', message: 'x', components: [{ id: 'webmail', status: 'major_outage' }] }, new Date('2026-10-31T22:00:00Z'));
    resolveIncident(r, id, 'Fixed.', new Date('2026-11-01T04:00:00Z'));
    const now = new Date('2026-12-02T00:00:00Z');
    const november = readMonthUptime(r, '2026-11', now)!;
    const webmail = november.components.find((c) => c.id === 'webmail')!;
    // 4 h of November down (UTC page), the October part counted in October.
    expect(webmail.downtimeMs).toBe(4 * 3_600_000);
    expect(webmail.percent).toBe(Math.floor((1 - 4 / (30 * 24)) * 10_000) / 100);
    expect(readMonthUptime(r, '2026-10', now)!.components.find((c) => c.id === 'webmail')!.downtimeMs).toBe(2 * 3_600_000);
    correctUptimeDay(r, 'webmail', { day: '2026-11-01', percent: '100', reason: 'Planned, announced late.' }, now);
    const corrected = readMonthUptime(r, '2026-11', now)!.components.find((c) => c.id === 'webmail')!;
    expect(corrected).toMatchObject({ downtimeMs: 0, percent: 100, correctedDays: ['2026-11-01'] });
    // Outside the history: no report (a 404).
    expect(readMonthUptime(r, '2027-01', now)).toBeNull();
    expect(r.db.select({ id: incidents.id }).from(incidents).all()).toHaveLength(1);
  });
});

describe('a month with an incident longer than the look-back', () => {
  it('counts an outage begun 100 days before the month and resolved in it', () => {
    const r = runtime();
    const id = createIncident(r, { title: 'Long one', impact: 'major', message: 'x', components: [{ id: 'dns', status: 'major_outage' }] }, new Date('2026-07-23T00:00:00Z'));
    resolveIncident(r, id, 'Fixed.', new Date('2026-11-02T00:00:00Z'));
    const dns = readMonthUptime(r, '2026-11', new Date('2026-12-02T00:00:00Z'))!.components.find((c) => c.id === 'dns')!;
    expect(dns.downtimeMs).toBe(24 * 3_600_000);
  });
});
