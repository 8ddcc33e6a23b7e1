// Uptime bars: one cell per day in the page's time zone, coloured by the worst
// status the component had that day, and an uptime percentage.
//
// The formula (documented in docs/staff.md):
//   downtime = time in major_outage + 0.3 × time in partial_outage (and not major)
//   uptime   = 1 − downtime / time observed (from when the component exists; days before show no data)
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
  /** Weighted downtime in ms (as corrected, if staff corrected the day). */
  downtimeMs: number;
  /** ms spent in each non-operational status (overlaps resolved to the worst). */
  msByStatus: Partial<Record<ComponentStatus, number>>;
  /** How long the day was watched: 0 before the component existed (no data), less for today or its first day. */
  observedMs: number;
  /** The day's uptime, 0..100 rounded down to two decimals; null with no data. */
  percent: number | null;
  /** Set when staff corrected the day's figure. */
  correction: UptimeCorrection | null;
}

/** Staff's correction of one day's figure: an outage that was not one, a monitoring gap. */
export interface UptimeCorrection {
  /** The day's uptime as corrected, 0..100. */
  percent: number;
  reason: string;
  at: Date;
}

export interface BarOptions {
  /** Since when the component is watched: days before it show "no data" (an earlier outage moves it back). */
  since?: Date;
  /** Corrected days, by local day. */
  corrections?: ReadonlyMap<LocalDay, UptimeCorrection>;
}

const floorPercent = (ratio: number) => Math.floor(ratio * 10_000) / 100;

export interface UptimeBar {
  days: DayCell[];
  /** 0..100, rounded down to two decimals so a blip never shows 100%. */
  percent: number;
}

/** How many days a bar shows on a narrow screen (global.css hides the older ones), with its own figure. */
export const narrowBarDays = 30;

/** The uptime of a bar's last `count` days, as `percent` is of all of them. */
export function recentPercent(bar: UptimeBar, count = narrowBarDays): number {
  const days = bar.days.slice(-count);
  const observed = days.reduce((n, d) => n + d.observedMs, 0);
  const down = days.reduce((n, d) => n + d.downtimeMs, 0);
  return floorPercent(observed > 0 ? 1 - down / observed : 1);
}

/**
 * Outages of every component. An incident counts from its start to its
 * resolution, with the status it gave each component; where staff changed that
 * status during the incident, the change log says which status held when.
 * Maintenance counts from when it started; manual status changes until the next change.
 */
export function collectOutages(incidents: Incident[], statusLog: ComponentStatusLogRow[], now: Date): Outage[] {
  const outages: Outage[] = [];
  // Incident-made changes by incident, then component; the components' own by component.
  const byIncident = new Map<string, Map<string, ComponentStatusLogRow[]>>();
  const own = new Map<string, ComponentStatusLogRow[]>();
  for (const row of statusLog) {
    let byComponent = own;
    if (row.incidentId) {
      byComponent = byIncident.get(row.incidentId) ?? new Map();
      byIncident.set(row.incidentId, byComponent);
    }
    const list = byComponent.get(row.componentId);
    if (list) list.push(row);
    else byComponent.set(row.componentId, [row]);
  }

  for (const incident of incidents) {
    if (incident.kind === 'incident') {
      const changesOf = byIncident.get(incident.id);
      for (const c of incident.components) {
        const changes = changesOf?.get(c.id)?.sort(byTime);
        if (!changes) {
          pushOutage(outages, c.id, c.status, incident.startedAt, incident.resolvedAt, incident.id);
          continue;
        }
        for (let n = 0; n < changes.length; n++) {
          const start = n === 0 ? incident.startedAt : changes[n].at;
          const next = changes[n + 1]?.at ?? null;
          const end = incident.resolvedAt && (!next || next > incident.resolvedAt) ? incident.resolvedAt : next;
          pushOutage(outages, c.id, changes[n].status, start, end, incident.id);
        }
      }
    } else if (incident.status !== 'scheduled') {
      const start = maintenanceStart(incident);
      if (start > now) continue;
      for (const c of incident.components) pushOutage(outages, c.id, 'under_maintenance', start, incident.resolvedAt, incident.id);
    }
  }
  for (const [componentId, rows] of own) {
    rows.sort(byTime);
    for (let n = 0; n < rows.length; n++) pushOutage(outages, componentId, rows[n].status, rows[n].at, rows[n + 1]?.at ?? null, null);
  }
  return outages;
}

// Module functions, not closures in collectOutages: every page with bars runs it, and V8 keeps optimized code for these.
function pushOutage(outages: Outage[], componentId: string, status: ComponentStatus, start: Date, end: Date | null, incidentId: string | null) {
  if (status !== 'operational' && (end === null || end > start)) outages.push({ componentId, status, start, end, incidentId });
}

function byTime(a: ComponentStatusLogRow, b: ComponentStatusLogRow): number {
  return a.at.getTime() - b.at.getTime() || a.id - b.id;
}

