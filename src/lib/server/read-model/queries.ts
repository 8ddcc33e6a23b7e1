// Named reads, one per need: each reads through indexes only what its route
// shows, then merges it exactly as the full read (status-page.ts) would.
// An unknown id or month is decided by a primary-key or index lookup (or the
// in-memory list of markdown ids) before anything is merged.
import { and, asc, desc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import { incidentComponents, incidents, incidentUpdates, maintenanceSeries } from '../../../db/schema';
import { isClosedStatus } from '../../../db/constants';
import type { AuthoredIncident } from '../../content/incident-file';
import { monthArchive, pastEvents, type MonthArchive } from '../../history';
import type { Component, Incident, MaintenanceSeries } from '../../model';
import { addDays, addMonths, localDay, monthOf, startOfLocalDay } from '../../time';
import { currentComponentStatuses, pageStatus, type PageStatus } from '../../status';
import { isOpen, type LiveLog } from '../../timeline';
import { collectOutages, monthlyUptime, type MonthReport } from '../../uptime';
import type { HeraldDb } from '../db';
import { feedItemLimit } from '../../feed';
import { listedComponentExists } from './exists';
import { readComponents, readMerged, readRecentTimeline, readRecentTimelineOf, reads } from './live-log';
import { readSections, readUptimeCorrections, type ApiView, type StatusPage } from './status-page';
import type { Runtime } from '../runtime';

const DAY_MS = 86_400_000;

/** Markdown incidents by id, built once per content list. */
const authoredIndex = new WeakMap<AuthoredIncident[], Map<string, AuthoredIncident[]>>();

function authoredById(authored: AuthoredIncident[]): Map<string, AuthoredIncident[]> {
  let index = authoredIndex.get(authored);
  if (!index) {
    index = new Map();
    for (const file of authored) index.set(file.id, [...(index.get(file.id) ?? []), file]);
    authoredIndex.set(authored, index);
  }
  return index;
}

/** The two sources, as the server (Runtime) and the CLI (LogContext) both hold them. */
export interface Sources {
  db: HeraldDb;
  authored: AuthoredIncident[];
}

/**
 * The recent read's incidents (status-page.ts, 90 days): every open incident,
 * running and planned maintenance among them, so activeIncidents,
 * activeMaintenance, upcomingMaintenance and currentComponentStatuses give
 * what they give over the whole history (tests/integration/recent-window.test.ts).
 */
export function readCurrentTimeline(sources: Sources, now = new Date()): Incident[] {
  return readRecentTimeline(sources.db, new Date(now.getTime() - 91 * DAY_MS), sources.authored, now).incidents;
}

/** Live incidents and maintenance still open, outside the trash, through the closed_at index. */
function readOpenRows(db: HeraldDb): LiveLog['incidents'] {
  return reads(db).openIncidents.all();
}

/**
 * What is true now, for badges: every component's status and the page's,
 * from the open incidents and maintenance alone (live ones through the
 * closed_at index, markdown ones all, as they are few). No bars, no history.
 */
export function readCurrentStatus(runtime: Runtime, now = new Date()): { components: Component[]; status: PageStatus } {
  const { db, content } = runtime;
  const open = readMerged(db, content.authored, readOpenRows(db), now).incidents;
  const components = currentComponentStatuses(readComponents(db), open);
  return { components, status: pageStatus(components, open) };
}

export interface IncidentRead {
  /** With each update's component changes and each component's worst status (timeline.ts). */
  incident: Incident;
}

/**
 * One incident or maintenance by id, markdown or live, with its updates and
 * components; null (a 404) when no markdown file and no live row (outside the
 * trash) has that id, decided before any update is read.
 */
export function readIncident(runtime: Sources, id: string, now = new Date()): IncidentRead | null {
  const { db } = runtime;
  const authored = authoredById(runtime.authored).get(id) ?? [];
  const live = reads(db).incidentById.all({ id });
  if (authored.length === 0 && live.length === 0) return null;
  const [incident] = readMerged(db, authored, live, now).incidents;
  return { incident };
}

/** Listed components' ids and names, in display order (for naming what an incident affects). */
export function readComponentNames(runtime: Runtime): Pick<Component, 'id' | 'name'>[] {
  return readComponents(runtime.db).map(({ id, name }) => ({ id, name }));
}

/** Merges the live rows and markdown files given with everything live about them. */
function mergeSome(runtime: Runtime, authored: AuthoredIncident[], live: LiveLog['incidents'], now: Date): Incident[] {
  return readMerged(runtime.db, authored, live, now).incidents;
}

/**
 * When the oldest event that has begun (history.ts pastEvents) started: live
 * incidents are walked oldest first through the started_at index, in growing
 * batches, until one has begun; markdown ones likewise, in memory (their live
 * updates read only for those walked). Normally the oldest of each.
 */
export function readFirstEventStart(runtime: Runtime, now: Date): Date | null {
  let oldest: Date | null = null;
  // Batches of 1, 4, 16…: the oldest has normally begun, and is all that is read.
  for (let offset = 0, batch = 1; ; offset += batch, batch *= 4) {
    const rows = reads(runtime.db).oldestStarted.all({ now: now.getTime(), limit: batch, offset });
    const begun = pastEvents(mergeSome(runtime, [], rows, now), now);
    if (begun.length) {
      oldest = begun.reduce((min, i) => (i.startedAt < min ? i.startedAt : min), begun[0].startedAt);
      break;
    }
    if (rows.length < batch) break;
  }
  const files = runtime.content.authored.filter((a) => a.startedAt <= now).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  for (let offset = 0, batch = 1; offset < files.length; offset += batch, batch *= 4) {
    const slice = files.slice(offset, offset + batch);
    if (oldest && slice[0].startedAt >= oldest) break;
    const begun = pastEvents(mergeSome(runtime, slice, [], now), now);
    if (begun.length) {
      const first = begun.reduce((min, i) => (i.startedAt < min ? i.startedAt : min), begun[0].startedAt);
      if (!oldest || first < oldest) oldest = first;
      break;
    }
  }
  return oldest;
}

/** The first month of the archive: that of the oldest event begun, or the current one. */
export function readFirstMonth(runtime: Runtime, now: Date): string {
  const oldest = readFirstEventStart(runtime, now);
  const timeZone = runtime.content.page.time_zone;
  return monthOf(localDay(oldest && oldest < now ? oldest : now, timeZone));
}

/**
 * Incidents and maintenance that started in a month of the page's time zone.
 * The index is read over the UTC month widened by two days each side (no zone
 * is more than 14 hours off UTC); the exact local month is then filtered here.
 */
export function readMonthIncidents(runtime: Runtime, month: string, now: Date): Incident[] {
  const [y, m] = month.split('-').map(Number);
  const from = new Date(Date.UTC(y, m - 1, 1) - 2 * DAY_MS);
  const until = new Date(Date.UTC(y, m, 1) + 2 * DAY_MS);
  const timeZone = runtime.content.page.time_zone;
  const inMonth = (at: Date) => monthOf(localDay(at, timeZone)) === month;
  const live = reads(runtime.db)
    .startedBetween.all({ from: from.getTime(), until: until.getTime() })
    .filter((row) => inMonth(row.startedAt));
  const authored = runtime.content.authored.filter((a) => a.startedAt >= from && a.startedAt < until && inMonth(a.startedAt));
  return mergeSome(runtime, authored, live, now);
}

/**
 * One month of the archive (`YYYY-MM`, page time zone), or null (a 404) when
 * it is after the current month or before the first: decided by one index
 * lookup of the oldest incident, before the month is read.
 */
export function readHistoryMonth(runtime: Runtime, month: string, now = new Date()): MonthArchive | null {
  return readHistoryMonths(runtime, [month], now)[0] ?? null;
}

/** Several months of the archive (those within it, in the order asked), the first month looked up once. */
export function readHistoryMonths(runtime: Runtime, months: string[], now = new Date()): MonthArchive[] {
  const timeZone = runtime.content.page.time_zone;
  const current = monthOf(localDay(now, timeZone));
  // A month after today costs no read at all; the others one lookup of where the history begins.
  const past = months.filter((month) => month <= current);
  if (past.length === 0) return [];
  const first = readFirstMonth(runtime, now);
  return past.filter((month) => month >= first).flatMap((month) => monthArchive(readMonthIncidents(runtime, month, now), month, now, timeZone, first) ?? []);
}

/** Live rows (outside the trash) with these ids. */
function readLiveRows(db: HeraldDb, ids: string[]): LiveLog['incidents'] {
  if (ids.length === 0) return [];
  return reads(db).incidentsIn.all({ ids: JSON.stringify(ids) });
}

export interface ComponentWindow {
  /** What the page shows besides its incidents: every component's status now, the sections, and the component's outages for its bar. */
  view: Pick<StatusPage, 'page' | 'now' | 'components' | 'sections' | 'outages' | 'corrections'>;
  component: Component;
  /** The incidents and maintenance of those 90 days that touch it (and open or planned ones), newest start first. */
  incidents: Incident[];
}

/** How far back a component's page lists its incidents: as far as its bar goes; older ones are in the history. */
export const componentWindowDays = 90;

/**
 * One component's page: its status, 90-day bar and the incidents of those 90
 * days; null (a 404) when it is not listed. It reads only the incidents of
 * the window that touch it (readRecentLogOf) and, for every component's
 * status, the open ones (readCurrentStatus), so the page costs the same with
 * ten or ten thousand incidents behind it, and with one or a hundred components.
 */
export function readComponentWindow(runtime: Runtime, componentId: string, now = new Date()): ComponentWindow | null {
  const { db, content } = runtime;
  if (!listedComponentExists(runtime, componentId)) return null;
  // A day more than shown, as loadStatusPage: the bar starts at the beginning of a day in the page's zone.
  const recent = readRecentTimelineOf(db, new Date(now.getTime() - (componentWindowDays + 1) * DAY_MS), componentId, content.authored, now);
  const touching = recent.incidents;
  const current = readCurrentStatus(runtime, now);
  const since = now.getTime() - componentWindowDays * DAY_MS;
  const shown = (i: Incident) => isOpen(i) || i.startedAt.getTime() >= since || (i.resolvedAt?.getTime() ?? 0) >= since;
  return {
    view: {
      page: content.page,
      now,
      components: current.components,
      sections: readSections(db, current.components),
      outages: collectOutages(touching, recent.statusLog, now),
      corrections: readUptimeCorrections(db, addDays(localDay(now, content.page.time_zone), -(componentWindowDays + 1)), componentId),
    },
    component: current.components.find((c) => c.id === componentId)!,
    incidents: touching.filter(shown),
  };
}

/**
 * The incidents whose updates are the newest `limit` feed items (feed.ts: an
 * item is an update, newest first), with a component: only those touching it.
 * Live updates are read newest first through the `at` index until `limit`
 * belong to incidents outside the trash; with the markdown updates, every
 * incident owning an update at least as new as the limit-th is merged in full,
 * so ties at the edge come out as the full read orders them.
 */
export function readFeedIncidents(runtime: Runtime, now = new Date(), { componentId, limit = feedItemLimit }: { componentId?: string; limit?: number } = {}): Incident[] {
  const { db } = runtime;
  const markdown = authoredById(runtime.content.authored);
  const authored = componentId ? runtime.content.authored.filter((a) => a.components.some((c) => c.id === componentId)) : runtime.content.authored;
  const candidates: { incidentId: string; at: Date }[] = authored.flatMap((a) => a.updates.map((u) => ({ incidentId: a.id, at: u.at })));
  const liveOwners = new Map<string, LiveLog['incidents'][number]>();
  const owns = (incidentId: string) => markdown.has(incidentId) ? authored.some((a) => a.id === incidentId) || liveOwners.has(incidentId) : liveOwners.has(incidentId);
  const remember = (ids: string[]) => {
    const unknown = [...new Set(ids)].filter((id) => !liveOwners.has(id));
    for (const row of readLiveRows(db, unknown)) liveOwners.set(row.id, row);
  };
  let scope: string[] | null = null;
  if (componentId) {
    // A component's feed: its live incidents through the component index.
    scope = [...new Set(db.select({ id: incidentComponents.incidentId }).from(incidentComponents).where(eq(incidentComponents.componentId, componentId)).all().map((r) => r.id))];
    remember(scope);
  }
  const updatesWhere = (extra: ReturnType<typeof gte> | undefined) =>
    and(isNull(incidentUpdates.deletedAt), scope ? inArray(incidentUpdates.incidentId, [...liveOwners.keys(), ...authored.map((a) => a.id)]) : undefined, extra);
  const batch = limit * 2;
  let live: { incidentId: string; at: Date }[] = [];
  for (let offset = 0; ; offset += batch) {
    const rows = db
      .select({ incidentId: incidentUpdates.incidentId, at: incidentUpdates.at })
      .from(incidentUpdates)
      .where(updatesWhere(undefined))
      .orderBy(desc(incidentUpdates.at))
      .limit(batch)
      .offset(offset)
      .all();
    if (!scope) remember(rows.map((r) => r.incidentId).filter((id) => !markdown.has(id)));
    live.push(...rows.filter((r) => owns(r.incidentId)));
    if (live.length >= limit) {
      // Every live update as new as the limit-th, ties included.
      const edge = live[limit - 1].at;
      const tied = db.select({ incidentId: incidentUpdates.incidentId, at: incidentUpdates.at }).from(incidentUpdates).where(updatesWhere(gte(incidentUpdates.at, edge))).all();
      if (!scope) remember(tied.map((r) => r.incidentId).filter((id) => !markdown.has(id)));
      live = tied.filter((r) => owns(r.incidentId));
      break;
    }
    if (rows.length < batch) break;
  }
  candidates.push(...live);
  candidates.sort((a, b) => b.at.getTime() - a.at.getTime());
  const edge = candidates.length > limit ? candidates[limit - 1].at : null;
  const owners = new Set(candidates.filter((c) => !edge || c.at >= edge).map((c) => c.incidentId));
  const merged = mergeSome(
    runtime,
    authored.filter((a) => owners.has(a.id)),
    [...liveOwners.values()].filter((row) => owners.has(row.id)),
    now,
  );
  return componentId ? merged.filter((i) => i.components.some((c) => c.id === componentId)) : merged;
}

type Kind = Incident['kind'];

/**
 * The newest `limit` incidents or maintenance by start, both sources, in the
 * full read's order (newest start first): live ones through the
 * (kind, started_at) index, with every row tied at the edge.
 */
export function readNewestStarted(runtime: Runtime, kind: Kind, limit: number, now = new Date()): Incident[] {
  const { authored, live } = newestStartedRows(runtime, kind, limit);
  return mergeSome(runtime, authored, live, now).slice(0, limit);
}

/** The rows readNewestStarted merges: those `limit` newest by start, with every one tied at the edge (so possibly more). */
function newestStartedRows(runtime: Runtime, kind: Kind, limit: number): { authored: AuthoredIncident[]; live: LiveLog['incidents'] } {
  const read = reads(runtime.db);
  // One more than asked: when it started earlier than the last asked for, nothing is tied at the edge.
  let live = read.newestOfKind.all({ kind, limit: limit + 1 });
  if (live.length > limit && live[limit].startedAt.getTime() === live[limit - 1].startedAt.getTime()) {
    live = read.ofKindSince.all({ kind, since: live[limit - 1].startedAt.getTime() });
  } else live = live.slice(0, limit);
  const starts = [...live.map((r) => r.startedAt), ...runtime.content.authored.filter((a) => a.kind === kind).map((a) => a.startedAt)].sort((a, b) => b.getTime() - a.getTime());
  const edge = starts.length > limit ? starts[limit - 1] : null;
  const keep = (at: Date) => !edge || at >= edge;
  return { authored: runtime.content.authored.filter((a) => a.kind === kind && keep(a.startedAt)), live: live.filter((r) => keep(r.startedAt)) };
}

/**
 * The maintenance windows the delivery worker still acts on by the clock (a
 * reminder, an automatic start or end): live ones not closed, through the
 * closed_at index, and markdown ones that end after `now - graceMs`. Older
 * markdown windows are history; the worker leaves them as written.
 */
export function readWatchedMaintenance(sources: Sources, graceMs: number, now = new Date()): Incident[] {
  const { db } = sources;
  const live = db.select().from(incidents).where(and(isNull(incidents.closedAt), isNull(incidents.deletedAt), eq(incidents.kind, 'maintenance'))).all();
  const authored = sources.authored.filter((a) => a.kind === 'maintenance' && (a.scheduledUntil?.getTime() ?? 0) >= now.getTime() - graceMs);
  return readMerged(db, authored, live, now).incidents;
}

/** Every recurring maintenance, for the calendar: a handful, read whole. */
export function readMaintenanceSeries(runtime: Runtime): MaintenanceSeries[] {
  return runtime.db.select().from(maintenanceSeries).all();
}

/** One series, by its first window's id: what a window's page says of the rule. */
export function readSeries(runtime: Runtime, id: string): MaintenanceSeries | null {
  return runtime.db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, id)).get() ?? null;
}

