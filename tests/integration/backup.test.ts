// Backups on real SQLite files: taken online and verified, listed, rotated,
// encrypted, restored; a damaged database (bytes flipped in the file) is
// caught, refused loudly, and the last good backup survives it.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema';
import { subscribers } from '../../src/db/schema';
import { loadConfig } from '../../src/lib/config';
import {
  BackupError,
  generationsToKeep,
  lastBackupStatus,
  listBackups,
  restoreBackup,
  takeBackup,
  type BackupManifest,
} from '../../src/lib/server/storage/backup';
import { openDatabase, type HeraldDb } from '../../src/lib/server/db';
import { projectRoot } from '../../src/lib/server/paths';
import { tempDir } from '../helpers/temp-db';

const key = Buffer.alloc(32, 7);

function filledDatabase(rows = 3000) {
  const dir = tempDir();
  const path = join(dir, 'herald.db');
  const db = openDatabase(path);
  const now = new Date();
  db.insert(subscribers)
    .values(Array.from({ length: rows }, (_, n) => ({ kind: 'email' as const, address: `person${n}@example.com`, confirmedAt: now, createdAt: now })))
    .run();
  return { dir, path, db, backups: join(dir, 'backups') };
}

const count = (db: HeraldDb) => db.select().from(subscribers).all().length;

/** Overwrites bytes in the middle of the file, where the table's pages are. */
function flipBytes(path: string) {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  for (let offset = 4096 * 3; offset < size - 4096; offset += 4096 * 7) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, offset + 40);
  closeSync(fd);
}

function herald(db: string, env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin/herald.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, HERALD_DB: db, ...env } });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

