// A full disk. Every write then fails with SQLITE_FULL (files with ENOSPC),
// while reads and the page go on working. Herald says so once, plainly, in
// each place someone looks: the API answers 503 in JSON, console forms come
// back with what was typed, /healthz reports `degraded` with the reason, the
// console shows a banner, the CLI prints one line, and the log gets one line
// a minute instead of a stack trace per request.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Below this much free space on the database's disk, /healthz and the console warn before writes fail. */
export const lowDiskBytes = 64 * 1024 * 1024;

/** What staff and API clients read when a write could not be saved. */
export const storageFullMessage =
  "Nothing was saved: the disk holding Herald's database is full. Free space on it (old backups, logs), then try again.";

const fullCodes = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** Whether `error` (or what caused it) is a full disk or quota. */
export function isStorageFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (fullCodes.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

/** A size as people read it: 512.0 KiB, 3.4 MiB, 12.0 GiB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * One per runtime (the server's request handling and its delivery worker
 * share it): remembers the last write that failed for want of space, for the
 * quota case where the disk itself still reports room.
 */
export class StorageHealth {
  private lastFullAt = 0;
  private lastLoggedAt = 0;

  constructor(
    private readonly databasePath: string,
    private readonly log: Pick<Console, 'error'> = console,
  ) {}

  /** A write just failed for want of space: remembered, and logged at most once a minute. */
  noteFull(now = Date.now()): void {
    this.lastFullAt = now;
    if (now - this.lastLoggedAt < 60_000) return;
    this.lastLoggedAt = now;
    this.log.error('Herald: writes are failing: the disk holding the database is full. Nothing is saved until there is space (logged once a minute).');
  }

  /** A write went through: whatever filled the disk has been dealt with. */
  noteWritten(): void {
    this.lastFullAt = 0;
  }

  /** Why writes fail or soon will, in one sentence; null when there is room. */
  problem(now = Date.now()): string | null {
    const free = freeBytes(this.databasePath);
    if (free !== null && free < 1024 * 1024) return `the disk holding the database is full (${formatBytes(free)} free): writes fail`;
    if (now - this.lastFullAt < 60_000) return 'a write failed in the last minute because the disk holding the database is full';
    if (free !== null && free < lowDiskBytes) return `the disk holding the database has only ${formatBytes(free)} free: writes will soon fail`;
    return null;
  }
}

/** Free bytes on the disk holding `file` (for an unprivileged process), or null when the system cannot say. */
export function freeBytes(file: string): number | null {
  try {
    const stats = statfsSync(dirname(file));
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}