/** Every maintenance window, both sources, newest start first: live ones through the (kind, started_at) index. */
export function readAllMaintenance(runtime: Runtime, now = new Date()): Incident[] {
  const live = runtime.db.select().from(incidents).where(and(eq(incidents.kind, 'maintenance'), isNull(incidents.deletedAt))).all();
  return mergeSome(runtime, runtime.content.authored.filter((a) => a.kind === 'maintenance'), live, now);
}

/**
 * The incidents that may have the latest change (the newest `updatedAt`): the
 * owner of the newest update outside the trash, read through the `at` index,
 * and any live incident that started after it (one whose updates are all in
 * the trash changed last when it started).
 */
function readLatestChanged(runtime: Runtime): LiveLog['incidents'] {
  const { db } = runtime;
  const read = reads(db);
  const markdown = authoredById(runtime.content.authored);
  for (let offset = 0; ; offset += 32) {
    const rows = read.newestUpdates.all({ limit: 32, offset });
    const owners = readLiveRows(db, [...new Set(rows.map((r) => r.incidentId))]);
    const newest = rows.find((r) => markdown.has(r.incidentId) || owners.some((o) => o.id === r.incidentId));
    if (newest) return [...owners.filter((o) => o.id === newest.incidentId), ...read.startedSince.all({ since: newest.at.getTime() })];
    if (rows.length < 32) return read.newestStarted.all();
  }
}

