// Reads of the live side: components as synced, and the incident log.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import {
  componentGroups,
  components,
  componentStatusLog,
  incidentComponents,
  incidents,
  incidentUpdates,
  type ComponentStatusLogRow,
} from '../../db/schema';
import type { Component, ComponentGroup } from '../model';
import type { LiveLog } from '../timeline';
import type { HeraldDb } from './db';

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
