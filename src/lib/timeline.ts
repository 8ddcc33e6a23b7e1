// Two sources, one timeline: incidents authored in content/incidents/*.md and the
// live log in SQLite become the same Incident. A live update may belong to a
// markdown incident; it simply joins that incident's timeline.
import { componentStatusSeverity, isClosedStatus, type ComponentStatus, type UpdateStatus } from '../db/constants';
import type { ComponentStatusLogRow, IncidentComponentRow, IncidentRow, IncidentUpdateRow, TranslationRow } from '../db/schema';
import type { AuthoredIncident } from './content/incident-file';
import type { AffectedComponent, ComponentChange, Incident, IncidentUpdate, Translations } from './model';
import { localeCodes } from './i18n/locales';
import { translator } from './i18n/translate';

export interface LiveLog {
  incidents: IncidentRow[];
  components: IncidentComponentRow[];
  updates: IncidentUpdateRow[];
  /** The component status changes incidents made (component_status_log rows with an incident), any order. */
  statusChanges: ComponentStatusLogRow[];
  /** Staff's translations of these incidents' titles (update 0) and live updates. */
  translations?: TranslationRow[];
}

/** Newest first; at equal times a live update counts as later than an authored one, then by id. */
function byNewest(a: IncidentUpdate, b: IncidentUpdate): number {
  const dt = b.at.getTime() - a.at.getTime();
  if (dt !== 0) return dt;
  if (a.source !== b.source) return a.source === 'live' ? -1 : 1;
  return b.id.localeCompare(a.id, 'en', { numeric: true });
}

/** Herald's own words for a window that started or ended by the clock, in every language (the catalogues' update.auto_*). */
const automaticWords = new Map<UpdateStatus, Translations>();
function automaticTranslations(status: UpdateStatus): Translations | undefined {
  if (status !== 'in_progress' && status !== 'completed') return undefined;
  let words = automaticWords.get(status);
  if (!words) automaticWords.set(status, (words = Object.fromEntries(localeCodes.map((l) => [l, translator(l)(`update.auto_${status}`)]))));
  return words;
}

function liveUpdate(row: IncidentUpdateRow, stored: Translations | undefined): IncidentUpdate {
  const translations = row.automatic ? automaticTranslations(row.status) : stored;
  return {
    id: `${row.incidentId}#${row.id}`,
    status: row.status,
    body: row.body,
    ...(translations && { translations }),
    at: row.at,
    source: 'live',
    editedAt: row.editedAt,
    notified: row.notify,
    automatic: row.automatic,
    componentChanges: [],
    nextUpdateBy: row.nextUpdateBy,
    promiseKept: row.promiseKeptAt !== null,
  };
}

/** One entry per component, first `from` to last `to`; a component that ends where it began is left out. */
function netChanges(changes: ComponentChange[]): ComponentChange[] {
  const net = new Map<string, ComponentChange>();
  for (const c of changes) net.set(c.id, { id: c.id, from: net.get(c.id)?.from ?? c.from, to: c.to });
  return [...net.values()].filter((c) => c.from !== c.to);
}

const worse = (a: ComponentStatus, b: ComponentStatus) => (componentStatusSeverity[b] > componentStatusSeverity[a] ? b : a);

/**
 * Which update changed which component, and each component's worst status.
 * A live update's changes are the status-log rows its incident wrote at the
 * same instant (one transaction writes both); a markdown incident's first
 * update sets what its file says. The update that closes an incident returns
 * its components to operational, one that reopens it brings them back; a
 * maintenance puts them under maintenance when it starts. Unchanged statuses are not listed.
 */