/**
 * What the Statuspage-compatible JSON API shows, without the history: the
 * open incidents and maintenance (live ones through the closed_at index,
 * markdown ones all), the one updated last (the page's `updated_at`), and,
 * with `listLimit`, the newest incidents and maintenance by start; each with
 * its component changes, which give updates their affected_components.
 * The documents about now (summary, status, components, unresolved, active
 * and upcoming) need no list: statuspage-api.ts asks for one only for
 * incidents.json and scheduled-maintenances.json.
 */
export function loadApiView(runtime: Runtime, now = new Date(), listLimit = 0): ApiView {
  const { db, content } = runtime;
  const open = readOpenRows(db);
  // The rows only, merged once below with the rest: those tied at the edge beyond the 50 change no document (statuspage.ts sorts and cuts).
  const listedLive = listLimit > 0 ? (['incident', 'maintenance'] as const).flatMap((kind) => newestStartedRows(runtime, kind, listLimit).live) : [];
  const live = [...new Map([...open, ...readLatestChanged(runtime), ...listedLive].map((row) => [row.id, row])).values()];
  const merged = mergeSome(runtime, content.authored, live, now);
  const components = currentComponentStatuses(readComponents(db), merged);
  return { page: content.page, siteUrl: runtime.config.siteUrl, components, sections: readSections(db, components), incidents: merged, status: pageStatus(components, merged) };
}

