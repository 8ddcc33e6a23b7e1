// npm run bench:restore: how long the way back from a disaster takes. Builds a
// database of BENCH_RESTORE_MB (default 1024) with the real schema, takes a
// verified backup (plain and encrypted) and restores each, beside the floor of
// a bare file copy of the same bytes measured in the same run. The target: a
// 1 GB restore in under a minute (the seeds' took a night).
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { incidents, incidentUpdates } from '../../src/db/schema';
import { restoreBackup, takeBackup } from '../../src/lib/server/storage/backup';
import { openDatabase } from '../../src/lib/server/db';

const targetMb = Number(process.env.BENCH_RESTORE_MB ?? 1024);
const folder = mkdtempSync(join(tmpdir(), 'herald-bench-restore-'));
const path = join(folder, 'herald.db');
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

try {
  // Updates with 4 KB bodies, a thousand per incident, until the file is big enough.
  const db = openDatabase(path);
  const body = randomBytes(3072).toString('base64');
  let n = 0;
  while (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < targetMb * 1024 * 1024) {
    db.transaction((tx) => {
      const id = `2025-01-01-bench-${n}`;
      tx.insert(incidents).values({ id, kind: 'incident', title: `Bench ${n}`, impact: 'minor', startedAt: new Date() }).run();
      for (let u = 0; u < 1000; u++) tx.insert(incidentUpdates).values({ incidentId: id, status: 'investigating', body, at: new Date() }).run();
    });
    n++;
  }
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  const size = statSync(path).size;
  console.log(`database                 ${mb(size)} MiB (${n} incidents, ${n * 1000} updates)`);

  let start = process.hrtime.bigint();
  copyFileSync(path, join(folder, 'copy.db'));
  const copySeconds = seconds(start);
  rmSync(join(folder, 'copy.db'));
  console.log(`baseline: bare file copy ${copySeconds.toFixed(1)} s`);

  for (const key of [null, randomBytes(32)]) {
    const label = key ? 'encrypted' : 'plain    ';
    start = process.hrtime.bigint();
    const made = await takeBackup(db, { dir: join(folder, 'backups'), key, keepDaily: 7, keepWeekly: 0 }, new Date(Date.now() + (key ? 1000 : 0)));
    const backupSeconds = seconds(start);
    const target = join(folder, `restored-${key ? 'enc' : 'plain'}.db`);
    copyFileSync(path, target); // a database to replace, as in real life
    start = process.hrtime.bigint();
    await restoreBackup(join(folder, 'backups', made.file), target, key);
    const restoreSeconds = seconds(start);
    console.log(
      `${label} backup ${backupSeconds.toFixed(1)} s, restore ${restoreSeconds.toFixed(1)} s ` +
        `(${(restoreSeconds / copySeconds).toFixed(1)}x the bare copy; target < 60 s for 1 GB: ${restoreSeconds * (1024 / Number(mb(size))) < 60 ? 'met' : 'MISSED'})`,
    );
    for (const f of [target, `${target}.before-restore-`]) rmSync(f, { force: true });
  }
  db.$client.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}
