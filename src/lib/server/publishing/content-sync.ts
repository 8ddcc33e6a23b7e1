// What the server read from content/ (at its start, and at every reload),
// taken into the database.
// The component catalog is copied into tables so live statuses, foreign keys
// and the CLI have rows to point at: names, groups and order follow the file,
// live status stays, and components and groups staff created or edited in the
// console (source 'console') are theirs, so the file no longer changes them.
// And the whole content is kept as the server read it, so the CLI acts on
// the incidents the page shows, not on files the server has not read.
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { startOfLocalDay } from '../../time';
import { componentGroups, components, incidents, incidentTemplates } from '../../../db/schema';
import type { Catalog } from '../../content/catalog';
import { contentFromJson, contentToJson, type Content } from '../../content/index';
import { ContentError } from '../../content/incident-file';
import { deleteSetting, readSetting, writeSetting, type HeraldDb } from '../db';
import { checkSeries } from '../../recurrence';
import { endFileSeriesExcept, followFileSeries } from './maintenance-series';

const servedContentKey = 'served-content';
const contentProblemKey = 'content-problem';
const reloadRequestKey = 'content-reload-request';

/**
 * Takes content into the database: refuses a markdown incident whose id a
 * live incident (or one in the trash) already has, as both would claim the
 * same updates, and a template file whose id a console template has (one
 * would hide the other); syncs the catalog; and keeps the content as read.
 * True when it differs from the content taken in before.
 */
export function syncContent(db: HeraldDb, content: Content): boolean {
  const ids = content.authored.map((a) => a.id);
  const clash = ids.length ? db.select({ id: incidents.id }).from(incidents).where(inArray(incidents.id, ids)).get() : undefined;
  if (clash) {
    const file = content.authored.find((a) => a.id === clash.id)!.filePath;
    throw new ContentError(file, 'id', `"${clash.id}" is already the id of an incident made in the console, the API or the CLI; rename the file`);
  }
  const templateIds = content.templates.map((t) => t.id);
  const saved = templateIds.length ? db.select({ id: incidentTemplates.id }).from(incidentTemplates).where(inArray(incidentTemplates.id, templateIds)).get() : undefined;
  if (saved) {
    const file = content.templates.find((t) => t.id === saved.id)!.filePath!;
    throw new ContentError(file, 'id', `"${saved.id}" is already the id of a template saved in the console; rename the file (or delete that template)`);
  }
  const value = contentToJson(content);
  const before = readSetting(db, servedContentKey);
  // All or nothing: a reload that fails halfway leaves the database as the content still served left it.
  db.transaction(() => {
    syncCatalog(db, content.catalog, content.page.time_zone);
    startFileSeries(db, content);
    writeSetting(db, servedContentKey, value);
  });
  return value !== before;
}

/** Whether the content the server last took in is exactly this. */
export function servesContent(db: HeraldDb, content: Content): boolean {
  return readSetting(db, servedContentKey) === contentToJson(content);
}

/** Why the content folder could not be served as it is: the server keeps the last good content meanwhile. */
export interface ContentProblem {
  /** The file and field at fault, when the reader could say (`content/incidents/x.md`, `updates[2].status`). */
  file: string | null;
  field: string | null;
  message: string;
  /** When the server found it, ISO 8601. */
  at: string;
}

/** "content/incidents/x.md: updates[2].status: …", or the message alone when no file is to blame. */
export function describeContentProblem(problem: ContentProblem): string {
  return [problem.file, problem.field, problem.message].filter(Boolean).join(': ');
}

/** Kept in the database, so the CLI (`herald reload`) sees what the server found. */
export function recordContentProblem(db: HeraldDb, problem: ContentProblem | null): void {
  if (!problem) {
    deleteSetting(db, contentProblemKey);
    return;
  }
  writeSetting(db, contentProblemKey, JSON.stringify(problem));
}

export function readContentProblem(db: HeraldDb): ContentProblem | null {
  const value = readSetting(db, contentProblemKey);
  return value ? (JSON.parse(value) as ContentProblem) : null;
}

/** Asks the running server to read content/ again (`herald reload`); it looks every second. */
export function requestContentReload(db: HeraldDb, at = Date.now()): void {
  writeSetting(db, reloadRequestKey, String(at));
}

/** When a reload was last asked for (ms), 0 if never. */
export function contentReloadRequestedAt(db: HeraldDb): number {
  return Number(readSetting(db, reloadRequestKey) ?? 0);
}

/** The content the server last started with, or null before any has. */
export function servedContent(db: HeraldDb): Content | null {
  const value = readSetting(db, servedContentKey);
  return value ? contentFromJson(value) : null;
}

export function syncCatalog(db: HeraldDb, catalog: Catalog, timeZone = 'UTC'): void {
  db.transaction((tx) => {
    for (const group of catalog.groups) {
      tx.insert(componentGroups)
        .values(group)
        .onConflictDoUpdate({
          target: componentGroups.id,
          set: { name: group.name, position: group.position },
          setWhere: eq(componentGroups.source, 'file'),
        })
        .run();
    }
    for (const { since, ...c } of catalog.components) {
      // `since` in the file is when it is watched from (midnight in the page's zone): its creation, as far as uptime is concerned.
      const createdAt = since ? { createdAt: startOfLocalDay(since, timeZone) } : {};
      tx.insert(components)
        .values({ ...c, ...createdAt, listed: true })
        .onConflictDoUpdate({
          target: components.id,
          set: {
            name: c.name,
            description: c.description,
            groupId: c.groupId,
            position: c.position,
            listed: true,
            ...createdAt,
          },
          setWhere: eq(components.source, 'file'),
        })
        .run();
    }
    // Components that left the file keep their history but are no longer shown.
    const ids = catalog.components.map((c) => c.id);
    tx.update(components)
      .set({ listed: false })
      .where(and(eq(components.source, 'file'), ids.length ? notInArray(components.id, ids) : sql`1`))
      .run();
    const groupIds = catalog.groups.map((g) => g.id);
    tx.delete(componentGroups)
      .where(and(eq(componentGroups.source, 'file'), groupIds.length ? notInArray(componentGroups.id, groupIds) : sql`1`))
      .run();
  });
}

/**
 * Markdown maintenance with `recurrence:` is a series whose first window is
 * the file, and which follows the file's rule at each start. The rule must
 * give the file's window as its first start in the page's zone, as for a
 * series scheduled live.
 */
function startFileSeries(db: HeraldDb, content: Content): void {
  const timeZone = content.page.time_zone;
  const repeating: string[] = [];
  for (const file of content.authored) {
    if (!file.recurrence || !file.scheduledFor || !file.scheduledUntil) continue;
    const checked = checkSeries(file.recurrence, file.scheduledFor, timeZone);
    if (!checked.ok) throw new ContentError(file.filePath, 'recurrence', checked.reason);
    followFileSeries(db, { id: file.id, rule: checked.rule, timeZone, firstStart: file.scheduledFor, durationMs: file.scheduledUntil.getTime() - file.scheduledFor.getTime() }, new Date());
    repeating.push(file.id);
  }
  // A file that no longer repeats (or is gone) is no series: its windows planned so far stay, each on its own.
  endFileSeriesExcept(db, repeating);
}
