// Builders for domain values in unit tests, with unique ids so tests never collide.
import type { Component, Incident, IncidentUpdate } from '../../src/lib/model';

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

export function incident(overrides: Partial<Incident> = {}): Incident {
  const startedAt = overrides.startedAt ?? new Date('2026-09-01T10:00:00Z');
  const updates: IncidentUpdate[] = overrides.updates ?? [];
  return {
    id: uniqueId('incident'),
    kind: 'incident',
    title: 'Something broke',
    impact: 'minor',
    status: 'investigating',
    components: [],
    startedAt,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    updates,
    source: 'live',
    filePath: null,
    updatedAt: startedAt,
    ...overrides,
  };
}
