// The one way to the database: open the SQLite file, set the pragmas, apply
// the committed migrations. Everything else receives the HeraldDb this returns.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../db/schema';
import { ConfigError } from '../config';
import { migrationsFolder, resolveFromCwd } from './paths';

export type HeraldDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Opens (creating if needed) and migrates the database at `path`.
 * Problems with the path become a ConfigError naming HERALD_DB.
 */
export function openDatabase(path: string): HeraldDb {
  const file = resolveFromCwd(path);
  let sqlite: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    sqlite = new Database(file);
    // WAL lets readers (the server) and a writer (the CLI) work at once; the
    // busy timeout makes a writer wait for another instead of failing;
    // synchronous=FULL makes every acknowledged commit survive a crash or power cut.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError('HERALD_DB', `cannot open or create the database at ${file} (${reason})`);
  }
  const db = drizzle(sqlite, { schema }) as HeraldDb;
  migrate(db, { migrationsFolder });
  return db;
}
