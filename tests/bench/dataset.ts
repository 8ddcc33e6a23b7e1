// The benchmark's data: a status page that has been running for two years.
// 30 components in 6 groups, incidents and maintenance spread over the history
// with realistic component changes (so the 90-day bars have something to show),
// an incident open right now, and confirmed subscribers. Everything is planned
// from a seeded random generator, so every run builds the same history.
//
// buildDataset writes the plan through the real staff actions (the same code
// the console, the API and the CLI call), backdated with their `now` argument.
// writeBulkHistory writes a plan with plain INSERTs in one transaction, the
// same rows the actions would write, for histories too big to replay.
import { subscribers } from '../../src/db/schema';
import type { ComponentStatus, IncidentImpact, UpdateStatus } from '../../src/db/constants';
import { readContentFolder, type Content } from '../../src/lib/content/index';
import { syncCatalog } from '../../src/lib/server/publishing/content-sync';
import { createComponent, createGroup } from '../../src/lib/server/publishing/component-actions';
import { slugify } from '../../src/lib/server/publishing/ids';
import { openDatabase, type HeraldDb } from '../../src/lib/server/db';
import { contentFolder } from '../../src/lib/server/paths';
import {
  createIncident,
  postUpdate,
  scheduleMaintenance,
  setComponentStatus,
  type ComponentChange,
  type LogContext,
} from '../../src/lib/server/publishing/staff-actions';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The catalog the benchmark adds to the example content's: 6 groups of 5. */
export const benchCatalog: { group: string; components: string[] }[] = [
  { group: 'Web application', components: ['Sign-in', 'Dashboard', 'Search', 'File uploads', 'In-app notifications'] },
  { group: 'Public API', components: ['REST API', 'GraphQL API', 'Webhook delivery', 'API authentication', 'Rate limiting'] },
  { group: 'Payments', components: ['Card payments', 'Invoicing', 'Refunds', 'Payouts', 'Fraud screening'] },
  { group: 'Data platform', components: ['Reporting', 'Data exports', 'Event ingestion', 'Scheduled jobs', 'Analytics dashboards'] },
  { group: 'Mobile apps', components: ['iOS app', 'Android app', 'Push notifications', 'Offline sync', 'Mobile sign-in'] },
  {
    group: 'Regions',
    components: ['EU (Frankfurt)', 'US East (Virginia)', 'US West (Oregon)', 'Asia Pacific (Singapore)', 'South America (Sao Paulo)'],
  },
];

export const benchComponentNames = benchCatalog.flatMap((g) => g.components);

/** mulberry32: small, fast and good enough to pick titles and durations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
const between = (rng: Rng, low: number, high: number) => low + rng() * (high - low);

export interface PlannedUpdate {
  at: Date;
  status: UpdateStatus;
  message: string;
  components: ComponentChange[];
}

export interface PlannedIncident {
  kind: 'incident' | 'maintenance';
  title: string;
  impact: IncidentImpact;
  startedAt: Date;
  /** Maintenance only. */
  window?: { from: Date; until: Date; announcedAt: Date };
  components: string[];
  updates: PlannedUpdate[];
}

/** A component's own status change outside any incident (staff setting it by hand). */
export interface PlannedStatusChange {
  componentId: string;
  status: ComponentStatus;
  at: Date;
}

export interface HistoryPlan {
  incidents: PlannedIncident[];
  statusChanges: PlannedStatusChange[];
}

const symptoms: Record<IncidentImpact, string[]> = {
  none: ['Cosmetic problem in'],
  minor: ['Elevated error rates in', 'Slow responses from', 'Intermittent timeouts in', 'Delays in'],
  major: ['Partial outage of', 'Many requests failing in', 'Degraded availability of'],
  critical: ['Outage of', 'Complete outage of', 'No access to'],
};

