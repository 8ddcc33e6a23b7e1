// Atlassian Statuspage's public v2 format, field for field, so the tools that
// already read Statuspage pages (exporters, chat bots, aggregators, client
// libraries) work when pointed at Herald. Built from the same read model as the
// pages; ids are Herald's own stable ids (a markdown incident's file name, a
// live incident's slug), so they never change across restarts or rebuilds.
import { createHash } from 'node:crypto';
import type { ComponentStatus, UpdateStatus } from '../db/constants';
import type { Component, Incident, IncidentUpdate } from './model';
import type { PageStatus } from './status';
import { worstComponentStatus } from './status';
import { activeIncidents, activeMaintenance, upcomingMaintenance } from './timeline';
import { isoWithOffset } from './time';
import type { Locale } from './i18n/locales';
import { localizedPath } from './i18n/paths';
import { bodyIn, titleIn } from './i18n/staff-words';
import { translator } from './i18n/translate';

/** What the serializer reads: the page's read model plus the component status log. */
export interface StatuspageSource {
  pageName: string;
  siteUrl: string;
  timeZone: string;
  sections: { id: string | null; name: string; components: Component[] }[];
  components: Component[];
  incidents: Incident[];
  status: PageStatus;
}

export interface SpPage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface SpComponent {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  /** Groups only: the ids of their components. */
  components?: string[];
}

export interface SpAffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface SpIncidentUpdate {
  id: string;
  status: UpdateStatus;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: SpAffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: null;
  tweet_id: null;
}

export interface SpIncident {
  id: string;
  name: string;
  status: UpdateStatus;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  /** Incidents: none, minor, major, critical. Scheduled maintenance: `maintenance`, as Statuspage sends. */
  impact: Incident['impact'] | 'maintenance';
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: SpIncidentUpdate[];
  components: SpComponent[];
  scheduled_for?: string | null;
  scheduled_until?: string | null;
  /** Herald's own: when staff promised the next update, while it is open (Statuspage clients ignore unknown fields). */
  next_update_at: string | null;
}

export interface SpStatus {
  indicator: PageStatus['indicator'];
  description: string;
}

/** A page id that stays the same for one site address, in every process: the hash of SITE_URL. */
export function statuspagePageId(siteUrl: string): string {
  return BigInt(`0x${createHash('sha256').update(siteUrl).digest('hex').slice(0, 15)}`).toString(36).padStart(12, '0').slice(-12);
}

/**
 * The documents of /api/v2/*, built once per request from one read of the
 * model. At the plain address they say what Statuspage says, in its English
 * (clients match on those words), with staff's words as written; under a
 * language (/de/api/v2/…), the status in that language's words and staff's
 * where translated.
 */
