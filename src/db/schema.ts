// The SQLite schema: the live side of Herald. Authored history lives in content/;
// this holds the component catalog as last synced, live component status, and
// incidents and updates posted by staff. SQL names snake_case, TS names camelCase.
// Times are UTC instants stored as integer milliseconds.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { componentStatuses, incidentImpacts, incidentKinds, type UpdateStatus } from './constants';

const instant = (name: string) => integer(name, { mode: 'timestamp_ms' });
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const componentGroups = sqliteTable('component_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  position: integer('position').notNull().default(0),
});

export const components = sqliteTable('components', {
  /** Slug from content/components.yml; stable forever. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  groupId: text('group_id').references(() => componentGroups.id, { onDelete: 'set null' }),
  position: integer('position').notNull().default(0),
  status: text('status', { enum: componentStatuses }).notNull().default('operational'),
  /** False when the component has left the catalog: kept for history, not shown. */
  listed: integer('listed', { mode: 'boolean' }).notNull().default(true),
  createdAt: instant('created_at').notNull().default(now),
  updatedAt: instant('updated_at').notNull().default(now),
});

/** Every change of a component's live status, so uptime can count outages set without an incident. */
export const componentStatusLog = sqliteTable(
  'component_status_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status', { enum: componentStatuses }).notNull(),
    at: instant('at').notNull(),
    /** The incident or maintenance that caused the change, if any. */
    incidentId: text('incident_id'),
  },
  (t) => [index('component_status_log_component_at').on(t.componentId, t.at)],
);

/** Incidents and maintenance created live (console, API, CLI). Markdown-authored ones live in content/. */
export const incidents = sqliteTable(
  'incidents',
  {
    /** Slug, e.g. 2026-11-02-webmail-slow; unique across markdown and database. */
    id: text('id').primaryKey(),
    kind: text('kind', { enum: incidentKinds }).notNull(),
    title: text('title').notNull(),
    impact: text('impact', { enum: incidentImpacts }).notNull(),
    startedAt: instant('started_at').notNull(),
    /** Maintenance window, for kind = maintenance. */
    scheduledFor: instant('scheduled_for'),
    scheduledUntil: instant('scheduled_until'),
    createdAt: instant('created_at').notNull().default(now),
  },
  (t) => [index('incidents_started_at').on(t.startedAt)],
);

/**
 * Components an incident affects, with the status it gives each one now. Like
 * updates, a row may belong to a markdown incident, so incident_id has no foreign key.
 */
export const incidentComponents = sqliteTable(
  'incident_components',
  {
    incidentId: text('incident_id').notNull(),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status', { enum: componentStatuses }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.componentId] })],
);

/**
 * The live timeline. incident_id names a database incident or a markdown one
 * (content/incidents/<id>.md), so it has no foreign key; the domain checks it.
 */
export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: text('incident_id').notNull(),
    status: text('status').$type<UpdateStatus>().notNull(),
    /** Markdown source, rendered and sanitized on display. */
    body: text('body').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [index('incident_updates_incident_at').on(t.incidentId, t.at), index('incident_updates_at').on(t.at)],
);

export type ComponentRow = typeof components.$inferSelect;
export type ComponentGroupRow = typeof componentGroups.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type IncidentUpdateRow = typeof incidentUpdates.$inferSelect;
export type IncidentComponentRow = typeof incidentComponents.$inferSelect;
export type ComponentStatusLogRow = typeof componentStatusLog.$inferSelect;
