// A fresh SQLite file with the real migrations and the example catalog, per test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readContentFolder } from '../../src/lib/content/index';
import { syncCatalog } from '../../src/lib/server/publishing/content-sync';
import { openDatabase } from '../../src/lib/server/db';
import { contentFolder } from '../../src/lib/server/paths';
import type { LogContext } from '../../src/lib/server/publishing/staff-actions';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'herald-test-'));
}

export function freshContext(): LogContext & { path: string } {
  const path = join(tempDir(), 'herald.db');
  const db = openDatabase(path);
  const content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  return { db, authored: content.authored, path };
}