export function statuspageDocuments(source: StatuspageSource, language?: { locale: Locale; fallback: Locale }) {
  const pageId = statuspagePageId(source.siteUrl);
  const translated = language && language.locale !== language.fallback ? language : null;
  const t = translated ? translator(translated.locale) : null;
  const title = (i: Incident) => (translated ? titleIn(i, translated.locale, translated.fallback).text : i.title);
  const body = (u: IncidentUpdate) => (translated ? bodyIn(u, translated.locale, translated.fallback).text : u.body);
  const link = (path: string) => `${source.siteUrl}${translated ? localizedPath(translated.locale, path, translated.fallback) : path}`;
  const iso = (d: Date) => isoWithOffset(d, source.timeZone);
  const isoOrNull = (d: Date | null) => (d ? iso(d) : null);

  const components: SpComponent[] = [];
  const byId = new Map<string, SpComponent>();
  const componentJson = (c: Component, position: number): SpComponent => ({
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    position,
    description: c.description,
    showcase: true,
    start_date: null,
    group_id: c.groupId,
    page_id: pageId,
    group: false,
    only_show_if_degraded: false,
  });
  for (const section of source.sections) {
    if (section.id !== null) {
      const children = section.components;
      components.push({
        id: section.id,
        name: section.name,
        status: worstComponentStatus(children.map((c) => c.status)),
        created_at: iso(new Date(Math.min(...children.map((c) => c.createdAt.getTime())))),
        updated_at: iso(new Date(Math.max(...children.map((c) => c.updatedAt.getTime())))),
        position: components.length + 1,
        description: null,
        showcase: false,
        start_date: null,
        group_id: null,
        page_id: pageId,
        group: true,
        only_show_if_degraded: false,
        components: children.map((c) => c.id),
      });
    }
    for (const c of section.components) {
      const json = componentJson(c, components.length + 1);
      components.push(json);
      byId.set(c.id, json);
    }
  }

  const updateJson = (incident: Incident, u: IncidentUpdate): SpIncidentUpdate => ({
    id: u.id,
    status: u.status,
    body: body(u),
    incident_id: incident.id,
    created_at: iso(u.at),
    updated_at: iso(u.editedAt ?? u.at),
    display_at: iso(u.at),
    // What this update changed (timeline.ts); the resolving update returns components to operational.
    affected_components: u.componentChanges.length
      ? u.componentChanges.map((c) => ({ code: c.id, name: byId.get(c.id)?.name ?? c.id, old_status: c.from, new_status: c.to }))
      : null,
    deliver_notifications: u.notified,
    custom_tweet: null,
    tweet_id: null,
  });

  const incidentJson = (incident: Incident): SpIncident => {
    const firstAt = incident.updates.at(-1)?.at ?? incident.startedAt;
    const monitoring = incident.updates.filter((u) => u.status === 'monitoring').at(-1);
    const json: SpIncident = {
      id: incident.id,
      name: title(incident),
      status: incident.status,
      created_at: iso(firstAt < incident.startedAt ? firstAt : incident.startedAt),
      updated_at: iso(incident.updatedAt),
      monitoring_at: isoOrNull(monitoring?.at ?? null),
      resolved_at: isoOrNull(incident.resolvedAt),
      impact: incident.kind === 'maintenance' ? 'maintenance' : incident.impact,
      shortlink: link(`/incidents/${incident.id}`),
      started_at: iso(incident.startedAt),
      page_id: pageId,
      incident_updates: incident.updates.map((u) => updateJson(incident, u)),
      components: incident.components.flatMap((c) => byId.get(c.id) ?? []),
      next_update_at: isoOrNull(incident.nextUpdateBy),
    };
    if (incident.kind === 'maintenance') {
      json.scheduled_for = isoOrNull(incident.scheduledFor);
      json.scheduled_until = isoOrNull(incident.scheduledUntil);
    }
    return json;
  };

  const latest = Math.max(0, ...source.components.map((c) => c.updatedAt.getTime()), ...source.incidents.map((i) => i.updatedAt.getTime()));
  const page: SpPage = { id: pageId, name: source.pageName, url: source.siteUrl, time_zone: source.timeZone, updated_at: iso(new Date(latest)) };
  const status: SpStatus = { indicator: source.status.indicator, description: t ? t(`page.${source.status.headline}`) : source.status.description };
  const incidents = source.incidents.filter((i) => i.kind === 'incident');
  const maintenances = source.incidents.filter((i) => i.kind === 'maintenance');
  const byCreation = (a: Incident, b: Incident) => b.startedAt.getTime() - a.startedAt.getTime();
  const soonestFirst = (a: Incident, b: Incident) => (a.scheduledFor?.getTime() ?? 0) - (b.scheduledFor?.getTime() ?? 0);
  const active = activeMaintenance(source.incidents).sort(soonestFirst).map(incidentJson);
  const upcoming = upcomingMaintenance(source.incidents).sort(soonestFirst).map(incidentJson);
  const unresolved = activeIncidents(source.incidents).sort(byCreation).map(incidentJson);

  return {
    summary: () => ({ page, components, incidents: unresolved, scheduled_maintenances: [...active, ...upcoming], status }),
    status: () => ({ page, status }),
    components: () => ({ page, components }),
    incidents: () => ({ page, incidents: [...incidents].sort(byCreation).slice(0, 50).map(incidentJson) }),
    unresolvedIncidents: () => ({ page, incidents: unresolved }),
    scheduledMaintenances: () => ({ page, scheduled_maintenances: [...maintenances].sort(byCreation).slice(0, 50).map(incidentJson) }),
    upcomingMaintenances: () => ({ page, scheduled_maintenances: upcoming }),
    activeMaintenances: () => ({ page, scheduled_maintenances: active }),
  };
}

export type StatuspageDocuments = ReturnType<typeof statuspageDocuments>;
