// Enumerations shared by the database, the content schema, pages and the CLI.
// Drizzle-free on purpose, so anything can import them without a database.
// Names and values follow Atlassian Statuspage's public API.

export const componentStatuses = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

export const incidentImpacts = ['none', 'minor', 'major', 'critical'] as const;
export type IncidentImpact = (typeof incidentImpacts)[number];

export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const maintenanceStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type MaintenanceStatus = (typeof maintenanceStatuses)[number];

export const incidentKinds = ['incident', 'maintenance'] as const;
export type IncidentKind = (typeof incidentKinds)[number];

export type UpdateStatus = IncidentStatus | MaintenanceStatus;

/** Statuses after which an incident or maintenance is over. */
export const closedStatuses: readonly UpdateStatus[] = ['resolved', 'postmortem', 'completed'];

export function isClosedStatus(status: UpdateStatus): boolean {
  return closedStatuses.includes(status);
}

export function isComponentStatus(value: string): value is ComponentStatus {
  return (componentStatuses as readonly string[]).includes(value);
}

/** Words a customer understands, for each enumeration value. */
export const componentStatusLabels: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

export const updateStatusLabels: Record<UpdateStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

export const impactLabels: Record<IncidentImpact, string> = {
  none: 'No impact',
  minor: 'Minor',
  major: 'Major',
  critical: 'Critical',
};

/** Severity order of component statuses; maintenance ranks below any outage. */
export const componentStatusSeverity: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export const impactSeverity: Record<IncidentImpact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

/** Staff roles: an owner can do everything, including users, tokens and settings; an editor runs incidents. */
export const staffRoles = ['owner', 'editor'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** API token scopes: read only reads `/api/admin`, write may also change things. */
export const tokenScopes = ['read', 'write'] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** Where a component or group is defined: content/components.yml, or the console (which then owns it). */
export const catalogSources = ['file', 'console'] as const;

/** How a subscriber is told: by email (double opt-in), by a signed webhook POST, or in a chat channel (an incoming webhook, confirmed from the channel). */
export const subscriberKinds = ['email', 'webhook', 'chat'] as const;
export type SubscriberKind = (typeof subscriberKinds)[number];

/** The chat platforms whose incoming webhooks Herald posts to, each in its own message format. */
export const chatPlatforms = ['slack', 'teams', 'discord', 'google_chat', 'mattermost'] as const;
export type ChatPlatform = (typeof chatPlatforms)[number];

export const chatPlatformLabels: Record<ChatPlatform, string> = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  discord: 'Discord',
  google_chat: 'Google Chat',
  mattermost: 'Mattermost',
};

export function isChatPlatform(value: unknown): value is ChatPlatform {
  return (chatPlatforms as readonly unknown[]).includes(value);
}

/** Outbox rows: queued (maybe leased by a worker right now), sent, or failed for good. */
export const deliveryStatuses = ['queued', 'sent', 'failed'] as const;
