// The herald CLI as staff run it: a separate process on a real database file.
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContentFolder } from '../../src/lib/content/index';
import { findStaffByEmail, listStaff, setDisabled, verifyPassword } from '../../src/lib/server/accounts/accounts';
import { authenticateApiToken } from '../../src/lib/server/accounts/api-tokens';
import { readAudit } from '../../src/lib/server/accounts/audit';
import { openDatabase } from '../../src/lib/server/db';
import { readLiveLog } from '../../src/lib/server/read-model';
import { openSessions, startSession } from '../../src/lib/server/accounts/sessions';
import { contentFolder, projectRoot } from '../../src/lib/server/paths';
import { mergeTimeline } from '../../src/lib/timeline';
import { tempDir } from '../helpers/temp-db';

function herald(db: string, ...args: string[]) {
  return heraldWithInput(db, '', ...args);
}

/** Runs herald with `input` as its stdin (a pipe, never a terminal). */
function heraldWithInput(db: string, input: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin/herald.mjs'), ...args], {
    encoding: 'utf8',
    input,
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
      { id: 'imap-pop', status: 'partial_outage', peak: 'partial_outage' },
      { id: 'webmail', status: 'degraded_performance', peak: 'degraded_performance' },
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
    [['incident', 'create', '--title', 'T', '--impact', 'major', '--message', 'm', '--component', 'nope'], /no component "nope"; the components are: webmail, imap-pop, .*dns/],
    [['maintenance', 'schedule', '--title', 'M', '--from', '2026-12-06T02:00', '--until', '2026-12-06T03:00:00Z', '--message', 'm'], /--from "2026-12-06T02:00" is not a time with a zone/],
    [['maintenance', 'schedule', '--title', 'M', '--from', '2026-12-06T02:00Z', '--until', '2026-12-06 03:00', '--message', 'm'], /--until "2026-12-06 03:00" is not a time with a zone/],
    [['incident', 'create', '--title', 'T', '--impact', 'major', '--message', 'm', '--component', 'webmail:broken'], /status must be one of/],
    [['incident', 'create', '--titel', 'T'], /Unknown option '--titel'/],
    [['incident', 'update', 'no-such-slug', '--status', 'resolved', '--message', 'm'], /no incident or maintenance "no-such-slug"/],
    [['incident', 'update', '--status', 'resolved'], /expected SLUG/],
    [['component', 'set', 'webmail', 'on_fire'], /must be one of/],
    [['maintenance', 'schedule', '--title', 'M', '--message', 'm'], /--from is required/],
    [['frobnicate'], /unknown command/],
    [['user', 'add', '--email', 'a@example.com', '--role', 'boss', '--password-stdin'], /role must be one of owner, editor/],
    [['user', 'add', '--email', 'not-an-email', '--role', 'editor', '--password-stdin'], /is not an email address/],
    [['user', 'reset-password', 'nobody@example.com', '--password-stdin'], /no account for nobody@example.com/],
    [['user', 'reset-password', '--password-stdin'], /expected EMAIL/],
    [['token', 'create', '--name', 'bot', '--scope', 'admin'], /scope must be one of read, write/],
    [['token', 'create', '--scope', 'read'], /name is required/],
    [['token', 'revoke', 'abc'], /"abc" is not a token ID/],
    [['token', 'revoke', '99'], /no token 99/],
  ])('refuses %j with exit 2, a clear line, and no write', (args, message) => {
    const db = join(tempDir(), 'herald.db');
    const result = herald(db, ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(incidentsIn(db)).toHaveLength(0);
  });

  it('posts without notifying subscribers with --no-notify, as the console can', () => {
    const db = join(tempDir(), 'herald.db');
    const slug = herald(db, 'incident', 'create', '--title', 'Quiet fix', '--impact', 'minor', '--message', 'Fixing quietly', '--no-notify').out.split('\n')[0];
    expect(herald(db, 'incident', 'update', slug, '--status', 'monitoring', '--message', 'Watching', '--no-notify').code).toBe(0);
    expect(herald(db, 'incident', 'update', slug, '--status', 'identified', '--message', 'Found it').code).toBe(0);
    expect(herald(db, 'incident', 'resolve', slug, '--message', 'Done', '--no-notify').code).toBe(0);
    const maintenance = herald(db, 'maintenance', 'schedule', '--title', 'Quiet window', '--from', '2099-01-01T02:00:00+01:00',
      '--until', '2099-01-01T03:00:00+01:00', '--message', 'Planned', '--no-notify');
    expect(maintenance.code).toBe(0);
    const rows = openDatabase(db).$client.prepare('SELECT incident_id, status, notify FROM incident_updates ORDER BY id').all();
    expect(rows).toEqual([
      { incident_id: slug, status: 'investigating', notify: 0 },
      { incident_id: slug, status: 'monitoring', notify: 0 },
      { incident_id: slug, status: 'identified', notify: 1 },
      { incident_id: slug, status: 'resolved', notify: 0 },
      { incident_id: '2099-01-01-quiet-window', status: 'scheduled', notify: 0 },
    ]);
  });

  it('names HERALD_DB in one line when the database cannot be opened', () => {
    const result = herald('/dev/null/herald.db', 'incident', 'list');
    expect(result.code).toBe(1);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^herald: HERALD_DB: cannot open or create the database/);
  });
});