const causes = [
  'a faulty configuration change',
  'an expired certificate on an internal load balancer',
  'a database failover that did not complete',
  'a full disk on a storage node',
  'a bad deploy of the routing layer',
  'an upstream provider network problem',
  'connection pool exhaustion under a traffic spike',
  'a cache cluster that lost quorum',
];

function paragraph(rng: Rng, names: string[]): string {
  const who = names.join(' and ');
  return pick(rng, [
    `We are seeing errors for a share of requests to **${who}**. Requests that fail can be retried safely; nothing is lost.`,
    `Customers may notice slow pages and failed actions in ${who}. Our on-call engineers are investigating and will post again within 30 minutes.`,
    `The cause is ${pick(rng, causes)}. We are rolling back and watching error rates closely.\n\n- Affected: ${who}\n- Not affected: stored data, billing`,
    `Error rates for ${who} are back to normal levels after the fix. We keep monitoring for another hour before we close this incident.`,
    `We have identified ${pick(rng, causes)} as the cause and are applying a fix region by region. See [our engineering blog](https://example.com/blog) for background.`,
    `Most requests to ${who} succeed again, but some customers still see \`503 Service Unavailable\` now and then. We are working on the remaining errors.`,
  ]);
}

function postmortem(rng: Rng, names: string[]): string {
  return [
    '### What happened',
    `${names.join(' and ')} failed for part of our customers. The trigger was ${pick(rng, causes)}; our alerting fired within two minutes, but rolling back took longer than it should have.`,
    '### Impact',
    'Requests during the window failed or were slow; no data was lost. Retries after the resolution succeeded.',
    '### What we are changing',
    '1. Stage configuration changes region by region, with an automatic rollback on error rates.\n2. Add a runbook step for the failover that did not complete.\n3. Load-test the connection pools at twice the observed peak.',
    '### Timeline',
    'All times are in UTC and in the updates above. We are sorry for the trouble this caused.',
  ].join('\n\n');
}

const openingStatus: Record<IncidentImpact, ComponentStatus> = {
  none: 'degraded_performance',
  minor: 'degraded_performance',
  major: 'partial_outage',
  critical: 'major_outage',
};

/**
 * Plans `count` incidents and maintenance between `from` and `to`, plus a few
 * manual status changes. `names` maps component ids to names for the texts;
 * `groups` lists component ids per group (an incident mostly stays in one).
 */