/** The `count` newest-started incidents (not maintenance) that are closed, newest first: the newest by start, read in growing batches until enough are closed. */
export function readRecentlyClosed(runtime: Runtime, count: number, now = new Date()): Incident[] {
  for (let limit = count * 2; ; limit *= 4) {
    const newest = readNewestStarted(runtime, 'incident', limit, now);
    const closed = newest.filter((i) => !isOpen(i)).slice(0, count);
    if (closed.length === count || newest.length < limit) return closed;
  }
}

/** A promise of a next update that is still watched (no later update kept it), with its incident. */
export interface WatchedPromise {
  updateId: number;
  incidentId: string;
  nextUpdateBy: Date;
  /** The staff account that made it, if one did. */
  postedBy: number | null;
  alertedAt: Date | null;
  /** The incident as shown, or null when it left the page (trash) or the promise no longer stands (closed, superseded). */
  incident: Incident | null;
}

/**
 * Promises whose time has come (`nextUpdateBy <= now`) and that no later
 * update kept, through the partial index on watched promises: what the
 * console shows as overdue and what the worker mails staff about. Each is
 * checked against its incident as shown (a markdown file deployed since may
 * have superseded it); those that no longer stand come back with no incident.
 */
export function readLapsedPromises(sources: Sources, now = new Date()): WatchedPromise[] {
  const rows = sources.db
    .select({ id: incidentUpdates.id, incidentId: incidentUpdates.incidentId, nextUpdateBy: incidentUpdates.nextUpdateBy, postedBy: incidentUpdates.postedBy, alertedAt: incidentUpdates.overdueAlertedAt })
    .from(incidentUpdates)
    .where(and(isNull(incidentUpdates.promiseKeptAt), lte(incidentUpdates.nextUpdateBy, now), isNull(incidentUpdates.deletedAt)))
    .orderBy(asc(incidentUpdates.nextUpdateBy))
    .all();
  return rows.map((row) => {
    const incident = readIncident(sources, row.incidentId, now)?.incident ?? null;
    const stands = incident?.nextUpdateBy && incident.updates.find((u) => !u.automatic)?.id === `${row.incidentId}#${row.id}`;
    return { updateId: row.id, incidentId: row.incidentId, nextUpdateBy: row.nextUpdateBy!, postedBy: row.postedBy, alertedAt: row.alertedAt, incident: stands ? incident : null };
  });
}

