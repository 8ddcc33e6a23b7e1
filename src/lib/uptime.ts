// Uptime bars: one cell per day in the page's time zone, coloured by the worst
// status the component had that day, and an uptime percentage.
//
// The formula (documented in docs/staff.md):
//   downtime = time in major_outage + 0.3 × time in partial_outage (and not major)
//   uptime   = 1 − downtime / time observed
// Degraded performance and maintenance colour the bar but are not downtime.
// Overlapping outages are merged first, so nothing counts twice; the worst status
// at each moment wins. Today counts only up to now.
import { componentStatusSeverity, type ComponentStatus } from '../db/constants';
import type { ComponentStatusLogRow } from '../db/schema';
import type { Incident, Outage } from './model';
import { addDays, localDay, startOfLocalDay, type LocalDay } from './time';

export const PARTIAL_OUTAGE_WEIGHT = 0.3;

export interface DayCell {
  day: LocalDay;
  /** Worst status seen that day. */
  status: ComponentStatus;
  /** Weighted downtime in ms. */
  downtimeMs: number;
  /** ms spent in each non-operational status (overlaps resolved to the worst). */
  msByStatus: Partial<Record<ComponentStatus, number>>;
}

export interface UptimeBar {
  days: DayCell[];
  /** 0..100, rounded down to two decimals so a blip never shows 100%. */
  percent: number;
}

/**
 * Outages of every component. An incident counts from its start to its
 * resolution, with the status it gave each component; where staff changed that
 * status during the incident, the change log says which status held when.
 * Maintenance counts from when it started; manual status changes until the next change.
 */
export function collectOutages(incidents: Incident[], statusLog: ComponentStatusLogRow[], now: Date): Outage[] {
  const outages: Outage[] = [];
  const push = (componentId: string, status: ComponentStatus, start: Date, end: Date | null) => {
    if (status !== 'operational' && (end === null || end > start)) outages.push({ componentId, status, start, end });
  };
  const changesOf = new Map<string, ComponentStatusLogRow[]>();
  for (const row of statusLog) {
    const key = row.incidentId ? `${row.incidentId}|${row.componentId}` : row.componentId;
    const list = changesOf.get(key);
    if (list) list.push(row);
    else changesOf.set(key, [row]);
  }
  const byTime = (a: ComponentStatusLogRow, b: ComponentStatusLogRow) => a.at.getTime() - b.at.getTime() || a.id - b.id;

  for (const incident of incidents) {
    if (incident.kind === 'incident') {
      for (const c of incident.components) {
        const changes = (changesOf.get(`${incident.id}|${c.id}`) ?? []).sort(byTime);
        if (changes.length === 0) {
          push(c.id, c.status, incident.startedAt, incident.resolvedAt);
          continue;
        }
        changes.forEach((row, n) => {
          const start = n === 0 ? incident.startedAt : row.at;
          const next = changes[n + 1]?.at ?? null;
          const end = incident.resolvedAt && (!next || next > incident.resolvedAt) ? incident.resolvedAt : next;
          push(c.id, row.status, start, end);
        });
      }
    } else if (incident.status !== 'scheduled') {
      const started = [...incident.updates].reverse().find((u) => u.status === 'in_progress')?.at;
      const start = started ?? incident.scheduledFor ?? incident.startedAt;
      if (start > now) continue;
      for (const c of incident.components) push(c.id, 'under_maintenance', start, incident.resolvedAt);
    }
  }
  for (const [key, rows] of changesOf) {
    if (key.includes('|')) continue;
    rows.sort(byTime);
    rows.forEach((row, n) => push(key, row.status, row.at, rows[n + 1]?.at ?? null));
  }
  return outages;
}

/** The union of [start, end) spans, as sorted, disjoint spans. */
function union(spans: [number, number][]): [number, number][] {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/**
 * How much of [from, to) sorted disjoint `spans` cover. Days are asked for in
 * order, so `cursor` only moves forward: a bar costs its days plus its spans,
 * not their product.
 */
function coveredMs(spans: [number, number][], from: number, to: number, cursor: { at: number }): number {
  while (cursor.at < spans.length && spans[cursor.at][1] <= from) cursor.at++;
  let total = 0;
  for (let i = cursor.at; i < spans.length && spans[i][0] < to; i++) total += Math.min(spans[i][1], to) - Math.max(spans[i][0], from);
  return total;
}

const statusesBySeverity = (Object.keys(componentStatusSeverity) as ComponentStatus[])
  .filter((s) => s !== 'operational')
  .sort((a, b) => componentStatusSeverity[b] - componentStatusSeverity[a]);

/** The days of a bar with when each begins and ends: the same for every component on a page, so worked out once. */
const boundsByKey = new Map<string, { day: LocalDay; from: number; end: number }[]>();

function dayBounds(today: LocalDay, timeZone: string, dayCount: number) {
  const key = `${timeZone}\n${today}\n${dayCount}`;
  let bounds = boundsByKey.get(key);
  if (!bounds) {
    bounds = [];
    for (let n = dayCount - 1; n >= 0; n--) {
      const day = addDays(today, -n);
      bounds.push({ day, from: startOfLocalDay(day, timeZone).getTime(), end: startOfLocalDay(addDays(day, 1), timeZone).getTime() });
    }
    if (boundsByKey.size > 64) boundsByKey.clear(); // bounded: one entry per zone and day in use
    boundsByKey.set(key, bounds);
  }
  return bounds;
}

/**
 * The bar for one component over `dayCount` days ending with today in `timeZone`.
 * `outages` may include other components' outages; they are ignored.
 */
export function uptimeBar(
  componentId: string,
  outages: Outage[],
  now: Date,
  timeZone: string,
  dayCount = 90,
): UptimeBar {
  const nowMs = now.getTime();
  const mine = outages.filter((o) => o.componentId === componentId);
  // Per status, where the component was at least that bad: merged once, then swept day by day.
  const spansAtLeast = new Map<ComponentStatus, { spans: [number, number][]; cursor: { at: number } }>();
  for (const status of statusesBySeverity) {
    const severity = componentStatusSeverity[status];
    const spans = mine
      .filter((o) => componentStatusSeverity[o.status] >= severity)
      .map((o) => [o.start.getTime(), (o.end ?? now).getTime()] as [number, number]);
    spansAtLeast.set(status, { spans: union(spans), cursor: { at: 0 } });
  }

  const days: DayCell[] = [];
  let observedMs = 0;
  let downtimeMs = 0;
  for (const { day, from, end } of dayBounds(localDay(now, timeZone), timeZone, dayCount)) {
    const to = Math.min(end, nowMs);
    const msByStatus: DayCell['msByStatus'] = {};
    let status: ComponentStatus = 'operational';
    let coveredByWorse = 0;
    for (const s of statusesBySeverity) {
      const { spans, cursor } = spansAtLeast.get(s)!;
      const atLeast = to > from ? coveredMs(spans, from, to, cursor) : 0;
      const exactly = atLeast - coveredByWorse;
      coveredByWorse = atLeast;
      if (exactly > 0) {
        msByStatus[s] = exactly;
        if (status === 'operational') status = s;
      }
    }
    const down = (msByStatus.major_outage ?? 0) + PARTIAL_OUTAGE_WEIGHT * (msByStatus.partial_outage ?? 0);
    days.push({ day, status, downtimeMs: down, msByStatus });
    observedMs += Math.max(0, to - from);
    downtimeMs += down;
  }
  const ratio = observedMs > 0 ? 1 - downtimeMs / observedMs : 1;
  return { days, percent: Math.floor(ratio * 10_000) / 100 };
}