const cliActor = `cli ${userInfo().username}`;
const password = 'correct horse battery staple';

describe('herald user', () => {
  it('adds an account from --password-stdin without printing the password', async () => {
    const db = join(tempDir(), 'herald.db');
    const result = heraldWithInput(db, `${password}\n`, 'user', 'add', '--email', 'Alice@Example.com', '--role', 'owner',
      '--name', 'Alice Smith', '--password-stdin');
    expect(result).toMatchObject({ code: 0, out: 'Created owner alice@example.com (Alice Smith)', err: '' });
    const row = findStaffByEmail(openDatabase(db), 'alice@example.com')!;
    expect(row).toMatchObject({ name: 'Alice Smith', role: 'owner', disabledAt: null });
    // Exactly the piped text minus its one trailing newline.
    expect(await verifyPassword(row.passwordHash, password)).toBe(true);
    expect(await verifyPassword(row.passwordHash, `${password}\n`)).toBe(false);
    const [entry] = readAudit(openDatabase(db));
    expect(entry).toMatchObject({ actor: cliActor, actorUserId: null, action: 'user.create', target: 'alice@example.com' });
    for (const shown of [result.out, result.err, JSON.stringify(readAudit(openDatabase(db)))]) {
      expect(shown).not.toContain(password);
      expect(shown).not.toContain('horse');
    }
  });

  it('strips only one trailing newline from stdin', async () => {
    const db = join(tempDir(), 'herald.db');
    expect(heraldWithInput(db, `${password}\n\n`, 'user', 'add', '--email', 'a@example.com', '--role', 'editor', '--password-stdin').code).toBe(0);
    const row = findStaffByEmail(openDatabase(db), 'a@example.com')!;
    expect(await verifyPassword(row.passwordHash, `${password}\n`)).toBe(true);
  });

  it('refuses a second account for the same email', () => {
    const db = join(tempDir(), 'herald.db');
    expect(heraldWithInput(db, password, 'user', 'add', '--email', 'a@example.com', '--role', 'owner', '--password-stdin').code).toBe(0);
    const again = heraldWithInput(db, 'another long password', 'user', 'add', '--email', 'A@EXAMPLE.COM', '--role', 'editor', '--password-stdin');
    expect(again.code).toBe(2);
    expect(again.err).toBe('herald: a@example.com already has an account');
    expect(listStaff(openDatabase(db))).toHaveLength(1);
  });

  it('refuses a short password and writes nothing', () => {
    const db = join(tempDir(), 'herald.db');
    const result = heraldWithInput(db, 'short\n', 'user', 'add', '--email', 'a@example.com', '--role', 'owner', '--password-stdin');
    expect(result.code).toBe(2);
    expect(result.err).toBe('herald: password must be at least 12 characters');
    expect(listStaff(openDatabase(db))).toHaveLength(0);
    expect(readAudit(openDatabase(db))).toHaveLength(0);
  });

  it('without a terminal, asks for --password-stdin instead of reading a password', () => {
    const db = join(tempDir(), 'herald.db');
    const result = heraldWithInput(db, `${password}\n`, 'user', 'add', '--email', 'a@example.com', '--role', 'owner');
    expect(result.code).toBe(2);
    expect(result.err.split('\n')[0]).toBe('herald: stdin is not a terminal: pipe the password in and add --password-stdin');
    expect(listStaff(openDatabase(db))).toHaveLength(0);
    const reset = heraldWithInput(db, `${password}\n`, 'user', 'reset-password', 'a@example.com');
    expect(reset.code).toBe(2);
  });

  it('resets a password and ends all of that account’s sessions', async () => {
    const db = join(tempDir(), 'herald.db');
    heraldWithInput(db, password, 'user', 'add', '--email', 'a@example.com', '--role', 'owner', '--password-stdin');
    heraldWithInput(db, password, 'user', 'add', '--email', 'b@example.com', '--role', 'editor', '--password-stdin');
    const before = openDatabase(db);
    const a = findStaffByEmail(before, 'a@example.com')!;
    const b = findStaffByEmail(before, 'b@example.com')!;
    startSession(before, a.id);
    startSession(before, a.id);
    startSession(before, b.id);

    const result = heraldWithInput(db, 'a new long password\n', 'user', 'reset-password', 'A@example.com', '--password-stdin');
    expect(result).toMatchObject({ code: 0, out: 'Changed the password of a@example.com; ended 2 sessions' });
    expect(result.out + result.err).not.toContain('a new long password');
    const after = openDatabase(db);
    const row = findStaffByEmail(after, 'a@example.com')!;
    expect(row.passwordHash).not.toBe(a.passwordHash);
    expect(await verifyPassword(row.passwordHash, 'a new long password')).toBe(true);
    expect(await verifyPassword(row.passwordHash, password)).toBe(false);
    expect(openSessions(after, a.id)).toBe(0);
    expect(openSessions(after, b.id)).toBe(1);
    expect(readAudit(after)[0]).toMatchObject({ actor: cliActor, action: 'user.password', target: 'a@example.com' });
  });

  it('lists accounts, tab-separated', () => {
    const db = join(tempDir(), 'herald.db');
    expect(herald(db, 'user', 'list')).toMatchObject({ code: 0, out: 'No staff accounts.' });
    heraldWithInput(db, password, 'user', 'add', '--email', 'b@example.com', '--role', 'editor', '--name', 'Bo', '--password-stdin');
    heraldWithInput(db, password, 'user', 'add', '--email', 'a@example.com', '--role', 'owner', '--password-stdin');
    const opened = openDatabase(db);
    setDisabled(opened, { label: 'test', userId: null }, findStaffByEmail(opened, 'b@example.com')!.id, true);
    const today = new Date().toISOString().slice(0, 10);
    expect(herald(db, 'user', 'list')).toMatchObject({
      code: 0,
      out: [`a@example.com\ta\towner\tenabled\t${today}\tpassword`, `b@example.com\tBo\teditor\tdisabled\t${today}\tpassword`].join('\n'),
    });
  });
});

