// Fixed-window rate limits kept in SQLite, so a restart does not reset them.
// Keys name people (a client address, a subscriber's email): only their hash
// is stored, so the table holds no personal data.
import { eq } from 'drizzle-orm';
import { rateLimits } from '../../../db/schema';
import type { HeraldDb } from '../db';
import { sha256 } from '../secrets';

/** Counts one hit on `name`; false when that makes more than `limit` in the current window. */
export function allowHit(db: HeraldDb, name: string, limit: number, windowMs: number, now = new Date()): boolean {
  const key = sha256(name);
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
