// The render cache's version: read once per few milliseconds, forgotten at
// once after this server's writes, and another process's writes show soon.
import { expect, it } from 'vitest';
import { recordAudit, systemActor } from '../../src/lib/server/accounts/audit';
import { openDatabase } from '../../src/lib/server/db';
import { contentVersion, forgetContentVersion, versionReuseMs } from '../../src/lib/server/http/render-cache';
import { freshContext } from '../helpers/temp-db';

it('reuses one reading briefly, reads afresh when told of a write, and sees another process write once the reading ages out', () => {
  const { db, path } = freshContext();
  const other = openDatabase(path); // another process's connection (the CLI)
  const t0 = 1_800_000_000_000; // a whole minute, so the minute does not turn within the test
  const first = contentVersion(db, t0);
  recordAudit(other, systemActor, 'test.write', 'x');
  // Within the reuse time the reading stands; afterwards the write shows.
  expect(contentVersion(db, t0 + versionReuseMs - 1)).toBe(first);
  const later = contentVersion(db, t0 + versionReuseMs);
  expect(later).not.toBe(first);
  // This server's own write: forgotten at once.
  recordAudit(db, systemActor, 'test.write', 'y');
  forgetContentVersion(db);
  expect(contentVersion(db, t0 + versionReuseMs + 1)).not.toBe(later);
  // A reading never serves another minute, nor a clock that went back.
  const now = contentVersion(db, t0 + 30_000);
  expect(contentVersion(db, t0 + 60_000)).not.toBe(now);
  recordAudit(other, systemActor, 'test.write', 'z');
  expect(contentVersion(db, t0 + 59_000)).not.toBe(now);
  other.$client.close();
});
