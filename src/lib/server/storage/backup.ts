// Backups that can be trusted. A copy is taken online with SQLite's backup
// API, then checked with PRAGMA integrity_check; only a copy that passes enters
// the rotation (optionally encrypted with AES-256-GCM, the key coming from the
// environment, never stored beside the data). A copy that fails means the live
// database is damaged: the backup refuses, says so loudly (the log, /healthz,
// the console) and keeps every older backup, so the last good one survives.
// Restore verifies the file, keeps the current database aside, swaps atomically.
// The copy, its check, the encryption and the hash run in a worker thread
// (backup-worker.mjs), off the server's event loop.
import { createDecipheriv } from 'node:crypto';
import { closeSync, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { compactUtc } from '../../time';
import { integrityCheck, ivLength, magic, sha256File, tagLength, type copyAndVerify } from './backup-worker.mjs';
import type { HeraldDb } from '../db';
import { backupWorkerFile, resolveFromCwd } from '../paths';
import { log } from '../log';

export { integrityCheck };
type CopyJob = Parameters<typeof copyAndVerify>[0];
type CopyResult = Awaited<ReturnType<typeof copyAndVerify>>;

export interface BackupOptions {
  dir: string;
  /** 32-byte key; null keeps backups unencrypted. */
  key: Buffer | null;
  keepDaily: number;
  keepWeekly: number;
}

/** What `backup list` shows of each generation; kept as `<file>.json` beside it. */
export interface BackupManifest {
  file: string;
  createdAt: string;
  /** Bytes of the file as stored (encrypted size when encrypted). */
  size: number;
  sha256: string;
  encrypted: boolean;
  /** The integrity check's answer for the copy: always "ok" for a file in the rotation. */
  integrity: string;
}

/** The last backup's outcome, which /healthz and the console show. */
export interface BackupStatus {
  at: string;
  ok: boolean;
  message: string;
  file?: string;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * Runs the copy, its check, the encryption and the hash in a worker thread
 * (backup-worker.mjs) with its own connection to the database file, so the
 * event loop of the process that asked (the server) stays free meanwhile.
 */
function runBackupWorker(job: CopyJob): Promise<CopyResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(backupWorkerFile, { workerData: { heraldBackup: job } });
    let answered = false;
    worker.once('message', (answer: { ok: true; result: CopyResult } | { ok: false; message: string }) => {
      answered = true;
      if (answer.ok) resolve(answer.result);
      else reject(new Error(answer.message));
    });
    worker.once('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the backup worker stopped (exit code ${code}) before it answered`));
    });
  });
}

export function isEncryptedBackup(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(magic.length);
    readSync(fd, head, 0, magic.length, 0);
    return head.equals(magic);
  } finally {
    closeSync(fd);
  }
}

/** Decrypts `source` into `target`; a wrong key or a changed byte fails with a clear message. */
export async function decryptFile(source: string, target: string, key: Buffer | null): Promise<void> {
  if (!key) throw new BackupError(`${basename(source)} is encrypted: set BACKUP_KEY to the key it was made with`);
  const size = statSync(source).size;
  const fd = openSync(source, 'r');
  const iv = Buffer.alloc(ivLength);
  const tag = Buffer.alloc(tagLength);
  try {
    readSync(fd, iv, 0, ivLength, magic.length);
    readSync(fd, tag, 0, tagLength, size - tagLength);
  } finally {
    closeSync(fd);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag);
  try {
    await pipeline(createReadStream(source, { start: magic.length + ivLength, end: size - tagLength - 1 }), decipher, createWriteStream(target));
  } catch {
    rmSync(target, { force: true });
    throw new BackupError(`${basename(source)} cannot be decrypted: wrong BACKUP_KEY, or the file was changed`);
  }
}

const statusFile = (dir: string) => join(resolveFromCwd(dir), 'last-backup.json');

