// What a webhook subscriber receives: one JSON document per update (and when a
// maintenance window is near, starts or ends by the clock), built from the same Incident model as pages and mail.
// Field names are snake_case like the public JSON API; `delivery_id` is stable
// across retries, so a receiver that stores it never acts on one event twice.
import type { Incident, IncidentUpdate, WindowMoment } from './model';

export type WebhookEvent = 'incident.updated' | 'maintenance.updated' | 'maintenance.reminder' | 'maintenance.started' | 'maintenance.completed';

export interface WebhookPayload {
  event: WebhookEvent;
  delivery_id: string;
  page: { name: string; url: string };
  incident: {
    id: string;
    name: string;
    kind: Incident['kind'];
    status: Incident['status'];
    impact: Incident['impact'];
    url: string;
    started_at: string;
    resolved_at: string | null;
    scheduled_for: string | null;
    scheduled_until: string | null;
    /** `name` as the page shows it (the id for a component not listed). */
    components: { id: string; name: string; status: string }[];
  };
  /** The update this event announces; null when the window moved by the clock. `body` is its markdown source. */
  update: { id: string; status: string; body: string; created_at: string } | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function webhookPayload(
  site: { pageName: string; siteUrl: string; componentNames: ReadonlyMap<string, string> },
  incident: Incident,
  what: IncidentUpdate | WindowMoment,
  deliveryId: string,
): WebhookPayload {
  const update = typeof what === 'string' ? null : what;
  const maintenance = incident.kind === 'maintenance';
  return {
    event: typeof what === 'string' ? `maintenance.${what}` : maintenance ? 'maintenance.updated' : 'incident.updated',
    delivery_id: deliveryId,
    page: { name: site.pageName, url: site.siteUrl },
    incident: {
      id: incident.id,
      name: incident.title,
      kind: incident.kind,
      status: incident.status,
      impact: incident.impact,
      url: `${site.siteUrl}/incidents/${incident.id}`,
      started_at: incident.startedAt.toISOString(),
      resolved_at: iso(incident.resolvedAt),
      scheduled_for: iso(incident.scheduledFor),
      scheduled_until: iso(incident.scheduledUntil),
      components: incident.components.map((c) => ({ id: c.id, name: site.componentNames.get(c.id) ?? c.id, status: c.status })),
    },
    update: update ? { id: update.id, status: update.status, body: update.body, created_at: update.at.toISOString() } : null,
  };
}
