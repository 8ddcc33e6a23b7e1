// herald doctor's checks on real parts: a real SMTP server with a login, real
// backups in a folder, the database's audit log, and real HTTP servers that
// are not the Herald SITE_URL should reach. Herald itself answering through
// nginx, with and without TRUST_PROXY, is tests/e2e/proxies.spec.ts.
import { createServer, type RequestListener, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/lib/config';
import { auditLog } from '../../src/db/schema';
import { openDatabase } from '../../src/lib/server/db';
import { backupsCheck, clockCheck, diskCheck, isProbe, issueProbe, runDoctor, smtpCheck, trustProxyCheck, type ProbeView } from '../../src/lib/server/doctor';
import { takeBackup } from '../../src/lib/server/storage';
import { projectRoot } from '../../src/lib/server/paths';
import { freePort } from '../../src/lib/server/export/free-port';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { tempDir } from '../helpers/temp-db';

function configFor(env: Record<string, string>): Config {
  const dir = tempDir();
  return loadConfig({ HERALD_DB: join(dir, 'herald.db'), BACKUP_DIR: join(dir, 'backups'), MAIL_DIR: join(dir, 'mail'), SITE_URL: 'https://status.example.com', ...env });
}

let sink: SmtpSink | null = null;
let peer: Server | null = null;
afterEach(async () => {
  await sink?.close();
  sink = null;
  await new Promise((r) => (peer ? peer.close(r) : r(null)));
  peer = null;
});

describe('smtp', () => {
  it('logs in to the real server and has it take a test message', async () => {
    sink = await startSmtpSink({ login: { user: 'herald', pass: 's3cret-pass' } });
    const config = configFor({ SMTP_URL: `smtp://herald:s3cret-pass@127.0.0.1:${sink.port}/?ignoreTLS=true`, MAIL_FROM: 'status@example.com' });
    const verified = await smtpCheck(config, undefined);
    expect(verified.verdict).toBe('ok');
    expect(verified.detail).toContain(`smtp://127.0.0.1:${sink.port} accepts the connection and its login`);
    expect(sink.messages).toHaveLength(0);

    const sent = await smtpCheck(config, 'ops@example.com');
    expect(sent.verdict).toBe('ok');
    await sink.waitFor(1);
    expect(sink.to('ops@example.com')[0].subject).toBe('Herald doctor: test message');
    expect(sink.to('ops@example.com')[0].from?.value[0].address).toBe('status@example.com');
    // The password is never printed.
    expect(JSON.stringify([verified, sent])).not.toContain('s3cret-pass');
  });

  it('fails naming the refused login, without the password', async () => {
    sink = await startSmtpSink({ login: { user: 'herald', pass: 'right' } });
    const result = await smtpCheck(configFor({ SMTP_URL: `smtp://herald:wrong-one@127.0.0.1:${sink.port}/?ignoreTLS=true` }), undefined);
    expect(result.verdict).toBe('fail');
    expect(result.detail).toMatch(/refused the login: 535/);
    expect(result.detail).not.toContain('wrong-one');
  });

  it('fails when nothing listens, and warns (or fails, asked to send) without SMTP_URL', async () => {
    const port = await freePort();
    const down = await smtpCheck(configFor({ SMTP_URL: `smtp://127.0.0.1:${port}` }), undefined);
    expect(down).toMatchObject({ verdict: 'fail' });
    expect(down.detail).toContain('ECONNREFUSED');
    expect((await smtpCheck(configFor({}), undefined)).verdict).toBe('warn');
    expect((await smtpCheck(configFor({}), 'ops@example.com')).verdict).toBe('fail');
  });
});

describe('backups', () => {
  it('passes a recent backup whose bytes are as recorded, and fails one that changed, a refused one, an old one and none', async () => {
    const config = configFor({ BACKUP_INTERVAL_HOURS: '6' });
    expect(await backupsCheck(config)).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('no backup in') });

    const db = openDatabase(config.databasePath);
    const made = await takeBackup(db, config.backup);
    const fresh = await backupsCheck(config);
    // Backups beside the database (one temporary folder) are flagged: a lost disk takes both.
    expect(fresh.verdict).toBe('warn');
    expect(fresh.detail).toMatch(new RegExp(`newest 0 min ago: ${made.file} .*integrity ok, sha256 as recorded.*same disk as the database`));

    expect((await backupsCheck(config, Date.now() + 13 * 3_600_000)).detail).toMatch(/is 13\.0 h old \(one is expected every 6\.0 h\)/);

    appendFileSync(join(config.backup.dir, made.file), 'x');
    expect(await backupsCheck(config)).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('changed since it was made') });

    const status = join(config.backup.dir, 'last-backup.json');
    writeFileSync(status, JSON.stringify({ ...JSON.parse(readFileSync(status, 'utf8')), ok: false, message: 'the database failed its integrity check' }));
    expect(await backupsCheck(config)).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('was refused: the database failed its integrity check') });
  });
});