export function planHistory(rng: Rng, groups: string[][], names: Map<string, string>, count: number, from: Date, to: Date): HistoryPlan {
  const incidents: PlannedIncident[] = [];
  for (let n = 0; n < count; n++) {
    const start = new Date(Math.round(between(rng, from.getTime(), to.getTime()) / minute) * minute);
    const group = pick(rng, groups);
    const affected = [...new Set(Array.from({ length: 1 + Math.floor(rng() * rng() * 3) }, () => pick(rng, rng() < 0.85 ? group : groups.flat())))];
    const label = affected.map((id) => names.get(id)!);
    if (rng() < 0.1) {
      // Maintenance: announced days ahead, in progress, completed.
      const until = new Date(start.getTime() + pick(rng, [30, 60, 90, 120]) * minute);
      const announcedAt = new Date(start.getTime() - between(rng, 2, 10) * day);
      incidents.push({
        kind: 'maintenance',
        title: `${pick(rng, ['Planned upgrade of', 'Scheduled maintenance of', 'Database maintenance for'])} ${label.join(' and ')}`,
        impact: 'none',
        startedAt: start,
        window: { from: start, until, announcedAt },
        components: affected,
        updates: [
          { at: announcedAt, status: 'scheduled', message: `We will upgrade ${label.join(' and ')}. Expect short interruptions of a few seconds.`, components: [] },
          { at: start, status: 'in_progress', message: 'The maintenance has started.', components: [] },
          { at: until, status: 'completed', message: 'The maintenance is complete and everything works as usual.', components: [] },
        ],
      });
      continue;
    }
    const roll = rng();
    const impact: IncidentImpact = roll < 0.5 ? 'minor' : roll < 0.85 ? 'major' : 'critical';
    // Log-uniform between 15 minutes and 10 hours: most are short, a few drag on.
    const duration = Math.exp(between(rng, Math.log(15), Math.log(600))) * minute;
    const end = start.getTime() + duration;
    const at = (fraction: number) => new Date(Math.round(start.getTime() + fraction * duration));
    const updates: PlannedUpdate[] = [
      { at: at(0), status: 'investigating', message: paragraph(rng, label), components: affected.map((id) => ({ id, status: openingStatus[impact] })) },
    ];
    const middle = Math.floor(rng() * 5); // 0 to 4 more updates before monitoring
    for (let m = 0; m < middle; m++) {
      updates.push({ at: at(0.1 + (0.6 * (m + 1)) / (middle + 1)), status: m === 0 ? 'identified' : pick(rng, ['identified', 'investigating'] as const), message: paragraph(rng, label), components: [] });
    }
    updates.push({
      at: at(0.8),
      status: 'monitoring',
      message: paragraph(rng, label),
      components: impact === 'minor' ? [] : affected.map((id) => ({ id, status: 'degraded_performance' as const })),
    });
    updates.push({ at: new Date(end), status: 'resolved', message: `${label.join(' and ')} ${label.length > 1 ? 'work' : 'works'} normally again.`, components: affected.map((id) => ({ id, status: 'operational' as const })) });
    if (impact !== 'minor' && rng() < 0.4 && end + 2 * day < to.getTime()) updates.push({ at: new Date(end + 2 * day), status: 'postmortem', message: postmortem(rng, label), components: [] });
    const title = `${pick(rng, symptoms[impact])} ${label.join(' and ')}`;
    incidents.push({ kind: 'incident', title, impact, startedAt: start, components: affected, updates });
  }
  // Staff marking a component degraded by hand now and then, for an hour or a few.
  const statusChanges: PlannedStatusChange[] = [];
  for (let n = 0; n < Math.ceil(count / 25); n++) {
    const componentId = pick(rng, groups.flat());
    const at = new Date(Math.round(between(rng, from.getTime(), to.getTime() - 6 * hour) / minute) * minute);
    statusChanges.push({ componentId, status: pick(rng, ['degraded_performance', 'partial_outage'] as const), at });
    statusChanges.push({ componentId, status: 'operational', at: new Date(at.getTime() + between(rng, 1, 6) * hour) });
  }
  incidents.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  statusChanges.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { incidents, statusChanges };
}

/** The incident open while the benchmark runs: incident traffic is why visitors come. */
export function openIncident(groups: string[][], names: Map<string, string>, now: Date): PlannedIncident {
  const affected = [groups[1][0], groups[1][2]];
  const label = affected.map((id) => names.get(id)!).join(' and ');
  const ago = (minutes: number) => new Date(now.getTime() - minutes * minute);
  return {
    kind: 'incident',
    title: `Many requests failing in ${label}`,
    impact: 'major',
    startedAt: ago(45),
    components: affected,
    updates: [
      { at: ago(45), status: 'investigating', message: `A share of requests to **${label}** fail with errors. We are investigating.`, components: affected.map((id) => ({ id, status: 'partial_outage' as const })) },
      { at: ago(25), status: 'identified', message: 'A configuration change to the routing layer is the cause. We are rolling it back.', components: [] },
      { at: ago(10), status: 'identified', message: 'The rollback is under way in two of three regions.', components: [] },
    ],
  };
}

/** The catalog as ids: [group ids], [[component ids per group]], id → name. */
function catalogIds() {
  const names = new Map<string, string>();
  const groups = benchCatalog.map((g) =>
    g.components.map((name) => {
      names.set(slugify(name), name);
      return slugify(name);
    }),
  );
  return { groups, names };
}

