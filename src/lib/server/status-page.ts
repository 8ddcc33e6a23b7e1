// The read model every public page, feed and API composes from: both sources
// merged, statuses rolled up, outages collected. Pages call loadStatusPage and
// nothing else.
import type { PageSettings } from '../content/catalog';
import type { Component, ComponentGroup, Incident, Outage } from '../model';
import { currentComponentStatuses, pageStatus, type PageStatus } from '../status';
import { mergeTimeline } from '../timeline';
import { collectOutages } from '../uptime';
import { readComponents, readGroups, readLiveLog, readStatusLog } from './live-log';
import type { ComponentStatusLogRow } from '../../db/schema';
import type { Runtime } from './runtime';

export interface StatusPage {
  page: PageSettings;
  siteUrl: string;
  now: Date;
  /** Listed components with the status they show now, in display order. */
  components: Component[];
  /** Groups with their components, then a group with id null for ungrouped ones (omitted when empty). */
  sections: (Omit<ComponentGroup, 'id'> & { id: string | null })[];
  /** Every incident and maintenance, both sources, newest start first. */
  incidents: Incident[];
  status: PageStatus;
  outages: Outage[];
  /** Every logged component status change, oldest first. */
  statusLog: ComponentStatusLogRow[];
}

export function loadStatusPage(runtime: Runtime, now = new Date()): StatusPage {
  const { db, content, config } = runtime;
  const incidents = mergeTimeline(content.authored, readLiveLog(db), now);
  const components = currentComponentStatuses(readComponents(db), incidents);
  const statusLog = readStatusLog(db);
  const sections: StatusPage['sections'] = readGroups(db).map((g) => ({
    ...g,
    components: components.filter((c) => c.groupId === g.id),
  }));
  const ungrouped = components.filter((c) => c.groupId === null);
  if (ungrouped.length) sections.push({ id: null, name: 'Other services', position: sections.length, components: ungrouped });
  return {
    page: content.page,
    siteUrl: config.siteUrl,
    now,
    components,
    sections: sections.filter((s) => s.components.length > 0),
    incidents,
    status: pageStatus(components, incidents),
    outages: collectOutages(incidents, statusLog, now),
    statusLog,
  };
}