describe('herald token', () => {
  it('creates a token shown once, lists it, and revokes it', () => {
    const db = join(tempDir(), 'herald.db');
    const created = herald(db, 'token', 'create', '--name', 'deploy-bot', '--scope', 'write');
    expect(created.code).toBe(0);
    // stdout is the secret alone, so `$(herald token create …)` captures just it.
    expect(created.out).toMatch(/^herald_[A-Za-z0-9_-]{43}$/);
    expect(created.err).toMatch(/cannot be shown again/);
    expect(created.err).not.toContain(created.out);

    const token = authenticateApiToken(openDatabase(db), created.out)!;
    expect(token).toMatchObject({ name: 'deploy-bot', scope: 'write', createdBy: null, revokedAt: null });
    const listed = herald(db, 'token', 'list');
    expect(listed.code).toBe(0);
    const fields = listed.out.split('\t');
    expect(fields.slice(0, 3)).toEqual([String(token.id), 'deploy-bot', 'write']);
    expect(fields[3]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(fields[4]).toMatch(/^\d{4}-\d\d-\d\dT/); // last used: the authentication above
    expect(fields[5]).toBe('active');
    expect(listed.out).not.toContain(created.out);

    expect(herald(db, 'token', 'revoke', String(token.id))).toMatchObject({ code: 0, out: `Revoked token ${token.id} (deploy-bot)` });
    expect(authenticateApiToken(openDatabase(db), created.out)).toBeNull();
    expect(herald(db, 'token', 'list').out).toMatch(/\trevoked \d{4}-/);
    expect(herald(db, 'token', 'revoke', String(token.id))).toMatchObject({ code: 0, out: `Token ${token.id} (deploy-bot) was already revoked` });
    expect(readAudit(openDatabase(db)).map((a) => [a.actor, a.action])).toEqual([
      [cliActor, 'token.revoke'],
      [cliActor, 'token.create'],
    ]);
  });
});

it('audits every CLI write as cli <os user>', () => {
  const db = join(tempDir(), 'herald.db');
  heraldWithInput(db, password, 'user', 'add', '--email', 'a@example.com', '--role', 'owner', '--password-stdin');
  heraldWithInput(db, 'a new long password', 'user', 'reset-password', 'a@example.com', '--password-stdin');
  const secret = herald(db, 'token', 'create', '--name', 'bot', '--scope', 'read').out;
  herald(db, 'token', 'revoke', String(authenticateApiToken(openDatabase(db), secret)!.id));
  herald(db, 'component', 'set', 'dns', 'partial_outage');
  herald(db, 'incident', 'create', '--title', 'DNS slow', '--impact', 'minor', '--message', 'Looking');
  const audit = readAudit(openDatabase(db));
  expect(audit.map((a) => a.action)).toEqual(
    expect.arrayContaining(['user.create', 'user.password', 'token.create', 'token.revoke', 'component.status', 'incident.create']),
  );
  expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([cliActor]));
});