/** Kept in a file beside the backups, not in the database: a damaged database cannot be trusted to hold its own alarm. */
function recordStatus(dir: string, status: BackupStatus): void {
  try {
    mkdirSync(resolveFromCwd(dir), { recursive: true });
    writeFileSync(`${statusFile(dir)}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
    renameSync(`${statusFile(dir)}.tmp`, statusFile(dir));
  } catch (error) {
    log.error(`could not record the backup status in ${dir}: ${(error as Error).message}`);
  }
}

/** The last backup's outcome, whichever process took it (server or CLI); null before the first. */
export function lastBackupStatus(dir: string): BackupStatus | null {
  try {
    return JSON.parse(readFileSync(statusFile(dir), 'utf8')) as BackupStatus;
  } catch {
    return null;
  }
}

/** The generations in `dir`, newest first, from their manifests. */
export function listBackups(folder: string): BackupManifest[] {
  const dir = resolveFromCwd(folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('herald-') && name.endsWith('.json'))
    .flatMap((name) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, name), 'utf8')) as BackupManifest;
        return existsSync(join(dir, manifest.file)) ? [manifest] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Which generations to keep: the newest of each of the last `keepDaily` days
 * and of the last `keepWeekly` ISO weeks (UTC), and always the newest of all.
 */
export function generationsToKeep(backups: BackupManifest[], keepDaily: number, keepWeekly: number): Set<string> {
  const keep = new Set<string>();
  if (backups[0]) keep.add(backups[0].file);
  const newestPer = (key: (d: Date) => string, limit: number) => {
    const seen = new Set<string>();
    for (const b of backups) {
      const k = key(new Date(b.createdAt));
      if (seen.has(k)) continue;
      if (seen.size >= limit) break;
      seen.add(k);
      keep.add(b.file);
    }
  };
  newestPer((d) => d.toISOString().slice(0, 10), keepDaily);
  newestPer((d) => {
    // ISO week: the Thursday of the week decides the year.
    const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7));
    const week = Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 4)) / (7 * 86_400_000)) + 1;
    return `${t.getUTCFullYear()}-W${week}`;
  }, keepWeekly);
  return keep;
}

/**
 * Takes a verified backup of `db` into options.dir and rotates. Throws
 * BackupError, with nothing rotated out, when the copy fails its check. The
 * heavy work runs in a worker thread over its own connection to the file.
 */
export async function takeBackup(db: HeraldDb, backup: BackupOptions, now = new Date()): Promise<BackupManifest> {
  const options = { ...backup, dir: resolveFromCwd(backup.dir) };
  mkdirSync(options.dir, { recursive: true });
  const name = `herald-${compactUtc(now)}.db${options.key ? '.enc' : ''}`;
  const partial = join(options.dir, `.${name}.partial`);
  const plain = options.key ? `${partial}.plain` : partial;
  try {
    if (db.$client.memory) throw new Error('an in-memory database has no file to copy');
    const copy = await runBackupWorker({ source: db.$client.name, plain, partial, key: options.key });
    const { integrity } = copy;
    if (integrity !== 'ok') {
      const message = `the database failed its integrity check (${integrity}); no backup was taken and no older backup was removed. Restore the last good backup: npx herald backup list, then npx herald restore FILE`;
      recordStatus(options.dir, { at: now.toISOString(), ok: false, message });
      throw new BackupError(message);
    }
    const manifest: BackupManifest = {
      file: name,
      createdAt: now.toISOString(),
      size: copy.size,
      sha256: copy.sha256,
      encrypted: !!options.key,
      integrity,
    };
    // The manifest goes first: a file without one is never listed, never restored by name.
    writeFileSync(join(options.dir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, join(options.dir, name));
    const keep = generationsToKeep(listBackups(options.dir), options.keepDaily, options.keepWeekly);
    for (const old of listBackups(options.dir)) {
      if (keep.has(old.file)) continue;
      rmSync(join(options.dir, old.file), { force: true });
      rmSync(join(options.dir, `${old.file}.json`), { force: true });
    }
    recordStatus(options.dir, { at: now.toISOString(), ok: true, message: `verified backup ${name}`, file: name });
    return manifest;
  } catch (error) {
    if (!(error instanceof BackupError)) recordStatus(options.dir, { at: now.toISOString(), ok: false, message: `backup failed: ${(error as Error).message}` });
    throw error;
  } finally {
    for (const file of [partial, `${partial}.plain`]) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  }
}

/** The manifest made with a backup file (`<file>.json` beside it), or null when there is none. */
function manifestOf(file: string): BackupManifest | null {
  try {
    return JSON.parse(readFileSync(`${file}.json`, 'utf8')) as BackupManifest;
  } catch {
    return null;
  }
}

/**
 * Whether `file` still has the bytes its manifest recorded: "ok", "changed"
 * (a byte differs: the copy was damaged or altered after it was made and
 * verified), or "unrecorded" (no manifest beside it).
 */
export async function verifyDigest(file: string): Promise<'ok' | 'changed' | 'unrecorded'> {
  const manifest = manifestOf(file);
  if (!manifest?.sha256) return 'unrecorded';
  return (await sha256File(file)) === manifest.sha256 ? 'ok' : 'changed';
}

/**
 * Refuses when another connection has the database at `target` open (a
 * running server, `herald worker`, a CLI command): swapping the file under it
 * would let it go on writing to the replaced file, and those writes would
 * vanish. In WAL mode, leaving WAL needs the only connection, so trying it
 * tells; when it works, the WAL has been folded into the file as well.
 */
function takeSoleAccess(target: string): void {
  let current: Database.Database;
  try {
    current = new Database(target, { timeout: 200 });
  } catch {
    return; // a damaged database may not open: keep it, and its WAL, as they are
  }
  try {
    current.pragma('journal_mode = DELETE');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new BackupError(
        `the database ${target} is open in another process (a running Herald server, herald worker, or another herald command): stop it first, then restore; nothing was changed`,
      );
    }
  } finally {
    current.close();
  }
}

export interface RestoreReport {
  restored: string;
  /** "ok" when the file matched the SHA-256 in its manifest; "unrecorded" when it had none. */
  digest: 'ok' | 'unrecorded';
  /** Where the database that was replaced now lives. */
  keptAs: string | null;
  integrity: string;
}

/**
 * Replaces the database at `target` with the backup `file`: decrypts if needed,
 * checks it, keeps the current database (with its WAL) aside, then swaps by
 * rename, so the target is always either the old file or the whole new one.
 * A file whose manifest records another SHA-256 is refused, and so is a
 * database another process has open. Migrations run when the caller opens it.
 */
export async function restoreBackup(file: string, target: string, key: Buffer | null, now = new Date()): Promise<RestoreReport> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  mkdirSync(dirname(target), { recursive: true });
  const digest = await verifyDigest(file);
  if (digest === 'changed') {
    throw new BackupError(`${basename(file)} does not match the SHA-256 recorded when it was made and verified: it was changed or damaged since; nothing was changed. Restore an older backup (npx herald backup list)`);
  }
  if (existsSync(target)) takeSoleAccess(target);
  const incoming = join(dirname(target), `.${basename(target)}.restoring`);
  rmSync(incoming, { force: true });
  try {
    if (isEncryptedBackup(file)) await decryptFile(file, incoming, key);
    else copyFileSync(file, incoming);
    const integrity = integrityCheck(incoming);
    if (integrity !== 'ok') throw new BackupError(`${basename(file)} fails its integrity check (${integrity}); nothing was changed`);
    let keptAs: string | null = null;
    if (existsSync(target)) {
      // takeSoleAccess folded the WAL into the file, so the copy kept aside is whole.
      keptAs = `${target}.before-restore-${compactUtc(now)}`;
      copyFileSync(target, keptAs);
      for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, keptAs + suffix);
    }
    renameSync(incoming, target);
    return { restored: file, digest, keptAs, integrity };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(incoming + suffix, { force: true });
  }
}

/**
 * The server's own backups: soon after start, then whenever the newest backup
 * is older than the interval. A refusal is logged loudly and recorded (see
 * lastBackupStatus) for /healthz and the console. Returns a stop function.
 */
export function scheduleBackups(db: HeraldDb, options: BackupOptions & { intervalHours: number }, log = console): () => Promise<void> {
  if (options.intervalHours <= 0) return async () => {};
  const intervalMs = options.intervalHours * 60 * 60_000;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    const newest = listBackups(options.dir)[0];
    if (newest && Date.now() - Date.parse(newest.createdAt) < intervalMs) return;
    running = takeBackup(db, options)
      .then((made) => log.log(`Herald: verified backup ${made.file} (${made.size} bytes)`))
      .catch((error: Error) => log.error(`Herald: BACKUP REFUSED: ${error.message}`))
      .finally(() => (running = null));
  };
  const first = setTimeout(tick, 5_000);
  const every = setInterval(tick, Math.min(intervalMs, 10 * 60_000));
  first.unref();
  every.unref();
  // Stopping waits for a backup in progress: cut off, it would look like a failure.
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
