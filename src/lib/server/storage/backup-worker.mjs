// The heavy half of a backup, run in a worker thread so the server's event
// loop keeps answering while it works: the online copy with SQLite's backup
// API (over a connection of its own to the database file), PRAGMA
// integrity_check on the copy, AES-256-GCM encryption and the SHA-256 of the
// file. backup.ts starts it (paths.ts: backupWorkerFile) and keeps the policy:
// names, manifests, rotation, the status file.
//
// Plain JavaScript on purpose: the built server (dist/server) and the CLI and
// tests (tsx) both load this very file from src/, with no TypeScript step.
// backup.ts also imports its functions (restore checks and decrypts in-process).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What an encrypted backup starts with; then the IV, the ciphertext, the GCM tag. */
export const magic = Buffer.from('HERALD-AES256GCM-1\n');
export const ivLength = 12;
export const tagLength = 16;

/**
 * Runs SQLite's full integrity check on a copy; "ok" or the first problems it
 * names. The copy is first made standalone (rollback journal, not WAL), so it
 * is one self-contained file and checking it leaves nothing beside it.
 * @param {string} file
 * @param {boolean} [quick]
 * @returns {string}
 */
export function integrityCheck(file, quick = false) {
  /** @type {import('better-sqlite3').Database | undefined} */
  let copy;
  try {
    copy = new Database(file, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    const rows = /** @type {Record<string, string>[]} */ (copy.pragma(quick ? 'quick_check(5)' : 'integrity_check(5)'));
    // One line: SQLite may report a damaged tree as one multi-line row.
    return rows.map((r) => Object.values(r)[0]).join('; ').replace(/\s*\n\s*/g, ' ');
  } catch (error) {
    return /** @type {Error} */ (error).message;
  } finally {
    copy?.close();
  }
}

/**
 * @param {string} file
 * @returns {Promise<string>}
 */
export async function sha256File(file) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * @param {string} source
 * @param {string} target
 * @param {Buffer} key 32 bytes
 * @returns {Promise<void>}
 */
export async function encryptFile(source, target, key) {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const out = createWriteStream(target);
  out.write(Buffer.concat([magic, iv]));
  await pipeline(createReadStream(source), cipher, out, { end: false }).catch(async (error) => {
    out.destroy();
    throw error;
  });
  await new Promise((resolve, reject) => out.end(cipher.getAuthTag(), () => resolve(undefined)).on('error', reject));
}

/**
 * @typedef {object} CopyJob
 * @property {string} source the live database file
 * @property {string} plain where the unencrypted copy goes (equal to `partial` when there is no key)
 * @property {string} partial the file that enters the rotation once renamed
 * @property {Buffer | Uint8Array | null} key 32 bytes, or null for no encryption
 *
 * @typedef {object} CopyResult
 * @property {string} integrity "ok", or what the check found (then nothing is encrypted or hashed)
 * @property {number} size bytes of `partial`, 0 when the check failed
 * @property {string} sha256 of `partial`, "" when the check failed
 */

/**
 * Copies `source` online into `plain`, checks the copy, and when it passes
 * encrypts it into `partial` (with a key) and hashes `partial`. Leaves the
 * files for the caller to rename or remove.
 * @param {CopyJob} job
 * @returns {Promise<CopyResult>}
 */
export async function copyAndVerify({ source, plain, partial, key }) {
  // Read-only: a backup never writes to the database it copies.
  const live = new Database(source, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    // Every page in one step: this thread may block, and a copy taken in steps
    // starts over whenever the server writes between two of them.
    await live.backup(plain, { progress: () => 0x7fffffff });
  } finally {
    live.close();
  }
  const integrity = integrityCheck(plain);
  if (integrity !== 'ok') return { integrity, size: 0, sha256: '' };
  if (key) await encryptFile(plain, partial, Buffer.from(key));
  return { integrity, size: statSync(partial).size, sha256: await sha256File(partial) };
}

// Started as a worker (backup.ts: runBackupWorker): do the job, answer once.
if (!isMainThread && workerData?.heraldBackup) {
  copyAndVerify(workerData.heraldBackup).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (error) => parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
