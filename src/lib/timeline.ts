// Two sources, one timeline: incidents authored in content/incidents/*.md and the
// live log in SQLite become the same Incident. A live update may belong to a
// markdown incident; it simply joins that incident's timeline.
import { isClosedStatus, type UpdateStatus } from '../db/constants';
import type { IncidentComponentRow, IncidentRow, IncidentUpdateRow } from '../db/schema';
import type { AuthoredIncident } from './content/incident-file';
import type { Incident, IncidentUpdate } from './model';

export interface LiveLog {
  incidents: IncidentRow[];
  components: IncidentComponentRow[];
  updates: IncidentUpdateRow[];
}

/** Newest first; at equal times a live update counts as later than an authored one, then by id. */
function byNewest(a: IncidentUpdate, b: IncidentUpdate): number {
  const dt = b.at.getTime() - a.at.getTime();
  if (dt !== 0) return dt;
  if (a.source !== b.source) return a.source === 'live' ? -1 : 1;
  return b.id.localeCompare(a.id, 'en', { numeric: true });
}

function liveUpdate(row: IncidentUpdateRow): IncidentUpdate {
  return { id: `${row.incidentId}#${row.id}`, status: row.status, body: row.body, at: row.at, source: 'live', editedAt: row.editedAt, notified: row.notify };
}

/**
 * The effective status. Normally the latest update's. A maintenance still marked
 * `scheduled` moves by its window: in progress once it starts, completed once it
 * ends, so an authored window needs no live update to be shown right.
 */
function effectiveStatus(
  kind: Incident['kind'],
  latest: UpdateStatus | undefined,
  window: { from: Date | null; until: Date | null },
  now: Date,
): UpdateStatus {
  if (kind === 'incident') return latest ?? 'investigating';
  const status = latest ?? 'scheduled';
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
  base: Omit<Incident, 'status' | 'resolvedAt' | 'updatedAt' | 'updates'>,
  updates: IncidentUpdate[],
  now: Date,
): Incident {
  const sorted = [...updates].sort(byNewest);
  const status = effectiveStatus(
    base.kind,
    sorted[0]?.status,
    { from: base.scheduledFor, until: base.scheduledUntil },
    now,
  );
  return {
    ...base,
    status,
    updates: sorted,
    resolvedAt: resolvedAt(status, sorted, base.scheduledUntil),
    updatedAt: sorted[0]?.at ?? base.startedAt,
  };
}

/** Merges both sources into one list of incidents and maintenance, newest start first. */
export function mergeTimeline(authored: AuthoredIncident[], live: LiveLog, now: Date): Incident[] {
  const liveUpdatesByIncident = new Map<string, IncidentUpdate[]>();
  for (const row of live.updates) {
    const list = liveUpdatesByIncident.get(row.incidentId) ?? [];
    list.push(liveUpdate(row));
    liveUpdatesByIncident.set(row.incidentId, list);
  }
  const componentsByIncident = new Map<string, Incident['components']>();
  for (const row of live.components) {
    const list = componentsByIncident.get(row.incidentId) ?? [];
    list.push({ id: row.componentId, status: row.status });
    componentsByIncident.set(row.incidentId, list);
  }

  const merged: Incident[] = [];
  for (const file of authored) {
    const updates: IncidentUpdate[] = file.updates.map((u, n) => ({
      id: `${file.id}#md-${n + 1}`,
      status: u.status,
      body: u.body,
      at: u.at,
      source: 'markdown',
      editedAt: null,
      notified: false,
    }));
    updates.push(...(liveUpdatesByIncident.get(file.id) ?? []));
    merged.push(
      assemble(
        {
          id: file.id,
          kind: file.kind,
          title: file.title,
          impact: file.impact,
          components: file.components,
          startedAt: file.startedAt,
          scheduledFor: file.scheduledFor,
          scheduledUntil: file.scheduledUntil,
          source: 'markdown',
          filePath: file.filePath,
        },
        updates,
        now,
      ),
    );
  }
  for (const row of live.incidents) {
    merged.push(
      assemble(
        {
          id: row.id,
          kind: row.kind,
          title: row.title,
          impact: row.impact,
          components: componentsByIncident.get(row.id) ?? [],
          startedAt: row.startedAt,
          scheduledFor: row.scheduledFor,
          scheduledUntil: row.scheduledUntil,
          source: 'live',
          filePath: null,
        },
        liveUpdatesByIncident.get(row.id) ?? [],
        now,
      ),
    );
  }
  return merged.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || a.id.localeCompare(b.id));
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