/** How long before a month an incident may have begun and still be counted in it (longer ones only while still open). */
const monthLookbackDays = 92;

/**
 * A calendar month's uptime per component and for the page (lib/uptime.ts
 * monthlyUptime), or null when the month is outside the history (as
 * readHistoryMonth). Reads the incidents that overlap the month (chosen
 * through the (started_at, closed_at) and closed_at indexes; an incident
 * lasting far longer than monthLookbackDays either side of the month is
 * counted while open, not once closed), their status changes;
 * and the components' own changes in the month plus the last one before.
 * The cost follows the month, not the history around it.
 */
export function readMonthUptime(runtime: Runtime, month: string, now = new Date()): MonthReport | null {
  return monthUptime(runtime, month, now, readFirstMonth(runtime, now));
}

/** A month of the archive with its uptime report, for its page: where the history begins is looked up once for both. */
export function readMonthPage(runtime: Runtime, month: string, now = new Date()): { archive: MonthArchive; uptime: MonthReport | null } | null {
  const timeZone = runtime.content.page.time_zone;
  if (month > monthOf(localDay(now, timeZone))) return null;
  const first = readFirstMonth(runtime, now);
  const archive = month >= first ? monthArchive(readMonthIncidents(runtime, month, now), month, now, timeZone, first) : null;
  return archive ? { archive, uptime: monthUptime(runtime, month, now, first) } : null;
}