export interface DatasetCounts {
  components: number;
  groups: number;
  incidents: number;
  maintenance: number;
  updates: number;
  statusChanges: number;
  subscribers: number;
  openIncidentId: string;
  /** A resolved incident from the last month with a postmortem: the incident page the benchmark loads. */
  sampleIncidentId: string;
}

/** Creates the benchmark's groups and components through the console's actions (source 'console', so the server keeps them). */
function createCatalog(ctx: LogContext, at: Date) {
  for (const group of benchCatalog) {
    const groupId = createGroup(ctx, { name: group.group }, at);
    for (const name of group.components) createComponent(ctx, { name, groupId }, at);
  }
}

/** Confirmed email subscribers following everything, in bulk (as scripts/bench-notify.ts does). */
function addSubscribers(db: HeraldDb, count: number, at: Date) {
  db.transaction((tx) => {
    for (let start = 0; start < count; start += 5000) {
      const rows = [];
      for (let n = start; n < Math.min(start + 5000, count); n++) rows.push({ kind: 'email' as const, address: `reader${n}@example.com`, confirmedAt: at, createdAt: at });
      tx.insert(subscribers).values(rows).run();
    }
  });
}

/**
 * A fresh database at `path` with the real schema and migrations, the example
 * content's catalog (as the server syncs it), the benchmark's 30 components,
 * `incidents` incidents and maintenance over `years` years through the staff
 * actions, one open incident, and `subscriberCount` confirmed subscribers.
 */
export function buildDataset(path: string, { incidents: count = 1000, years = 2, subscriberCount = 100_000, seed = 2026 } = {}): DatasetCounts {
  const now = new Date();
  const db = openDatabase(path);
  // A one-off load: no need to wait for the disk after every commit (the server opens it with FULL again).
  db.$client.pragma('synchronous = OFF');
  const content: Content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  const ctx: LogContext = { db, authored: content.authored };
  const from = new Date(now.getTime() - years * 365 * day);
  createCatalog(ctx, from);
  const { groups, names } = catalogIds();
  const plan = planHistory(seededRandom(seed), groups, names, count, from, new Date(now.getTime() - 12 * hour));

  let updates = 0;
  let sampleIncidentId = '';
  const ids: string[] = [];
  for (const incident of plan.incidents) {
    const [first, ...rest] = incident.updates;
    let id: string;
    if (incident.kind === 'maintenance') {
      const window = incident.window!;
      id = scheduleMaintenance(
        ctx,
        { title: incident.title, scheduledFor: window.from, scheduledUntil: window.until, message: first.message, components: incident.components, notify: false },
        window.announcedAt,
      );
    } else {
      id = createIncident(ctx, { title: incident.title, impact: incident.impact, status: first.status, message: first.message, components: first.components, notify: false }, first.at);
    }
    for (const update of rest) postUpdate(ctx, id, { status: update.status, message: update.message, components: update.components, notify: false }, update.at);
    updates += incident.updates.length;
    ids.push(id);
    const age = now.getTime() - incident.startedAt.getTime();
    if (age > 5 * day && age < 40 * day && incident.updates.some((u) => u.status === 'postmortem')) sampleIncidentId = id;
  }
  for (const change of plan.statusChanges) setComponentStatus(ctx, change.componentId, change.status, change.at);

  const open = openIncident(groups, names, now);
  const openIncidentId = createIncident(
    ctx,
    { title: open.title, impact: open.impact, status: open.updates[0].status, message: open.updates[0].message, components: open.updates[0].components, notify: false },
    open.updates[0].at,
  );
  for (const update of open.updates.slice(1)) postUpdate(ctx, openIncidentId, { status: update.status, message: update.message, components: update.components, notify: false }, update.at);
  updates += open.updates.length;

  addSubscribers(db, subscriberCount, from);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  return {
    components: benchComponentNames.length,
    groups: benchCatalog.length,
    incidents: plan.incidents.filter((i) => i.kind === 'incident').length + 1,
    maintenance: plan.incidents.filter((i) => i.kind === 'maintenance').length,
    updates,
    statusChanges: plan.statusChanges.length,
    subscribers: subscriberCount,
    openIncidentId,
    sampleIncidentId: sampleIncidentId || ids.at(-1)!,
  };
}

