// The status roll-up: what each component shows now, and the page's overall
// indicator. The rule, documented in docs/staff.md: the worst wins.
//   component now = worst of its live status, the status every open incident gives
//                   it, and under_maintenance while a maintenance covering it runs;
//   page          = worst of the open incidents' impacts and the components'
//                   statuses (major outage → major, partial outage or degraded →
//                   minor); `maintenance` only when nothing is worse.
import {
  componentStatusSeverity,
  impactSeverity,
  type ComponentStatus,
  type IncidentImpact,
} from '../db/constants';
import type { Component, Incident } from './model';
import { activeIncidents, activeMaintenance } from './timeline';

export type Indicator = IncidentImpact | 'maintenance';

/** What the page's headline says, as a key of the interface's messages (`page.<headline>`). */
export type Headline = 'all_operational' | 'under_maintenance' | 'partial_outage' | 'degraded' | 'minor_outage' | 'major_outage';

/** Statuspage's wording of each headline, as its JSON API gives it (in English, as every client of it expects). */
const statuspageWords: Record<Headline, string> = {
  all_operational: 'All Systems Operational',
  under_maintenance: 'Service Under Maintenance',
  partial_outage: 'Partial System Outage',
  degraded: 'Partially Degraded Service',
  minor_outage: 'Minor Service Outage',
  major_outage: 'Major Service Outage',
};

export interface PageStatus {
  indicator: Indicator;
  headline: Headline;
  /** Statuspage's wording, e.g. "Partial System Outage". */
  description: string;
}

const headlined = (indicator: Indicator, headline: Headline): PageStatus => ({ indicator, headline, description: statuspageWords[headline] });

export function worstComponentStatus(statuses: ComponentStatus[]): ComponentStatus {
  return statuses.reduce<ComponentStatus>(
    (worst, s) => (componentStatusSeverity[s] > componentStatusSeverity[worst] ? s : worst),
    'operational',
  );
}

/** Components with the status they show now, given the open incidents and running maintenance. */
export function currentComponentStatuses(components: Component[], incidents: Incident[]): Component[] {
  const imposed = new Map<string, ComponentStatus[]>();
  const impose = (id: string, status: ComponentStatus) => {
    const list = imposed.get(id);
    if (list) list.push(status);
    else imposed.set(id, [status]);
  };
  for (const incident of activeIncidents(incidents)) {
    for (const c of incident.components) impose(c.id, c.status);
  }
  for (const maintenance of activeMaintenance(incidents)) {
    for (const c of maintenance.components) impose(c.id, 'under_maintenance');
  }
  return components.map((c) => {
    const extra = imposed.get(c.id);
    return extra ? { ...c, status: worstComponentStatus([c.status, ...extra]) } : c;
  });
}

const componentIndicator: Record<ComponentStatus, IncidentImpact> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'minor',
  major_outage: 'major',
};

/** The overall indicator from components already passed through currentComponentStatuses. */
export function pageStatus(components: Component[], incidents: Incident[]): PageStatus {
  let indicator: IncidentImpact = 'none';
  const raise = (impact: IncidentImpact) => {
    if (impactSeverity[impact] > impactSeverity[indicator]) indicator = impact;
  };
  for (const incident of activeIncidents(incidents)) raise(incident.impact);
  for (const c of components) raise(componentIndicator[c.status]);

  const statuses = new Set(components.map((c) => c.status));
  if (indicator === 'none') {
    const underMaintenance = statuses.has('under_maintenance') || activeMaintenance(incidents).length > 0;
    return underMaintenance
      ? headlined('maintenance', 'under_maintenance')
      : headlined('none', 'all_operational');
  }
  if (indicator === 'minor') {
    if (statuses.has('partial_outage')) return headlined(indicator, 'partial_outage');
    if (statuses.has('degraded_performance')) return headlined(indicator, 'degraded');
    return headlined(indicator, 'minor_outage');
  }
  return headlined(indicator, 'major_outage');
}

/** The one status scale every view colours by (global.css, `tone-*`). */
export type Tone = 'operational' | 'degraded' | 'partial' | 'major' | 'maintenance';

const componentTones: Record<ComponentStatus, Tone> = {
  operational: 'operational',
  degraded_performance: 'degraded',
  partial_outage: 'partial',
  major_outage: 'major',
  under_maintenance: 'maintenance',
};

/** A component status on the scale. */
export const componentTone = (status: ComponentStatus): Tone => componentTones[status];

/**
 * An incident's impact on the scale, by its word: minor yellow, major and
 * critical red, as "Major outage" and "Major Service Outage" are (orange is
 * for what says "partial").
 */
export function impactTone(impact: IncidentImpact): Tone | 'none' {
  return impact === 'none' ? 'none' : impact === 'minor' ? 'degraded' : 'major';
}

/** The page's overall status on the scale: as the worst thing it names (a major outage is red wherever it is shown). */
export function pageTone(status: PageStatus): Tone {
  switch (status.indicator) {
    case 'none':
      return 'operational';
    case 'maintenance':
      return 'maintenance';
    case 'minor':
      return status.headline === 'partial_outage' ? 'partial' : 'degraded';
    default:
      return 'major';
  }
}