function withComponentHistory(incident: Incident, authored: AffectedComponent[], logRows: ComponentStatusLogRow[]): Incident {
  const rows = [...logRows].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const state = new Map<string, ComponentStatus>();
  const peak = new Map<string, ComponentStatus>();
  const order: string[] = [];
  const set = (id: string, to: ComponentStatus, changes: ComponentChange[] | null) => {
    if (!order.includes(id)) order.push(id);
    const from = state.get(id) ?? 'operational';
    if (changes && from !== to) changes.push({ id, from, to });
    state.set(id, to);
    peak.set(id, worse(peak.get(id) ?? 'operational', to));
  };
  const maintenance = incident.kind === 'maintenance';
  let open = true;
  let started = false;
  let next = 0;
  const oldestFirst = [...incident.updates].reverse().map((u) => ({ ...u, componentChanges: [] as ComponentChange[] }));
  for (const [n, update] of oldestFirst.entries()) {
    const changes: ComponentChange[] = [];
    // Rows written before this update (a markdown incident's first live change logs the file's status at its start).
    for (; next < rows.length && rows[next].at < update.at; next++) set(rows[next].componentId, rows[next].status, null);
    if (n === 0) for (const c of authored) set(c.id, c.status, changes);
    if (update.source === 'live') {
      for (; next < rows.length && rows[next].at.getTime() === update.at.getTime(); next++) set(rows[next].componentId, rows[next].status, changes);
    }
    if (maintenance && !started && (update.status === 'in_progress' || update.status === 'verifying')) {
      started = true;
      for (const c of incident.components) set(c.id, 'under_maintenance', changes);
    }
    const closes = isClosedStatus(update.status);
    if (closes === open) {
      for (const id of order) {
        const status = state.get(id) ?? 'operational';
        if (status !== 'operational') changes.push(closes ? { id, from: status, to: 'operational' } : { id, from: 'operational', to: status });
      }
      open = !closes;
    }
    update.componentChanges = netChanges(changes);
  }
  for (; next < rows.length; next++) set(rows[next].componentId, rows[next].status, null);
  const components = incident.components.map((c) => ({
    ...c,
    peak: maintenance ? worse('under_maintenance', c.status) : worse(peak.get(c.id) ?? 'operational', c.status),
  }));
  return { ...incident, components, updates: oldestFirst.reverse() };
}

/**
 * The effective status. Normally the latest update's. A maintenance still marked
 * `scheduled` moves by its window: in progress once it starts, completed once it
 * ends, so an authored window needs no live update to be shown right (the
 * delivery worker also posts those moments as automatic updates).
 */
function effectiveStatus(
  kind: Incident['kind'],
  latest: Pick<IncidentUpdate, 'status' | 'automatic'> | undefined,
  window: { from: Date | null; until: Date | null },
  now: Date,
): UpdateStatus {
  if (kind === 'incident') return latest?.status ?? 'investigating';
  const status = latest?.status ?? 'scheduled';
  // Herald's own "begun" update still ends by the window, as the one it stands for would have.
  if (status === 'in_progress' && latest?.automatic && window.until && now >= window.until) return 'completed';
  if (status !== 'scheduled') return status;
  if (window.until && now >= window.until) return 'completed';
  if (window.from && now >= window.from) return 'in_progress';
  return 'scheduled';
}

/** When the incident closed: the first update of the closing run at the head of the timeline. */
function resolvedAt(
  status: UpdateStatus,
  updatesNewestFirst: IncidentUpdate[],
  scheduledUntil: Date | null,
): Date | null {
  if (!isClosedStatus(status)) return null;
  let closedAt: Date | null = null;
  for (const update of updatesNewestFirst) {
    if (!isClosedStatus(update.status)) break;
    closedAt = update.at;
  }
  // A maintenance completed by its window alone closes when the window ends.
  return closedAt ?? scheduledUntil;
}

function assemble(
  base: Omit<Incident, 'status' | 'resolvedAt' | 'updatedAt' | 'updates' | 'nextUpdateBy'>,
  updates: IncidentUpdate[],
  now: Date,
): Incident {
  const sorted = [...updates].sort(byNewest);
  const status = effectiveStatus(
    base.kind,
    sorted[0],
    { from: base.scheduledFor, until: base.scheduledUntil },
    now,
  );
  // Herald's own window updates promise nothing and keep no promise: the latest by staff counts,
  // unless a later update kept it (and went to the trash since).
  const byStaff = sorted.find((u) => !u.automatic);
  return {
    ...base,
    status,
    updates: sorted,
    resolvedAt: resolvedAt(status, sorted, base.scheduledUntil),
    updatedAt: sorted[0]?.at ?? base.startedAt,
    nextUpdateBy: isClosedStatus(status) || !byStaff || byStaff.promiseKept ? null : byStaff.nextUpdateBy,
  };
}

