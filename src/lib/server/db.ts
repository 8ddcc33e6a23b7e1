// The one way to the database: open the SQLite file, set the pragmas, apply
// the committed migrations. Everything else receives the HeraldDb this returns.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../db/schema';
import { ConfigError } from '../config';
import { migrationsFolder, resolveFromCwd } from './paths';

const damaged = (file: string, problems: string) =>
  new ConfigError(
    'HERALD_DB',
    `the database at ${file} fails its integrity check (${problems}). Keep this file, then restore the last good backup: npx herald backup list, then npx herald restore FILE`,
  );

export type HeraldDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Opens (creating if needed) and migrates the database at `path`.
 * Problems with the path become a ConfigError naming HERALD_DB. With
 * `quickCheck` (the server and the worker at start), a damaged file stops
 * everything with the recovery command instead of serving wrong data.
 */
export function openDatabase(path: string, { quickCheck = false } = {}): HeraldDb {
  const file = resolveFromCwd(path);
  let sqlite: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    sqlite = new Database(file);
    // WAL lets readers (the server) and a writer (the CLI) work at once; the
    // busy timeout makes a writer wait for another instead of failing;
    // synchronous=FULL makes every acknowledged commit survive a crash or power
    // cut (NORMAL in WAL mode could lose the last commits on power loss).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    if (quickCheck) {
      const problems = (sqlite.pragma('quick_check(3)') as Record<string, string>[]).map((r) => Object.values(r)[0]).join('; ').replace(/\s*\n\s*/g, ' '); // one line, however SQLite words it
      if (problems !== 'ok') {
        sqlite.close();
        throw damaged(file, problems);
      }
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (reason === 'SQLITE_CORRUPT' || reason === 'SQLITE_NOTADB') throw damaged(file, (error as Error).message);
    throw new ConfigError('HERALD_DB', `cannot open or create the database at ${file} (${reason})`);
  }
  const db = drizzle(sqlite, { schema }) as HeraldDb;
  migrate(db, { migrationsFolder });
  return db;
}

/** A value of the settings table (what Herald keeps for itself, by key); undefined when unset. */
export function readSetting(db: HeraldDb, key: string): string | undefined {
  return db.select({ value: schema.settings.value }).from(schema.settings).where(eq(schema.settings.key, key)).get()?.value;
}

/** Sets a value of the settings table, replacing what the key held. */
export function writeSetting(db: HeraldDb, key: string, value: string): void {
  db.insert(schema.settings).values({ key, value }).onConflictDoUpdate({ target: schema.settings.key, set: { value } }).run();
}

/** Unsets a key of the settings table. */
export function deleteSetting(db: HeraldDb, key: string): void {
  db.delete(schema.settings).where(eq(schema.settings.key, key)).run();
}
