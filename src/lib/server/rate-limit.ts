// Fixed-window rate limits kept in SQLite, so a restart does not reset them.
import { eq } from 'drizzle-orm';
import { rateLimits } from '../../db/schema';
import type { HeraldDb } from './db';

/** Counts one hit on `key`; false when that makes more than `limit` in the current window. */
export function allowHit(db: HeraldDb, key: string, limit: number, windowMs: number, now = new Date()): boolean {
  return db.transaction((tx) => {
    const row = tx.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
    const fresh = !row || now.getTime() - row.windowStart.getTime() >= windowMs;
    const count = fresh ? 1 : row.count + 1;
    const windowStart = fresh ? now : row.windowStart;
    tx.insert(rateLimits)
      .values({ key, count, windowStart })
      .onConflictDoUpdate({ target: rateLimits.key, set: { count, windowStart } })
      .run();
    return count <= limit;
  });
}