/** Merges both sources into one list of incidents and maintenance, newest start first. */
export function mergeTimeline(authored: AuthoredIncident[], live: LiveLog, now: Date): Incident[] {
  // Translations by incident (update 0: its title) and by live update.
  const translated = new Map<string, Translations>();
  for (const row of live.translations ?? []) {
    const key = `${row.incidentId}#${row.updateId}`;
    translated.set(key, { ...translated.get(key), [row.locale]: row.text });
  }
  const liveUpdatesByIncident = new Map<string, IncidentUpdate[]>();
  for (const row of live.updates) {
    const list = liveUpdatesByIncident.get(row.incidentId) ?? [];
    list.push(liveUpdate(row, translated.get(`${row.incidentId}#${row.id}`)));
    liveUpdatesByIncident.set(row.incidentId, list);
  }
  const componentsByIncident = new Map<string, Incident['components']>();
  for (const row of live.components) {
    const list = componentsByIncident.get(row.incidentId) ?? [];
    list.push({ id: row.componentId, status: row.status, peak: row.status });
    componentsByIncident.set(row.incidentId, list);
  }
  const changesByIncident = new Map<string, ComponentStatusLogRow[]>();
  for (const row of live.statusChanges) {
    if (!row.incidentId) continue;
    const list = changesByIncident.get(row.incidentId);
    if (list) list.push(row);
    else changesByIncident.set(row.incidentId, [row]);
  }

  const merged: Incident[] = [];
  for (const file of authored) {
    const updates: IncidentUpdate[] = file.updates.map((u, n) => ({
      id: `${file.id}#md-${n + 1}`,
      status: u.status,
      body: u.body,
      ...(u.translations && { translations: u.translations }),
      at: u.at,
      source: 'markdown',
      editedAt: null,
      notified: false,
      automatic: false,
      componentChanges: [],
      nextUpdateBy: null,
      promiseKept: false,
    }));
    const components = file.components.map((c) => ({ ...c, peak: c.status }));
    updates.push(...(liveUpdatesByIncident.get(file.id) ?? []));
    merged.push(
      withComponentHistory(
        assemble(
          {
            id: file.id,
            kind: file.kind,
            title: file.title,
            ...(file.titles && { titles: file.titles }),
            impact: file.impact,
            components,
            startedAt: file.startedAt,
            scheduledFor: file.scheduledFor,
            scheduledUntil: file.scheduledUntil,
            source: 'markdown',
            filePath: file.filePath,
            templateId: null,
            occurrence: file.recurrence && file.scheduledFor ? { seriesId: file.id, of: file.scheduledFor } : null,
          },
          updates,
          now,
        ),
        components,
        changesByIncident.get(file.id) ?? [],
      ),
    );
  }
  for (const row of live.incidents) {
    merged.push(
      withComponentHistory(
        assemble(
          {
            id: row.id,
            kind: row.kind,
            title: row.title,
            ...(translated.has(`${row.id}#0`) && { titles: translated.get(`${row.id}#0`) }),
            impact: row.impact,
            components: componentsByIncident.get(row.id) ?? [],
            startedAt: row.startedAt,
            scheduledFor: row.scheduledFor,
            scheduledUntil: row.scheduledUntil,
            source: 'live',
            filePath: null,
            templateId: row.templateId,
            occurrence: row.seriesId && row.occurrenceOf ? { seriesId: row.seriesId, of: row.occurrenceOf } : null,
          },
          liveUpdatesByIncident.get(row.id) ?? [],
          now,
        ),
        [],
        changesByIncident.get(row.id) ?? [],
      ),
    );
  }
  return merged.sort(byNewestStart);
}

/** The timeline's order: newest start first, then by id. */
export function byNewestStart(a: Incident, b: Incident): number {
  return b.startedAt.getTime() - a.startedAt.getTime() || a.id.localeCompare(b.id);
}

export function isOpen(incident: Incident): boolean {
  return !isClosedStatus(incident.status);
}

/** Unresolved incidents (not maintenance). */
export function activeIncidents(all: Incident[]): Incident[] {
  return all.filter((i) => i.kind === 'incident' && isOpen(i));
}

/** Maintenance in progress or verifying. */
export function activeMaintenance(all: Incident[]): Incident[] {
  return all.filter((i) => i.kind === 'maintenance' && (i.status === 'in_progress' || i.status === 'verifying'));
}

/** Maintenance not yet started, soonest first. */
export function upcomingMaintenance(all: Incident[]): Incident[] {
  return all
    .filter((i) => i.kind === 'maintenance' && i.status === 'scheduled')
    .sort((a, b) => (a.scheduledFor?.getTime() ?? 0) - (b.scheduledFor?.getTime() ?? 0));
}

/** How near a window's start "in progress" becomes the update staff most likely post next. */
export const windowNearMs = 60 * 60_000;

/**
 * The status the next update most likely has, along the life cycle:
 * investigating → identified → monitoring → resolved → postmortem; and for
 * maintenance scheduled → in progress (only once the window is near or has
 * started; before that, another word about the plan) → verifying → completed.
 */
export function suggestedNextStatus(incident: Pick<Incident, 'kind' | 'status' | 'scheduledFor'>, now: Date): UpdateStatus {
  if (incident.kind === 'maintenance') {
    if (incident.status === 'scheduled') return incident.scheduledFor && incident.scheduledFor.getTime() - now.getTime() <= windowNearMs ? 'in_progress' : 'scheduled';
    return incident.status === 'in_progress' ? 'verifying' : 'completed';
  }
  const next: Partial<Record<UpdateStatus, UpdateStatus>> = { investigating: 'identified', identified: 'monitoring', monitoring: 'resolved', resolved: 'postmortem' };
  return next[incident.status] ?? incident.status;
}