describe('disk and clock', () => {
  it('reports the free space beside the database and the backups', () => {
    const config = configFor({});
    openDatabase(config.databasePath);
    expect(diskCheck(config)).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/GiB free beside the database \(\d+\.\d KiB\)/) });
  });

  it('fails when the database holds entries from the future: the clock was set back', () => {
    const config = configFor({});
    const db = openDatabase(config.databasePath);
    expect(clockCheck(db, new Date()).verdict).not.toBe('fail');
    expect(clockCheck(db, new Date(Date.now() + 120_000))).toMatchObject({ verdict: 'fail', detail: expect.stringContaining("SITE_URL's Date header says") });
    db.insert(auditLog).values({ at: new Date(Date.now() + 3 * 3_600_000), actor: 'cli test', action: 'incident.create' }).run();
    expect(clockCheck(db, null)).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('ahead of this clock') });
  });
});

describe('trust-proxy', () => {
  const view = (over: Partial<ProbeView>): ProbeView => ({ peer: '127.0.0.1', forwardedFor: null, forwardedProto: null, trustProxy: false, https: false, now: new Date().toISOString(), ...over });
  const https = configFor({});
  const trusting = configFor({ TRUST_PROXY: '1' });

  it('agrees when the setting matches what arrives', () => {
    expect(trustProxyCheck(trusting, true, view({ forwardedFor: '203.0.113.9', forwardedProto: 'https', https: true })).verdict).toBe('ok');
    expect(trustProxyCheck(configFor({ SITE_URL: 'http://127.0.0.1:4321' }), false, view({})).verdict).toBe('ok');
  });

  it('fails a proxy whose headers are ignored, a trusted proxy that sends none, and https not passed on', () => {
    expect(trustProxyCheck(https, true, view({ forwardedFor: '198.51.100.7', forwardedProto: 'https' }))).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('set TRUST_PROXY=1') });
    expect(trustProxyCheck(trusting, true, view({}))).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('without X-Forwarded-For') });
    expect(trustProxyCheck(trusting, true, view({ forwardedFor: '198.51.100.7', forwardedProto: 'http' }))).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('X-Forwarded-Proto: https') });
    expect(trustProxyCheck(trusting, true, view({ peer: '8.8.8.8', forwardedFor: '198.51.100.7', https: true })).verdict).toBe('warn');
  });
});

describe('the probe token', () => {
  it('is good for its run only: two minutes, the latest token, compared whole', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    const token = issueProbe(db, 1_000);
    expect(isProbe(db, token, 2_000)).toBe(true);
    expect(isProbe(db, token, 1_000 + 121_000)).toBe(false);
    expect(isProbe(db, token.slice(0, -1), 2_000)).toBe(false);
    expect(isProbe(db, '', 2_000)).toBe(false);
    issueProbe(db, 3_000);
    expect(isProbe(db, token, 4_000)).toBe(false);
  });
});

describe('herald doctor against servers that are not this Herald', () => {
  async function listen(handler: RequestListener): Promise<number> {
    peer = createServer(handler);
    await new Promise<void>((r) => peer!.listen(0, '127.0.0.1', r));
    return (peer.address() as { port: number }).port;
  }

  it('fails SITE_URL answering as another server, and one that redirects elsewhere', async () => {
    const port = await listen((request, response) => {
      if (request.url === '/healthz') response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    });
    const config = configFor({ SITE_URL: `http://127.0.0.1:${port}` });
    const checks = await runDoctor(config, openDatabase(config.databasePath));
    expect(checks.map((c) => c.name)).toEqual(['site-url', 'https', 'hsts', 'trust-proxy', 'health', 'database', 'smtp', 'backups', 'disk', 'clock']);
    expect(checks[0]).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('but not as the Herald on HERALD_DB=') });
    expect(checks.find((c) => c.name === 'trust-proxy')?.verdict).toBe('skip');
    expect(checks.find((c) => c.name === 'database')?.verdict).toBe('ok');

    await new Promise((r) => peer!.close(r));
    const moved = await listen((_request, response) => response.writeHead(301, { Location: 'https://elsewhere.example/' }).end());
    const redirected = await runDoctor(configFor({ SITE_URL: `http://127.0.0.1:${moved}` }), openDatabase(config.databasePath));
    expect(redirected[0].detail).toContain('answers 301 to https://elsewhere.example/');
  });

  it('exits 1 from the CLI, one line per check, when SITE_URL does not answer', async () => {
    const dir = tempDir();
    const port = await freePort();
    const run = spawnSync(process.execPath, [join(projectRoot, 'bin/herald.mjs'), 'doctor'], {
      encoding: 'utf8',
      env: { ...process.env, HERALD_DB: join(dir, 'herald.db'), BACKUP_DIR: join(dir, 'backups'), SITE_URL: `http://127.0.0.1:${port}` },
    });
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(new RegExp(`^FAIL  site-url +http://127.0.0.1:${port}/healthz cannot be reached: .*ECONNREFUSED`));
    expect(run.stderr).toContain('checks failed');
  });
});
