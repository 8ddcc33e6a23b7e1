// The whole page's read: both sources merged, statuses rolled up, outages
// collected. `/` reads it for 90 days; the named reads in queries.ts read
// less where their route shows less.
import type { PageSettings } from '../../content/catalog';
import type { Component, ComponentGroup, Incident, Outage } from '../../model';
import { currentComponentStatuses, pageStatus, type PageStatus } from '../../status';
import { mergeTimeline } from '../../timeline';
import { collectOutages } from '../../uptime';
import { readComponents, readGroups, readLiveLog, readRecentTimeline, readStatusLog, reads } from './live-log';
import type { ComponentStatusLogRow } from '../../../db/schema';
import { addDays, localDay, type LocalDay } from '../../time';
import type { UptimeCorrection } from '../../uptime';
import type { HeraldDb } from '../db';
import type { Runtime } from '../runtime';

export interface StatusPage {
  page: PageSettings;
  siteUrl: string;
  now: Date;
  /** Listed components with the status they show now, in display order. */
  components: Component[];
  /** Groups with their components, then a group with id null for ungrouped ones (omitted when empty). */
  sections: (Omit<ComponentGroup, 'id'> & { id: string | null })[];
  /** Every incident and maintenance, both sources, newest start first (with `recentDays`: those that matter in the window). */
  incidents: Incident[];
  status: PageStatus;
  outages: Outage[];
  /** Every logged component status change, oldest first. */
  statusLog: ComponentStatusLogRow[];
  /** Days of uptime staff corrected, by component, then by local day. */
  corrections: UptimeCorrections;
}

export type UptimeCorrections = ReadonlyMap<string, ReadonlyMap<LocalDay, UptimeCorrection>>;

/**
 * Staff's corrections of uptime days from `sinceDay` on (through the day
 * index), optionally of one component: they are few, a handful a year.
 */
export function readUptimeCorrections(db: HeraldDb, sinceDay: LocalDay, componentId?: string): UptimeCorrections {
  const read = reads(db);
  const rows = componentId ? read.correctionsOfSince.all({ day: sinceDay, component: componentId }) : read.correctionsSince.all({ day: sinceDay });
  const byComponent = new Map<string, Map<LocalDay, UptimeCorrection>>();
  for (const row of rows) {
    const days = byComponent.get(row.componentId) ?? new Map<LocalDay, UptimeCorrection>();
    days.set(row.day, { percent: row.percent, reason: row.reason, at: row.createdAt });
    byComponent.set(row.componentId, days);
  }
  return byComponent;
}

/**
 * With `recentDays`, only what matters for that many days back is read from
 * the database (open incidents, recent ones, the status changes behind the
 * uptime bars), through indexes, so the page costs the same however long the
 * live history: `/` needs 90. Markdown incidents are all read, as they are few.
 */
export function loadStatusPage(runtime: Runtime, now = new Date(), { recentDays }: { recentDays?: number } = {}): StatusPage {
  const { db, content, config } = runtime;
  let incidents: Incident[];
  let statusLog: ComponentStatusLogRow[];
  if (recentDays) {
    // A day more than asked: the bars start at the beginning of a day in the page's time zone.
    const since = new Date(now.getTime() - (recentDays + 1) * 86_400_000);
    // Every markdown incident, with its live updates: they are few (files in
    // git), and a live update may reopen one the file says was resolved long ago.
    ({ incidents, statusLog } = readRecentTimeline(db, since, content.authored, now));
  } else {
    incidents = mergeTimeline(content.authored, readLiveLog(db), now);
    statusLog = readStatusLog(db);
  }
  const components = currentComponentStatuses(readComponents(db), incidents);
  return {
    page: content.page,
    siteUrl: config.siteUrl,
    now,
    components,
    sections: readSections(db, components),
    incidents,
    status: pageStatus(components, incidents),
    outages: collectOutages(incidents, statusLog, now),
    statusLog,
    corrections: readUptimeCorrections(db, addDays(localDay(now, content.page.time_zone), -((recentDays ?? 3650) + 1))),
  };
}

/** Groups with their components (as given, in order), then "Other services" for ungrouped ones; empty groups left out. */
export function readSections(db: HeraldDb, components: Component[]): StatusPage['sections'] {
  const sections: StatusPage['sections'] = readGroups(db).map((g) => ({
    ...g,
    components: components.filter((c) => c.groupId === g.id),
  }));
  const ungrouped = components.filter((c) => c.groupId === null);
  if (ungrouped.length) sections.push({ id: null, name: 'Other services', position: sections.length, components: ungrouped });
  return sections.filter((s) => s.components.length > 0);
}

/** What the JSON API's documents need of a read: no bars, no history beyond what they list. */
export type ApiView = Pick<StatusPage, 'page' | 'siteUrl' | 'components' | 'sections' | 'incidents' | 'status'>;

/** What the Statuspage-compatible documents (src/lib/statuspage.ts) are built from. */
export function statuspageSource(view: ApiView) {
  return {
    pageName: view.page.name,
    siteUrl: view.siteUrl,
    timeZone: view.page.time_zone,
    sections: view.sections,
    components: view.components,
    incidents: view.incidents,
    status: view.status,
  };
}
