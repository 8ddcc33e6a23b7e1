// The audit log: every staff write records who did it, to what, and what changed.
// Entries are written inside the action's own transaction, so a write and its
// audit entry land together or not at all.
import { desc, lt } from 'drizzle-orm';
import { auditLog, type AuditRow } from '../../../db/schema';
import type { HeraldDb } from '../db';

/** Who is acting: a console user, an API token, the CLI on the host, or Herald itself. */
export interface Actor {
  label: string;
  userId: number | null;
}

export const systemActor: Actor = { label: 'herald', userId: null };

/**
 * The audit entries that count as changes to what readers see, as an SQL
 * condition: all but the login events (a lock on a staff login, which anyone
 * can cause; a second factor refused or a recovery code used), which nothing
 * public shows. The render cache's version and the mirror pass them by, so a
 * visitor cannot tell from a cache miss that an email is staff's.
 */
export const publishedAuditEntry = "action NOT LIKE 'login.%'";

/** The id of the newest such entry (0 for none), as one SQL query: the content's version, in part. */
export const newestPublishedAuditSql = `SELECT coalesce((SELECT id FROM audit_log WHERE ${publishedAuditEntry} ORDER BY id DESC LIMIT 1), 0)`;

type Writer = Pick<HeraldDb, 'insert'>;

export function recordAudit(
  db: Writer,
  actor: Actor,
  action: string,
  target: string | null,
  detail?: Record<string, unknown>,
  at = new Date(),
): void {
  db.insert(auditLog)
    .values({ at, actor: actor.label, actorUserId: actor.userId, action, target, detail: detail ? JSON.stringify(detail) : null })
    .run();
}

export function readAudit(db: HeraldDb, limit = 200, beforeId?: number): AuditRow[] {
  const query = db.select().from(auditLog);
  return (beforeId ? query.where(lt(auditLog.id, beforeId)) : query).orderBy(desc(auditLog.id)).limit(limit).all();
}
