// Builders for domain values in unit tests, with unique ids so tests never collide.
import type { AffectedComponent, Component, Incident, IncidentUpdate } from '../../src/lib/model';

let counter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${++counter}`;

export function component(overrides: Partial<Component> = {}): Component {
  return {
    id: uniqueId('component'),
    name: 'Component',
    description: null,
    groupId: null,
    position: 0,
    status: 'operational',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** An update as tests write it: what the timeline works out (automatic, changes) defaults to nothing. */
export type UpdateInput = Omit<IncidentUpdate, 'automatic' | 'componentChanges' | 'nextUpdateBy' | 'promiseKept'> & Partial<Pick<IncidentUpdate, 'automatic' | 'componentChanges' | 'nextUpdateBy' | 'promiseKept'>>;
type ComponentInput = Omit<AffectedComponent, 'peak'> & Partial<Pick<AffectedComponent, 'peak'>>;
export type IncidentInput = Partial<Omit<Incident, 'updates' | 'components'>> & { updates?: UpdateInput[]; components?: ComponentInput[] };

export function update(input: UpdateInput): IncidentUpdate {
  return { automatic: false, componentChanges: [], nextUpdateBy: null, promiseKept: false, ...input };
}

export function incident(overrides: IncidentInput = {}): Incident {
  const startedAt = overrides.startedAt ?? new Date('2026-09-01T10:00:00Z');
  return {
    id: uniqueId('incident'),
    kind: 'incident',
    title: 'Something broke',
    impact: 'minor',
    status: 'investigating',
    startedAt,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    source: 'live',
    filePath: null,
    templateId: null,
    occurrence: null,
    updatedAt: startedAt,
    nextUpdateBy: null,
    ...overrides,
    updates: (overrides.updates ?? []).map(update),
    components: (overrides.components ?? []).map((c) => ({ peak: c.status, ...c })),
  };
}
