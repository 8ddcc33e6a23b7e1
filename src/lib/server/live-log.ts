// Reads of the live side: components as synced, and the incident log.
import { asc, eq } from 'drizzle-orm';
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

export function readLiveLog(db: HeraldDb): LiveLog {
  return {
    incidents: db.select().from(incidents).all(),
    components: db.select().from(incidentComponents).all(),
    updates: db.select().from(incidentUpdates).all(),
  };
}

export function readStatusLog(db: HeraldDb): ComponentStatusLogRow[] {
  return db.select().from(componentStatusLog).orderBy(asc(componentStatusLog.at)).all();
}