describe('backups', () => {
  it('takes a verified copy online, lists it, and restores it, keeping the replaced database aside', async () => {
    const { path, db, backups } = filledDatabase();
    const made = await takeBackup(db, { dir: backups, key: null, keepDaily: 7, keepWeekly: 4 });
    expect(made).toMatchObject({ integrity: 'ok', encrypted: false });
    expect(listBackups(backups)).toEqual([made]);
    expect(lastBackupStatus(backups)).toMatchObject({ ok: true, file: made.file });
    // The copy is a whole SQLite database with the data.
    const copy = new Database(join(backups, made.file), { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM subscribers').get()).toEqual({ n: 3000 });
    copy.close();

    db.delete(subscribers).run();
    db.$client.close();
    const report = await restoreBackup(join(backups, made.file), path, null);
    expect(report.keptAs).toMatch(/herald\.db\.before-restore-\d{8}T\d{6}Z$/);
    expect(count(openDatabase(path))).toBe(3000);
    expect(count(openDatabase(report.keptAs!))).toBe(0);
  });

  it('encrypts with AES-256-GCM: unreadable without the key, refused with a wrong key or a changed byte', async () => {
    const { path, db, backups } = filledDatabase(200);
    const made = await takeBackup(db, { dir: backups, key, keepDaily: 7, keepWeekly: 4 });
    expect(made.encrypted).toBe(true);
    const bytes = readFileSync(join(backups, made.file));
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(bytes.includes(Buffer.from('person1@example.com'))).toBe(false);
    db.$client.close();

    await expect(restoreBackup(join(backups, made.file), path, null)).rejects.toThrow(/is encrypted: set BACKUP_KEY/);
    await expect(restoreBackup(join(backups, made.file), path, Buffer.alloc(32, 8))).rejects.toThrow(/cannot be decrypted: wrong BACKUP_KEY, or the file was changed/);
    const tampered = join(backups, 'tampered.enc');
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(tampered, bytes);
    await expect(restoreBackup(tampered, path, key)).rejects.toThrow(/cannot be decrypted/);
    const unchanged = openDatabase(path);
    expect(count(unchanged)).toBe(200); // nothing changed by the refusals
    unchanged.$client.close(); // a restore refuses while any connection has the database open

    const report = await restoreBackup(join(backups, made.file), path, key);
    expect(report.integrity).toBe('ok');
    expect(count(openDatabase(path))).toBe(200);
  });

  it('refuses to back up a damaged database, says so, and keeps the last good backup', async () => {
    const { path, db, backups } = filledDatabase();
    const good = await takeBackup(db, { dir: backups, key: null, keepDaily: 1, keepWeekly: 0 }, new Date('2026-11-01T00:00:00Z'));
    db.$client.close(); // checkpoints the WAL into the file
    flipBytes(path);

    // The server's start-up check stops it with the recovery command.
    expect(() => openDatabase(path, { quickCheck: true })).toThrow(/HERALD_DB: the database at .* fails its integrity check .* npx herald restore FILE/);

    // A process that had it open already: the backup refuses, nothing rotates out.
    const damaged = drizzle(new Database(path), { schema }) as HeraldDb;
    await expect(takeBackup(damaged, { dir: backups, key: null, keepDaily: 1, keepWeekly: 0 }, new Date('2026-11-02T00:00:00Z'))).rejects.toThrow(BackupError);
    expect(listBackups(backups).map((b) => b.file)).toEqual([good.file]);
    expect(readdirSync(backups).sort()).toEqual([good.file, `${good.file}.json`, 'last-backup.json']);
    damaged.$client.close();

    // And the good backup brings the data back.
    await restoreBackup(join(backups, good.file), path, null);
    expect(count(openDatabase(path, { quickCheck: true }))).toBe(3000);
  });

  it('records the refusal for /healthz and the console', async () => {
    const { path, db, backups } = filledDatabase();
    db.$client.close();
    flipBytes(path);
    const damaged = drizzle(new Database(path), { schema }) as HeraldDb;
    await takeBackup(damaged, { dir: backups, key: null, keepDaily: 1, keepWeekly: 0 }).catch(() => {});
    // Recorded beside the backups, not in the damaged database: /healthz and the console read it.
    expect(lastBackupStatus(backups)).toMatchObject({ ok: false, message: expect.stringMatching(/failed its integrity check.*npx herald restore FILE/) });
    damaged.$client.close();
  });

  it('refuses a plain backup with one byte changed inside a value, which integrity_check alone lets through; backup list says so', async () => {
    const { path, db, backups, dir } = filledDatabase(200);
    db.$client.prepare("INSERT INTO settings (key, value) VALUES ('note', 'the quick brown fox')").run();
    const made = await takeBackup(db, { dir: backups, key: null, keepDaily: 7, keepWeekly: 4 });
    db.$client.close();
    // Change one letter of a stored value no index covers: the file stays a valid database.
    const file = join(backups, made.file);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('quick');
    expect(at).toBeGreaterThan(0);
    bytes[at + 2] = 'a'.charCodeAt(0);
    writeFileSync(file, bytes);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    await expect(restoreBackup(file, path, null)).rejects.toThrow(/does not match the SHA-256 recorded/);
    expect(count(openDatabase(path))).toBe(200);
    const list = herald(path, {}, 'backup', 'list');
    expect(list.out).toContain('CHANGED SINCE IT WAS MADE');
    expect(herald(path, {}, 'restore', file)).toMatchObject({ code: 2, err: expect.stringMatching(/does not match the SHA-256/) });
    expect(readdirSync(dir).filter((name) => name.includes('before-restore'))).toEqual([]);
  });

  it('refuses to restore while another process has the database open, naming what to stop, and changes nothing', async () => {
    const { path, db, backups } = filledDatabase(100);
    const made = await takeBackup(db, { dir: backups, key: null, keepDaily: 7, keepWeekly: 4 });
    db.$client.close();
    // Another process (as a running server would) holds the database open, idle, in WAL mode.
    const holder = spawn(process.execPath, ['-e', `const D=require('better-sqlite3');const d=new D(${JSON.stringify(path)});d.pragma('journal_mode=WAL');d.prepare('select 1').get();console.log('open');setInterval(()=>{},1000)`], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      await expect(restoreBackup(join(backups, made.file), path, null)).rejects.toThrow(/is open in another process .*stop it first/);
      const cli = herald(path, {}, 'restore', join(backups, made.file));
      expect(cli.code).toBe(2);
      expect(cli.err.trim().split('\n')).toHaveLength(1);
      expect(cli.err).toMatch(/running Herald server/);
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('exit', r));
    }
    // Once it is gone, the same restore goes through.
    expect((await restoreBackup(join(backups, made.file), path, null)).digest).toBe('ok');
  });

  it('refuses to restore a damaged backup and changes nothing', async () => {
    const { path, db, backups } = filledDatabase();
    const made = await takeBackup(db, { dir: backups, key: null, keepDaily: 7, keepWeekly: 4 });
    db.delete(subscribers).run();
    db.$client.close();
    flipBytes(join(backups, made.file));
    await expect(restoreBackup(join(backups, made.file), path, null)).rejects.toThrow(/does not match the SHA-256 .*nothing was changed/);
    // Without its manifest, the integrity check still catches it.
    rmSync(join(backups, `${made.file}.json`));
    await expect(restoreBackup(join(backups, made.file), path, null)).rejects.toThrow(/fails its integrity check .*nothing was changed/);
    expect(count(openDatabase(path))).toBe(0);
    expect(readdirSync(join(path, '..')).filter((f) => f.includes('before-restore'))).toEqual([]);
  });
});

describe('rotation', () => {
  const manifest = (iso: string): BackupManifest => ({ file: `herald-${iso}.db`, createdAt: iso, size: 1, sha256: '', encrypted: false, integrity: 'ok' });

  it('keeps the newest of each of the last N days and M ISO weeks, and always the newest', () => {
    // Newest first, as listBackups gives them: two a day for 20 days.
    const all = Array.from({ length: 40 }, (_, n) => manifest(new Date(Date.UTC(2026, 10, 20, 12 - (n % 2) * 6) - Math.floor(n / 2) * 86_400_000).toISOString()));
    const keep = generationsToKeep(all, 3, 2);
    expect([...keep].sort().reverse()).toEqual([
      'herald-2026-11-20T12:00:00.000Z.db',
      'herald-2026-11-19T12:00:00.000Z.db',
      'herald-2026-11-18T12:00:00.000Z.db',
      // 2026-11-16 is a Monday: the week before ends on Sunday the 15th.
      'herald-2026-11-15T12:00:00.000Z.db',
    ]);
    expect(generationsToKeep(all.slice(0, 1), 0, 0)).toEqual(new Set([all[0].file]));
  });

  it('rotates on disk as backups are taken', async () => {
    const { db, backups } = filledDatabase(10);
    for (let day = 1; day <= 5; day++) await takeBackup(db, { dir: backups, key: null, keepDaily: 2, keepWeekly: 0 }, new Date(Date.UTC(2026, 10, day, 3)));
    expect(listBackups(backups).map((b) => b.createdAt)).toEqual(['2026-11-05T03:00:00.000Z', '2026-11-04T03:00:00.000Z']);
    expect(readdirSync(backups)).toHaveLength(5); // two generations, their manifests, last-backup.json
  });
});

describe('backup and restore commands', () => {
  it('backs up, lists and restores from the command line, and names what it did', () => {
    const { path, db, dir } = filledDatabase(50);
    db.$client.close();
    const env = { BACKUP_KEY: key.toString('base64') };
    const backup = herald(path, env, 'backup');
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/^Backed up .*herald\.db to .*backups\/herald-\d{8}T\d{6}Z\.db\.enc \(\d+\.\d KiB, integrity ok, encrypted\)$/);
    const list = herald(path, env, 'backup', 'list');
    expect(list.code).toBe(0);
    const [line] = list.out.split('\n');
    expect(line.split('\t')).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), expect.stringMatching(/KiB$/), 'integrity ok, sha256 ok', 'encrypted', expect.stringMatching(/\.db\.enc$/)]);
    const file = line.split('\t')[4];

    const restore = herald(path, env, 'restore', file);
    expect(restore.code).toBe(0);
    expect(restore.out).toMatch(/Restored .* \(integrity ok, sha256 as recorded\); migrations applied\.\nThe database it replaced is kept as .*before-restore/);
    expect(herald(path, {}, 'restore', file)).toMatchObject({ code: 2, err: expect.stringMatching(/is encrypted: set BACKUP_KEY/) });
    expect(herald(path, env, 'restore')).toMatchObject({ code: 2 });
    expect(existsSync(join(dir, 'backups'))).toBe(true);
  });

  it('a worker on a damaged database stops with one line naming HERALD_DB and the way back', () => {
    const { path, db } = filledDatabase();
    db.$client.close();
    flipBytes(path);
    const worker = herald(path, {}, 'worker');
    expect(worker.code).toBe(1);
    expect(worker.err.split('\n')).toHaveLength(1);
    expect(worker.err).toMatch(/^herald: HERALD_DB: the database at .* fails its integrity check .*npx herald backup list, then npx herald restore FILE$/);
  });

  it('a bad BACKUP_KEY stops with one line naming it', () => {
    expect(() => loadConfig({ BACKUP_KEY: 'short' })).toThrow(/^BACKUP_KEY: must be 32 bytes/);
    expect(loadConfig({ BACKUP_KEY: 'ab'.repeat(32) }).backup.key).toEqual(Buffer.alloc(32, 0xab));
  });
});