function monthUptime(runtime: Runtime, month: string, now: Date, firstMonth: string): MonthReport | null {
  const { db, content } = runtime;
  const timeZone = content.page.time_zone;
  if (month > monthOf(localDay(now, timeZone)) || month < firstMonth) return null;
  const from = startOfLocalDay(`${month}-01`, timeZone);
  const until = startOfLocalDay(`${addMonths(month, 1)}-01`, timeZone);
  const earliest = new Date(from.getTime() - monthLookbackDays * DAY_MS);
  const live = reads(db).overlapping.all({
    earliest: earliest.getTime(),
    from: from.getTime(),
    until: until.getTime(),
    closedBy: until.getTime() + monthLookbackDays * DAY_MS,
  });
  // Markdown files are few, but their live updates are read with them: only those that may overlap.
  const authored = content.authored.filter((a) => a.startedAt < until && (a.startedAt >= earliest || !isClosedStatus(a.updates.at(-1)?.status ?? 'investigating') || (a.updates.at(-1)?.at ?? a.startedAt) >= from));
  const merged = readMerged(db, authored, live, now);
  const overlapping = merged.incidents.filter((i) => (i.resolvedAt ?? now) >= from);
  const own = [
    ...reads(db).ownBefore.all({ since: from.getTime() }),
    ...reads(db).ownBetween.all({ from: from.getTime(), until: until.getTime() }),
  ];
  const statusLog = [...merged.statusChanges, ...own].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const components = readComponents(db);
  const corrections = readUptimeCorrections(db, `${month}-01`);
  return monthlyUptime(components, collectOutages(overlapping, statusLog, now), month, timeZone, now, corrections);
}
