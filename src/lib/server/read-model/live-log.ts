// Reads of the live side: components as synced, and the incident log.
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import {
  componentGroups,
  components,
  componentStatusLog,
  incidentComponents,
  incidents,
  incidentUpdates,
  type ComponentStatusLogRow,
} from '../../../db/schema';
import type { Component, ComponentGroup } from '../../model';
import type { LiveLog } from '../../timeline';
import type { HeraldDb } from '../db';

/** Listed components in display order. */
export function readComponents(db: HeraldDb): Component[] {
  return db
    .select({
      id: components.id,
      name: components.name,
      description: components.description,
      groupId: components.groupId,
      position: components.position,
      status: components.status,
      createdAt: components.createdAt,
      updatedAt: components.updatedAt,
    })
    .from(components)
    .where(eq(components.listed, true))
    .orderBy(asc(components.position))
    .all();
}

/** Groups in display order, without their components (see groupComponents). */
export function readGroups(db: HeraldDb): Omit<ComponentGroup, 'components'>[] {
  return db.select().from(componentGroups).orderBy(asc(componentGroups.position)).all();
}

/** The log as readers see it: what is in the trash is left out (src/lib/server/trash.ts). */
export function readLiveLog(db: HeraldDb): LiveLog {
  return {
    incidents: db.select().from(incidents).where(isNull(incidents.deletedAt)).all(),
    components: db.select().from(incidentComponents).all(),
    updates: db.select().from(incidentUpdates).where(isNull(incidentUpdates.deletedAt)).all(),
    statusChanges: db.select().from(componentStatusLog).where(isNotNull(componentStatusLog.incidentId)).all(),
  };
}

/** Status changes, oldest first; those a trashed incident made do not count. */
export function readStatusLog(db: HeraldDb): ComponentStatusLogRow[] {
  return db
    .select()
    .from(componentStatusLog)
    .where(sql`${componentStatusLog.incidentId} IS NULL OR ${componentStatusLog.incidentId} NOT IN (SELECT ${incidents.id} FROM ${incidents} WHERE ${incidents.deletedAt} IS NOT NULL)`)
    .orderBy(asc(componentStatusLog.at))
    .all();
}

/** What a page about the recent past needs, read through indexes: its cost does not grow with the history. */
export interface RecentLog {
  log: LiveLog;
  statusLog: ComponentStatusLogRow[];

}

/**
 * The live log since `since`: live incidents that started since, are still
 * open, or have an update since; everything live about the markdown incidents
 * named; and the status changes that shape the uptime bars from `since` on:
 * those of the incidents read, and each component's own changes since, with
 * the last one before `since` that was still in force.
 */
export function readRecentLog(db: HeraldDb, since: Date, authoredIds: string[]): RecentLog {
  // Not DISTINCT: SQLite would then walk the whole table in incident order; plain, it reads the window through the `at` index.
  const touchedSince = new Set(
    db
      .select({ id: incidentUpdates.incidentId })
      .from(incidentUpdates)
      .where(and(gte(incidentUpdates.at, since), isNull(incidentUpdates.deletedAt)))
      .all()
      .map((r) => r.id),
  );
  const live = db
    .select()
    .from(incidents)
    .where(and(isNull(incidents.deletedAt), or(gte(incidents.startedAt, since), isNull(incidents.closedAt), inArray(incidents.id, [...touchedSince]))))
    .all();
  const ids = [...new Set([...live.map((i) => i.id), ...authoredIds])];
  const statusChanges = db.select().from(componentStatusLog).where(inArray(componentStatusLog.incidentId, ids)).all();
  const statusLog = [
    ...statusChanges,
    ...readComponentIds(db).flatMap((componentId) => {
      const own = and(eq(componentStatusLog.componentId, componentId), isNull(componentStatusLog.incidentId));
      const before = db.select().from(componentStatusLog).where(and(own, lt(componentStatusLog.at, since))).orderBy(desc(componentStatusLog.at)).limit(1).all();
      return [...before, ...db.select().from(componentStatusLog).where(and(own, gte(componentStatusLog.at, since))).all()];
    }),
  ].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  return {
    log: {
      incidents: live,
      // In the table's own order, as the full read returns them (the index would order them by id).
      components: db.select().from(incidentComponents).where(inArray(incidentComponents.incidentId, ids)).orderBy(sql`rowid`).all(),
      updates: db
        .select()
        .from(incidentUpdates)
        .where(and(inArray(incidentUpdates.incidentId, ids), isNull(incidentUpdates.deletedAt)))
        .all(),
      statusChanges,
    },
    statusLog,
  };
}

function readComponentIds(db: HeraldDb): string[] {
  return db.select({ id: components.id }).from(components).all().map((c) => c.id);
}
