// Reads of the live side: components as synced, and the incident log.
import { and, asc, desc, eq, gte, isNotNull, isNull, or, sql, type SQLWrapper } from 'drizzle-orm';
import {
  componentGroups,
  components,
  componentStatusLog,
  incidentComponents,
  incidents,
  incidentUpdates,
  translations,
  uptimeCorrections,
  type ComponentStatusLogRow,
  type IncidentRow,
} from '../../../db/schema';
import type { AuthoredIncident } from '../../content/incident-file';
import type { Component, ComponentGroup, Incident } from '../../model';
import { byNewestStart, mergeTimeline, type LiveLog } from '../../timeline';
import type { HeraldDb } from '../db';

/** Listed components in display order. */
export function readComponents(db: HeraldDb): Component[] {
  return reads(db).components.all();
}

/** Groups in display order, without their components (see groupComponents). */
export function readGroups(db: HeraldDb): Omit<ComponentGroup, 'components'>[] {
  return reads(db).groups.all();
}

/** The log as readers see it: what is in the trash is left out (src/lib/server/storage/trash.ts). */
export function readLiveLog(db: HeraldDb): LiveLog {
  return {
    incidents: db.select().from(incidents).where(isNull(incidents.deletedAt)).all(),
    components: db.select().from(incidentComponents).all(),
    updates: db.select().from(incidentUpdates).where(isNull(incidentUpdates.deletedAt)).all(),
    statusChanges: db.select().from(componentStatusLog).where(isNotNull(componentStatusLog.incidentId)).all(),
    translations: db.select().from(translations).all(),
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

/**
 * The reads every page makes, prepared once per database: building and
 * preparing a drizzle query cost about three times running it. Lists of ids
 * go in as one JSON array (`json_each`), so one statement serves any number.
 */
function prepareReads(db: HeraldDb) {
  const since = sql.placeholder('since');
  const idsIn = (column: SQLWrapper) => sql`${column} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`;
  const ofKind = and(eq(incidents.kind, sql.placeholder('kind')), isNull(incidents.deletedAt));
  return {
    components: db
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
      .prepare(),
    groups: db.select().from(componentGroups).orderBy(asc(componentGroups.position)).prepare(),
    // Live incidents and maintenance still open, outside the trash, through the closed_at index.
    openIncidents: db.select().from(incidents).where(and(isNull(incidents.closedAt), isNull(incidents.deletedAt))).prepare(),
    // These incidents, outside the trash.
    incidentsIn: db.select().from(incidents).where(and(idsIn(incidents.id), isNull(incidents.deletedAt))).prepare(),
    // The newest `limit` of a kind by start, and all of that kind that started since (the ties at the edge).
    newestOfKind: db.select().from(incidents).where(ofKind).orderBy(desc(incidents.startedAt)).limit(sql.placeholder('limit')).prepare(),
    ofKindSince: db.select().from(incidents).where(and(ofKind, sql`${incidents.startedAt} >= ${since}`)).prepare(),
    startedSince: db.select().from(incidents).where(and(isNull(incidents.deletedAt), sql`${incidents.startedAt} >= ${since}`)).prepare(),
    newestStarted: db.select().from(incidents).where(isNull(incidents.deletedAt)).orderBy(desc(incidents.startedAt)).limit(1).prepare(),
    // One incident by id, outside the trash.
    incidentById: db.select().from(incidents).where(and(eq(incidents.id, sql.placeholder('id')), isNull(incidents.deletedAt))).prepare(),
    // Those that started by `now`, oldest first, a batch at a time (where the history begins).
    oldestStarted: db
      .select()
      .from(incidents)
      .where(and(isNull(incidents.deletedAt), sql`${incidents.startedAt} <= ${sql.placeholder('now')}`))
      .orderBy(asc(incidents.startedAt), asc(incidents.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(),
    // Those that overlap a month [from, until), chosen on the (started_at, closed_at) and closed_at indexes
    // before any row is read: begun in it or up to `earliest` before and open at its start; begun before
    // `earliest` and closed in it or by `closedBy`; or begun before `earliest` and still open.
    overlapping: db
      .select()
      .from(incidents)
      .where(
        and(
          isNull(incidents.deletedAt),
          sql`${incidents.id} IN (
            SELECT id FROM incidents INDEXED BY incidents_started_closed
            WHERE started_at >= ${sql.placeholder('earliest')} AND started_at < ${sql.placeholder('until')} AND (closed_at IS NULL OR closed_at >= ${sql.placeholder('from')})
            UNION
            SELECT id FROM incidents WHERE closed_at >= ${sql.placeholder('from')} AND closed_at < ${sql.placeholder('closedBy')} AND started_at < ${sql.placeholder('earliest')}
            UNION
            SELECT id FROM incidents WHERE closed_at IS NULL AND started_at < ${sql.placeholder('earliest')})`,
        ),
      )
      .prepare(),
    // Those that started in [from, until), through the started_at index.
    startedBetween: db
      .select()
      .from(incidents)
      .where(and(isNull(incidents.deletedAt), sql`${incidents.startedAt} >= ${sql.placeholder('from')}`, sql`${incidents.startedAt} < ${sql.placeholder('until')}`))
      .prepare(),
    // Live updates newest first, a page at a time, through the `at` index.
    newestUpdates: db
      .select({ incidentId: incidentUpdates.incidentId, at: incidentUpdates.at })
      .from(incidentUpdates)
      .where(isNull(incidentUpdates.deletedAt))
      .orderBy(desc(incidentUpdates.at))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(),
    recentIncidents: db
      .select()
      .from(incidents)
      .where(
        and(
          isNull(incidents.deletedAt),
          or(
            sql`${incidents.startedAt} >= ${since}`,
            isNull(incidents.closedAt),
            // Plain, not DISTINCT: SQLite reads the window through the `at` index.
            sql`${incidents.id} IN (SELECT ${incidentUpdates.incidentId} FROM ${incidentUpdates} WHERE ${incidentUpdates.at} >= ${since} AND ${incidentUpdates.deletedAt} IS NULL)`,
          ),
        ),
      )
      .prepare(),
    // In the table's own order, as the full read returns them (the index would order them by id).
    incidentComponents: db.select().from(incidentComponents).where(idsIn(incidentComponents.incidentId)).orderBy(sql`rowid`).prepare(),
    updates: db
      .select()
      .from(incidentUpdates)
      .where(and(idsIn(incidentUpdates.incidentId), isNull(incidentUpdates.deletedAt)))
      .prepare(),
    statusChanges: db.select().from(componentStatusLog).where(idsIn(componentStatusLog.incidentId)).prepare(),
    // Through the primary key, whose first column is the incident.
    translations: db.select().from(translations).where(idsIn(translations.incidentId)).prepare(),
    // Which of these incidents have this component (every live change to one adds it: staff-actions.ts).
    touching: db
      .select({ id: incidentComponents.incidentId })
      .from(incidentComponents)
      .where(and(eq(incidentComponents.componentId, sql.placeholder('component')), idsIn(incidentComponents.incidentId)))
      .prepare(),
    // Components' own changes (no incident) since, through the (incident_id, at) index.
    ownSince: db
      .select()
      .from(componentStatusLog)
      .where(and(isNull(componentStatusLog.incidentId), sql`${componentStatusLog.at} >= ${since}`))
      .prepare(),
    ownBetween: db
      .select()
      .from(componentStatusLog)
      .where(and(isNull(componentStatusLog.incidentId), sql`${componentStatusLog.at} >= ${sql.placeholder('from')}`, sql`${componentStatusLog.at} < ${sql.placeholder('until')}`))
      .prepare(),
    // And each component's last own change before, still in force then: one seek per component.
    ownBefore: db
      .select()
      .from(componentStatusLog)
      .where(
        sql`${componentStatusLog.id} IN (SELECT (SELECT p.id FROM ${componentStatusLog} p WHERE p.component_id = c.id AND p.incident_id IS NULL AND p.at < ${since} ORDER BY p.at DESC LIMIT 1) FROM ${components} c)`,
      )
      .prepare(),
    // Staff's uptime corrections from a local day on, of every component or one, through the day index.
    correctionsSince: db.select().from(uptimeCorrections).where(gte(uptimeCorrections.day, sql.placeholder('day'))).prepare(),
    correctionsOfSince: db
      .select()
      .from(uptimeCorrections)
      .where(and(gte(uptimeCorrections.day, sql.placeholder('day')), eq(uptimeCorrections.componentId, sql.placeholder('component'))))
      .prepare(),
  };
}

const preparedReads = new WeakMap<HeraldDb, ReturnType<typeof prepareReads>>();

/** The prepared reads of this database (queries.ts runs them too). */
export function reads(db: HeraldDb): ReturnType<typeof prepareReads> {
  let prepared = preparedReads.get(db);
  if (!prepared) {
    prepared = prepareReads(db);
    preparedReads.set(db, prepared);
  }
  return prepared;
}

/** Everything live about these incident ids (markdown or live), as the full read sees it: trash left out. */
function readLogFor(db: HeraldDb, liveRows: LiveLog['incidents'], ids: string[]): LiveLog {
  if (ids.length === 0) return { incidents: liveRows, components: [], updates: [], statusChanges: [], translations: [] };
  const read = reads(db);
  const list = { ids: JSON.stringify(ids) };
  return {
    incidents: liveRows,
    components: read.incidentComponents.all(list),
    updates: read.updates.all(list),
    statusChanges: read.statusChanges.all(list),
    translations: read.translations.all(list),
  };
}

/** Incidents merged (newest start first), with the status changes they made. */
export interface MergedRead {
  incidents: Incident[];
  statusChanges: ComponentStatusLogRow[];
}

interface KeptMerge {
  row: IncidentRow;
  incident: Incident;
  statusChanges: ComponentStatusLogRow[];
}

/** Closed live incidents as last merged, by id, per database; cleared past keptMergeLimit. */
const keptMerges = new WeakMap<HeraldDb, Map<string, KeptMerge>>();
const keptMergeLimit = 5_000;

const sameInstant = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/** The same row, column for column: the revision stands for everything under it. */
function sameRow(a: IncidentRow, b: IncidentRow): boolean {
  return (
    a.revision === b.revision &&
    a.title === b.title &&
    a.kind === b.kind &&
    a.impact === b.impact &&
    sameInstant(a.startedAt, b.startedAt) &&
    sameInstant(a.scheduledFor, b.scheduledFor) &&
    sameInstant(a.scheduledUntil, b.scheduledUntil) &&
    sameInstant(a.createdAt, b.createdAt) &&
    sameInstant(a.deletedAt, b.deletedAt) &&
    sameInstant(a.closedAt, b.closedAt)
  );
}

/**
 * These live rows and markdown files merged with everything live about them
 * (timeline.ts). A closed live incident merged before is taken as it was while
 * its row is unchanged: the row's revision counts every change to its updates,
 * components and status changes (triggers, migration 0010), and a closed
 * incident's merge does not depend on the clock. So only open, new and changed
 * incidents are read and merged: after a write, the next render of a page
 * pays for what changed, not for its whole window. Callers must not change
 * what they are given (nothing does: views present).
 */
export function readMerged(db: HeraldDb, authored: AuthoredIncident[], liveRows: LiveLog['incidents'], now: Date): MergedRead {
  let kept = keptMerges.get(db);
  if (!kept) keptMerges.set(db, (kept = new Map()));
  const markdownIds = new Set(authored.map((a) => a.id));
  const reused: KeptMerge[] = [];
  const toRead: LiveLog['incidents'] = [];
  for (const row of liveRows) {
    const known = kept.get(row.id);
    if (known && sameRow(known.row, row) && !markdownIds.has(row.id)) reused.push(known);
    else toRead.push(row);
  }
  const log = readLogFor(db, toRead, [...new Set([...toRead.map((r) => r.id), ...markdownIds])]);
  const merged = mergeTimeline(authored, log, now);
  const closed = toRead.filter((row) => row.closedAt !== null && !markdownIds.has(row.id));
  if (closed.length) {
    if (kept.size + closed.length > keptMergeLimit) kept.clear();
    const liveMerged = new Map(merged.filter((i) => i.source === 'live').map((i) => [i.id, i]));
    const changesOf = new Map<string, ComponentStatusLogRow[]>();
    for (const change of log.statusChanges) {
      const list = changesOf.get(change.incidentId!);
      if (list) list.push(change);
      else changesOf.set(change.incidentId!, [change]);
    }
    for (const row of closed) kept.set(row.id, { row, incident: liveMerged.get(row.id)!, statusChanges: changesOf.get(row.id) ?? [] });
  }
  if (reused.length === 0) return { incidents: merged, statusChanges: log.statusChanges };
  return {
    incidents: [...merged, ...reused.map((k) => k.incident)].sort(byNewestStart),
    statusChanges: [...log.statusChanges, ...reused.flatMap((k) => k.statusChanges)],
  };
}

/** What a page about the recent past shows, read through indexes: its cost does not grow with the history. */
export interface RecentTimeline {
  incidents: Incident[];
  /** The status changes behind the uptime bars, oldest first. */
  statusLog: ComponentStatusLogRow[];
}

/**
 * The timeline since `since`: live incidents that started since, are still
 * open, or have an update since, and the markdown ones given, merged; and the
 * status changes that shape the uptime bars from `since` on: those of the
 * incidents read, and each component's own changes since, with the last one
 * before `since` that was still in force.
 */
export function readRecentTimeline(db: HeraldDb, since: Date, authored: AuthoredIncident[], now: Date): RecentTimeline {
  const at = since.getTime();
  const merged = readMerged(db, authored, reads(db).recentIncidents.all({ since: at }), now);
  return { incidents: merged.incidents, statusLog: withOwnChanges(db, merged.statusChanges, at) };
}

/**
 * readRecentTimeline for one component's page: only the incidents that have
 * it (those of the window with an incident_components row for it, which every
 * live change to a component adds, and markdown files that name it), and
 * only its status changes for the bar. Its cost follows that component's
 * window, not the whole page's.
 */
export function readRecentTimelineOf(db: HeraldDb, since: Date, componentId: string, authored: AuthoredIncident[], now: Date): RecentTimeline {
  const read = reads(db);
  const at = since.getTime();
  const window = read.recentIncidents.all({ since: at });
  const touching = new Set(
    read.touching.all({ component: componentId, ids: JSON.stringify([...window.map((i) => i.id), ...authored.map((a) => a.id)]) }).map((r) => r.id),
  );
  const files = authored.filter((a) => touching.has(a.id) || a.components.some((c) => c.id === componentId));
  const merged = readMerged(db, files, window.filter((i) => touching.has(i.id)), now);
  return {
    incidents: merged.incidents.filter((i) => i.components.some((c) => c.id === componentId)),
    statusLog: withOwnChanges(db, merged.statusChanges, at).filter((c) => c.componentId === componentId),
  };
}

/** Incident-made changes with the components' own (from `since`, and the last before it), oldest first. */
function withOwnChanges(db: HeraldDb, incidentChanges: ComponentStatusLogRow[], since: number): ComponentStatusLogRow[] {
  const read = reads(db);
  return [...incidentChanges, ...read.ownBefore.all({ since }), ...read.ownSince.all({ since })].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
}