/** When a maintenance window began: its first "in progress" update (updates are newest first), else when it was scheduled for. */
function maintenanceStart(incident: Incident): Date {
  for (let n = incident.updates.length - 1; n >= 0; n--) if (incident.updates[n].status === 'in_progress') return incident.updates[n].at;
  return incident.scheduledFor ?? incident.startedAt;
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
type DayBounds = { day: LocalDay; from: number; end: number };
const boundsByKey = new Map<string, DayBounds[]>();

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
  options: BarOptions = {},
): UptimeBar {
  const bounds = dayBounds(localDay(now, timeZone), timeZone, dayCount);
  if (bounds.length === 0) return { days: [], percent: 100 };
  const today = bounds[bounds.length - 1];
  const mine = outages.filter((o) => o.componentId === componentId);
  const watchedFrom = watchedSince(mine, options);
  const past = settledDays(componentId, timeZone, mine, watchedFrom, now, bounds, options);
  // Today's cell changes with the clock; the days before it only when what they show does.
  // It is worked out from the outages that reach into today, watched from when the whole history says.
  const reachingToday = mine.filter((o) => o.end === null || o.end.getTime() > today.from);
  const current = uptimeOver(componentId, reachingToday, now, [today], { ...options, since: Number.isFinite(watchedFrom) ? new Date(watchedFrom) : undefined }).days[0];
  const observedMs = past.observedMs + current.observedMs;
  const downtimeMs = past.downtimeMs + current.downtimeMs;
  return { days: [...past.days, current], percent: floorPercent(observedMs > 0 ? 1 - downtimeMs / observedMs : 1) };
}

interface SettledDays {
  /** Everything the days before today depend on. */
  key: string;
  days: DayCell[];
  observedMs: number;
  downtimeMs: number;
}

/** The days before today of each bar as last worked out, by component, zone and length; cleared past settledLimit. */
const settled = new Map<string, SettledDays>();
const settledLimit = 2_048;

/**
 * The days of a bar before today. They are over, so they change only when an
 * outage or correction that touches them does: worked out again then, and
 * otherwise taken as they were (every page with bars renders them after each
 * write, and most writes touch one component's today, if any). The key holds
 * what the days see of the outages, clipped at today's start, so an outage
 * still open only changes today. Callers must not change the cells they get.
 */
function settledDays(componentId: string, timeZone: string, mine: Outage[], watchedFrom: number, now: Date, bounds: DayBounds[], options: BarOptions): SettledDays {
  const today = bounds[bounds.length - 1];
  let key = String(Math.min(watchedFrom, today.from));
  for (const o of mine) {
    const start = o.start.getTime();
    if (start < today.from) key += `|${o.status} ${start} ${Math.min(o.end?.getTime() ?? Infinity, today.from)}`;
  }
  for (const [day, c] of options.corrections ?? []) if (day < today.day) key += `|${day} ${c.percent} ${c.at.getTime()} ${c.reason}`;
  const slot = `${componentId}\n${timeZone}\n${today.day}\n${bounds.length}`;
  const known = settled.get(slot);
  if (known?.key === key) return known;
  const { days } = uptimeOver(componentId, mine, now, bounds.slice(0, -1), options);
  let observedMs = 0;
  let downtimeMs = 0;
  for (const d of days) {
    observedMs += d.observedMs;
    downtimeMs += d.downtimeMs;
  }
  const fresh = { key, days, observedMs, downtimeMs };
  if (!known && settled.size >= settledLimit) settled.clear();
  settled.set(slot, fresh);
  return fresh;
}

/** The days of a calendar month in the page's zone (those up to today), with their bounds. */
export function monthDays(month: string, timeZone: string, now: Date) {
  const today = localDay(now, timeZone);
  const days: DayBounds[] = [];
  for (let day = `${month}-01`; day.startsWith(month) && day <= today; day = addDays(day, 1)) {
    days.push({ day, from: startOfLocalDay(day, timeZone).getTime(), end: startOfLocalDay(addDays(day, 1), timeZone).getTime() });
  }
  return days;
}

/** When a component's watch began (ms; -Infinity for always): its creation, or its first outage if the history says it existed earlier. */
function watchedSince(mine: Outage[], options: BarOptions): number {
  let from = options.since?.getTime() ?? -Infinity;
  for (const o of mine) from = Math.min(from, o.start.getTime());
  return from;
}

/** One component's uptime over these days (in order): the cells and the percentage, by the formula above. */
export function uptimeOver(componentId: string, outages: Outage[], now: Date, bounds: DayBounds[], options: BarOptions = {}): UptimeBar {
  const nowMs = now.getTime();
  const mine = outages.filter((o) => o.componentId === componentId);
  const watchedFrom = watchedSince(mine, options);
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
  for (const { day, from: dayStart, end } of bounds) {
    const from = Math.min(Math.max(dayStart, watchedFrom), end);
    const to = Math.max(from, Math.min(end, nowMs));
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
    const observed = to - from;
    const correction = observed > 0 ? (options.corrections?.get(day) ?? null) : null;
    const measured = (msByStatus.major_outage ?? 0) + PARTIAL_OUTAGE_WEIGHT * (msByStatus.partial_outage ?? 0);
    const down = correction ? (1 - correction.percent / 100) * observed : measured;
    days.push({ day, status, downtimeMs: down, msByStatus, observedMs: observed, percent: observed > 0 ? floorPercent(1 - down / observed) : null, correction });
    observedMs += observed;
    downtimeMs += down;
  }
  const ratio = observedMs > 0 ? 1 - downtimeMs / observedMs : 1;
  return { days, percent: floorPercent(ratio) };
}