/**
 * A database with the same catalog and `recent` incidents in the last 90 days
 * (the same ones whatever `total`), and `total - recent` older ones spread over
 * the two years before, written with plain INSERTs in one transaction: the rows
 * the staff actions would write (incident, updates, components, status log,
 * closed_at), without the audit entries. For comparing a small and a huge history.
 */
export function buildHistoryOnly(path: string, { total, recent = 12, seed = 7 }: { total: number; recent?: number; seed?: number }) {
  const now = new Date();
  const db = openDatabase(path);
  db.$client.pragma('synchronous = OFF');
  const content = readContentFolder(contentFolder);
  syncCatalog(db, content.catalog);
  const ctx: LogContext = { db, authored: content.authored };
  const from = new Date(now.getTime() - 2 * 365 * day);
  createCatalog(ctx, from);
  const { groups, names } = catalogIds();
  const recentPlan = planHistory(seededRandom(seed), groups, names, recent, new Date(now.getTime() - 89 * day), new Date(now.getTime() - 12 * hour));
  const olderPlan = planHistory(seededRandom(seed + 1), groups, names, total - recent, from, new Date(now.getTime() - 92 * day));
  const updates = writeBulkHistory(db, {
    incidents: [...olderPlan.incidents, ...recentPlan.incidents],
    statusChanges: [...olderPlan.statusChanges, ...recentPlan.statusChanges],
  });
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  return { incidents: total, updates };
}

/** Writes a plan with prepared INSERTs in one transaction; returns the number of updates. */
export function writeBulkHistory(db: HeraldDb, plan: HistoryPlan): number {
  const sqlite = db.$client;
  const insertIncident = sqlite.prepare(
    'INSERT INTO incidents (id, kind, title, impact, started_at, scheduled_for, scheduled_until, created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertUpdate = sqlite.prepare('INSERT INTO incident_updates (incident_id, status, body, at, notify) VALUES (?, ?, ?, ?, 0)');
  const upsertComponent = sqlite.prepare(
    'INSERT INTO incident_components (incident_id, component_id, status) VALUES (?, ?, ?) ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status',
  );
  const logStatus = sqlite.prepare('INSERT INTO component_status_log (component_id, status, at, incident_id) VALUES (?, ?, ?, ?)');
  const taken = new Set<string>();
  let updates = 0;
  sqlite.transaction(() => {
    for (const incident of plan.incidents) {
      const base = `${incident.startedAt.toISOString().slice(0, 10)}-${slugify(incident.title)}`;
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      taken.add(id);
      const last = incident.updates.at(-1)!;
      const closedAt = ['resolved', 'postmortem', 'completed'].includes(last.status) ? last.at.getTime() : null;
      const created = incident.window?.announcedAt ?? incident.startedAt;
      insertIncident.run(
        id,
        incident.kind,
        incident.title,
        incident.impact,
        incident.startedAt.getTime(),
        incident.window?.from.getTime() ?? null,
        incident.window?.until.getTime() ?? null,
        created.getTime(),
        closedAt,
      );
      if (incident.kind === 'maintenance') for (const c of incident.components) upsertComponent.run(id, c, 'under_maintenance');
      for (const update of incident.updates) {
        insertUpdate.run(id, update.status, update.message, update.at.getTime());
        for (const change of update.components) {
          upsertComponent.run(id, change.id, change.status);
          logStatus.run(change.id, change.status, update.at.getTime(), id);
        }
        updates++;
      }
    }
    for (const change of plan.statusChanges) logStatus.run(change.componentId, change.status, change.at.getTime(), null);
  })();
  return updates;
}
