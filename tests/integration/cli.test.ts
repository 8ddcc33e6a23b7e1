// The herald CLI as staff run it: a separate process on a real database file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContentFolder } from '../../src/lib/content/index';
import { openDatabase } from '../../src/lib/server/db';
import { readLiveLog } from '../../src/lib/server/live-log';
import { contentFolder, projectRoot } from '../../src/lib/server/paths';
import { mergeTimeline } from '../../src/lib/timeline';
import { tempDir } from '../helpers/temp-db';

function herald(db: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin/herald.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: db, SITE_URL: 'https://status.example.com' },
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

const incidentsIn = (db: string) =>
  mergeTimeline(readContentFolder(contentFolder).authored, readLiveLog(openDatabase(db)), new Date()).filter((i) => i.source === 'live');

describe('herald CLI', () => {
  it('runs an incident from creation to resolution', () => {
    const db = join(tempDir(), 'herald.db');
    const created = herald(db, 'incident', 'create', '--title', 'IMAP logins failing', '--impact', 'major',
      '--component', 'imap-pop', '--component', 'webmail:degraded_performance', '--status', 'investigating', '--message', 'Looking into it');
    expect(created.code).toBe(0);
    const slug = `${new Date().toISOString().slice(0, 10)}-imap-logins-failing`;
    expect(created.out.split('\n')).toEqual([slug, `https://status.example.com/incidents/${slug}`]);

    expect(herald(db, 'incident', 'update', slug, '--status', 'identified', '--message', 'Found the cause').code).toBe(0);
    expect(herald(db, 'incident', 'resolve', slug, '--message', 'Fixed').code).toBe(0);
    const [incident] = incidentsIn(db);
    expect(incident.status).toBe('resolved');
    expect(incident.components).toEqual([
      { id: 'imap-pop', status: 'partial_outage' },
      { id: 'webmail', status: 'degraded_performance' },
    ]);
    expect(incident.updates.map((u) => u.body)).toEqual(['Fixed', 'Found the cause', 'Looking into it']);
  });

  it('sets component status and schedules maintenance', () => {
    const db = join(tempDir(), 'herald.db');
    expect(herald(db, 'component', 'set', 'dns', 'partial_outage')).toMatchObject({ code: 0, out: 'dns is now partial_outage' });
    expect(herald(db, 'component', 'list').out).toContain('dns\tpartial_outage\tDNS and custom domains');
    const scheduled = herald(db, 'maintenance', 'schedule', '--title', 'Kernel upgrade', '--from', '2099-01-01T02:00:00Z',
      '--until', '2099-01-01T03:00:00Z', '--component', 'inbound', '--message', 'Short interruptions');
    expect(scheduled.code).toBe(0);
    expect(scheduled.out).toContain('2099-01-01-kernel-upgrade');
    expect(herald(db, 'incident', 'list').out).toContain('2099-01-01-kernel-upgrade\tmaintenance\tscheduled\tKernel upgrade');
  });

  it.each([
    [['incident', 'create', '--title', 'T', '--impact', 'huge', '--message', 'm'], /impact must be one of/],
    [['incident', 'create', '--title', 'T', '--impact', 'major', '--message', 'm', '--component', 'nope'], /no component "nope"/],
    [['incident', 'create', '--title', 'T', '--impact', 'major', '--message', 'm', '--component', 'webmail:broken'], /status must be one of/],
    [['incident', 'create', '--titel', 'T'], /Unknown option '--titel'/],
    [['incident', 'update', 'no-such-slug', '--status', 'resolved', '--message', 'm'], /no incident or maintenance "no-such-slug"/],
    [['incident', 'update', '--status', 'resolved'], /expected SLUG/],
    [['component', 'set', 'webmail', 'on_fire'], /must be one of/],
    [['maintenance', 'schedule', '--title', 'M', '--message', 'm'], /--from is required/],
    [['frobnicate'], /unknown command/],
  ])('refuses %j with exit 2, a clear line, and no write', (args, message) => {
    const db = join(tempDir(), 'herald.db');
    const result = herald(db, ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(incidentsIn(db)).toHaveLength(0);
  });

  it('names HERALD_DB in one line when the database cannot be opened', () => {
    const result = herald('/dev/null/herald.db', 'incident', 'list');
    expect(result.code).toBe(1);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^herald: HERALD_DB: cannot open or create the database/);
  });
});