/** One outage's share of a day: what the day's details list. */
export interface DayCause {
  incidentId: string | null;
  status: ComponentStatus;
  /** Of the day, how long this outage lasted (overlapping ones each count their own). */
  ms: number;
  start: Date;
  end: Date | null;
}

/** The outages of one component that touched one day, longest first: what made the day's cell. */
export function dayCauses(componentId: string, outages: Outage[], day: LocalDay, timeZone: string, now: Date): DayCause[] {
  const from = startOfLocalDay(day, timeZone).getTime();
  const to = Math.min(startOfLocalDay(addDays(day, 1), timeZone).getTime(), now.getTime());
  return outages
    .filter((o) => o.componentId === componentId)
    .map((o) => ({ o, ms: Math.min((o.end ?? now).getTime(), to) - Math.max(o.start.getTime(), from) }))
    .filter(({ ms }) => ms > 0)
    .sort((a, b) => b.ms - a.ms)
    .map(({ o, ms }) => ({ incidentId: o.incidentId, status: o.status, ms, start: o.start, end: o.end }));
}

/** One component's calendar month. */
export interface MonthUptime {
  id: string;
  name: string;
  /** 0..100 rounded down to two decimals; null when it was not watched at all that month. */
  percent: number | null;
  downtimeMs: number;
  observedMs: number;
  /** ms in each non-operational status over the month. */
  msByStatus: Partial<Record<ComponentStatus, number>>;
  /** Days staff corrected. */
  correctedDays: LocalDay[];
}

export interface MonthReport {
  month: string;
  timeZone: string;
  components: MonthUptime[];
  /** The page as a whole: all components' downtime over all their watched time. */
  percent: number | null;
}

/**
 * Uptime per component for a calendar month in the page's zone (up to now for
 * the current month), by the formula above, with staff corrections applied;
 * and the page's, weighting each component by the time it was watched.
 */
export function monthlyUptime(
  components: { id: string; name: string; createdAt: Date }[],
  outages: Outage[],
  month: string,
  timeZone: string,
  now: Date,
  corrections: ReadonlyMap<string, ReadonlyMap<LocalDay, UptimeCorrection>> = new Map(),
): MonthReport {
  const days = monthDays(month, timeZone, now);
  const rows = components.map((c): MonthUptime => {
    const bar = uptimeOver(c.id, outages, now, days, { since: c.createdAt, corrections: corrections.get(c.id) });
    const msByStatus: MonthUptime['msByStatus'] = {};
    let observedMs = 0;
    let downtimeMs = 0;
    for (const d of bar.days) {
      observedMs += d.observedMs;
      downtimeMs += d.downtimeMs;
      for (const [status, ms] of Object.entries(d.msByStatus)) msByStatus[status as ComponentStatus] = (msByStatus[status as ComponentStatus] ?? 0) + ms!;
    }
    return {
      id: c.id,
      name: c.name,
      percent: observedMs > 0 ? floorPercent(1 - downtimeMs / observedMs) : null,
      downtimeMs,
      observedMs,
      msByStatus,
      correctedDays: bar.days.filter((d) => d.correction).map((d) => d.day),
    };
  });
  const observed = rows.reduce((n, r) => n + r.observedMs, 0);
  const down = rows.reduce((n, r) => n + r.downtimeMs, 0);
  return { month, timeZone, components: rows, percent: observed > 0 ? floorPercent(1 - down / observed) : null };
}

/** The report as CSV (RFC 4180): one row per component, then the page. */
export function monthReportCsv(report: MonthReport): string {
  const field = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    // Quoted when needed, and a leading = + - @ defused so a spreadsheet never runs a name as a formula.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const minutes = (ms: number | undefined) => Math.round((ms ?? 0) / 60_000);
  const lines = [['month', 'time_zone', 'component_id', 'component', 'uptime_percent', 'downtime_minutes', 'watched_minutes', 'major_outage_minutes', 'partial_outage_minutes', 'degraded_performance_minutes', 'under_maintenance_minutes', 'corrected_days']];
  for (const c of report.components) {
    lines.push([report.month, report.timeZone, c.id, c.name, c.percent === null ? '' : c.percent.toFixed(2), String(minutes(c.downtimeMs)), String(minutes(c.observedMs)), ...(['major_outage', 'partial_outage', 'degraded_performance', 'under_maintenance'] as const).map((s) => String(minutes(c.msByStatus[s]))), c.correctedDays.join(' ')]);
  }
  lines.push([report.month, report.timeZone, '', 'All components', report.percent === null ? '' : report.percent.toFixed(2), String(minutes(report.components.reduce((n, c) => n + c.downtimeMs, 0))), String(minutes(report.components.reduce((n, c) => n + c.observedMs, 0))), '', '', '', '', '']);
  return lines.map((line) => line.map(field).join(',')).join('\r\n') + '\r\n';
}
