// The template format: content/templates/<id>.md, YAML frontmatter with what
// a new incident or maintenance starts with, then its first message, then
// optional `## <status>` sections with the message suggested for each later
// status. Placeholders ({{component}}, …: lib/placeholders.ts) are checked
// here and filled when staff post. docs/staff.md documents it with an example.
import { z } from 'astro/zod';
import {
  componentStatuses,
  isClosedStatus,
  incidentImpacts,
  incidentKinds,
  incidentStatuses,
  maintenanceStatuses,
  type ComponentStatus,
  type IncidentImpact,
  type IncidentKind,
  type UpdateStatus,
} from '../../db/constants';
import { isPlaceholder, placeholdersIn } from '../placeholders';
import { parseWait } from '../time';
import { ContentError, describeIssue, readFrontmatter, slugPattern } from './incident-file';

/** A template, from a file or saved in the console: what "new from template" fills in. */
export interface IncidentTemplate {
  id: string;
  /** What staff pick it by. */
  name: string;
  kind: IncidentKind;
  title: string;
  impact: IncidentImpact;
  /** The first update's status. */
  status: UpdateStatus;
  components: { id: string; status: ComponentStatus }[];
  /** The next update promised with the first one, as a wait ("30m"); null for none. */
  nextUpdate: string | null;
  /** Maintenance: the window's length, as a wait ("2h"); null to choose each time. */
  duration: string | null;
  /** The first update's message. */
  message: string;
  /** A suggested message for each later status. */
  followUps: Partial<Record<UpdateStatus, string>>;
  source: 'file' | 'console';
  filePath: string | null;
}

/** Limits shared with the console's own templates. */
export const templateLimits = { name: 100, title: 200, message: 20_000 } as const;

const wait = z
  .string()
  .trim()
  .refine((value) => parseWait(value) !== null, { message: 'write a wait such as 30m or 2h' })
  .refine((value) => (parseWait(value) ?? 0) > 0 && (parseWait(value) ?? 0) <= 7 * 24 * 60 * 60_000, { message: 'from 1 minute to 7 days' });

/** The frontmatter of a template file (the messages come from the body). */
export const templateFileSchema = z
  .object({
    /** What staff pick in the console; defaults to the title. */
    name: z.string().trim().min(1).max(templateLimits.name).optional(),
    /** `incident` (default) or `maintenance`. */
    kind: z.enum(incidentKinds).default('incident'),
    /** The title, placeholders allowed. Required. */
    title: z.string().trim().min(1).max(templateLimits.title),
    /** Incidents: none | minor | major | critical (default minor). */
    impact: z.enum(incidentImpacts).optional(),
    /** The first status: investigating (default), identified or monitoring; maintenance is always scheduled. */
    status: z.enum(['investigating', 'identified', 'monitoring']).optional(),
    /** Incidents: `webmail: partial_outage`; maintenance: a list of ids (they show under maintenance). */
    components: z.union([z.record(z.string(), z.enum(componentStatuses)), z.array(z.string())]).default({}),
    /** Promise the next update this long after the first: 30m, 2h. */
    next_update: wait.optional(),
    /** Maintenance: the window's length, 2h. */
    duration: wait.optional(),
    message: z.string().trim().min(1, 'write the first message below the frontmatter').max(templateLimits.message),
    follow_ups: z.record(z.string(), z.string().max(templateLimits.message)).default({}),
  })
  .strict();

/**
 * Checks what the schema cannot: statuses per kind, components in the catalog,
 * placeholders known and meaningful for the kind. Throws ContentError.
 */
export function checkTemplate(template: IncidentTemplate, filePath: string, knownComponentIds: ReadonlySet<string>): IncidentTemplate {
  const later: readonly string[] = template.kind === 'maintenance' ? maintenanceStatuses.filter((s) => s !== 'scheduled') : incidentStatuses;
  for (const status of Object.keys(template.followUps)) {
    if (!later.includes(status)) throw new ContentError(filePath, `## ${status}`, `not a later status of ${template.kind === 'maintenance' ? 'a maintenance' : 'an incident'}: one of ${later.join(', ')}`);
  }
  for (const c of template.components) {
    if (!knownComponentIds.has(c.id)) throw new ContentError(filePath, `components.${c.id}`, 'no such component in content/components.yml');
  }
  if (template.kind === 'maintenance' && template.nextUpdate) throw new ContentError(filePath, 'next_update', 'maintenance promises no next update: its window says when');
  // Which texts promise a next update: an incident's first message and its updates that leave it open.
  const texts: { field: string; text: string; kind: 'plain' | 'markdown'; promises: boolean }[] = [
    { field: 'title', text: template.title, kind: 'plain', promises: template.kind === 'incident' },
    { field: 'message', text: template.message, kind: 'markdown', promises: template.kind === 'incident' },
    ...Object.entries(template.followUps).map(([status, text]) => ({
      field: `## ${status}`,
      text: text ?? '',
      kind: 'markdown' as const,
      promises: template.kind === 'incident' && !isClosedStatus(status as UpdateStatus),
    })),
  ];
  for (const { field, text, kind, promises } of texts) {
    for (const name of placeholdersIn(text, kind)) {
      if (!isPlaceholder(name)) throw new ContentError(filePath, field, `{{${name}}} is not a placeholder; use {{component}}, {{next_update}}, {{page}}, {{start}} or {{end}}${kind === 'markdown' ? ' (or put it in backticks to show it as code)' : ''}`);
      if ((name === 'start' || name === 'end') && template.kind !== 'maintenance') throw new ContentError(filePath, field, `{{${name}}} is a maintenance window's; this template is for an incident`);
      if (name === 'next_update' && !promises) throw new ContentError(filePath, field, `{{next_update}} cannot be filled here: ${template.kind === 'maintenance' ? 'maintenance promises no next update' : 'an update that closes the incident promises none'}`);
    }
  }
  return template;
}

/** Parses and validates one template file. */
export function parseTemplateFile(id: string, filePath: string, text: string, knownComponentIds: ReadonlySet<string>): IncidentTemplate {
  if (!slugPattern.test(id)) throw new ContentError(filePath, 'file name', 'use lower-case letters, digits and dashes, e.g. webmail-outage.md');
  const { frontmatter, body } = readFrontmatter(filePath, text);
  for (const reserved of ['message', 'follow_ups']) {
    if (reserved in frontmatter) throw new ContentError(filePath, reserved, 'write messages below the frontmatter: the first one, then "## <status>" sections');
  }
  // The body: the first message, then `## <status>` sections, each a later status's message.
  const [first, ...sections] = body.split(/^## +([a-z_]+) *$/m);
  const followUps: Record<string, string> = {};
  for (let n = 0; n < sections.length; n += 2) {
    if (sections[n] in followUps) throw new ContentError(filePath, `## ${sections[n]}`, 'given twice');
    followUps[sections[n]] = sections[n + 1].trim();
  }
  const result = templateFileSchema.safeParse({ ...frontmatter, message: first.trim(), follow_ups: followUps });
  if (!result.success) {
    const { field, message } = describeIssue(result.error.issues[0]);
    throw new ContentError(filePath, field, message);
  }
  const data = result.data;
  if (data.kind === 'maintenance' && (data.impact || data.status)) throw new ContentError(filePath, data.impact ? 'impact' : 'status', 'maintenance has no impact or first status (it is scheduled)');
  if (data.kind === 'incident' && data.duration) throw new ContentError(filePath, 'duration', 'only maintenance has a window');
  const maintenance = data.kind === 'maintenance';
  const components = Array.isArray(data.components)
    ? data.components.map((componentId) => ({ id: componentId, status: (maintenance ? 'under_maintenance' : 'partial_outage') as ComponentStatus }))
    : Object.entries(data.components).map(([componentId, status]) => ({ id: componentId, status }));
  return checkTemplate(
    {
      id,
      name: data.name ?? data.title,
      kind: data.kind,
      title: data.title,
      impact: maintenance ? 'none' : (data.impact ?? 'minor'),
      status: maintenance ? 'scheduled' : (data.status ?? 'investigating'),
      components,
      nextUpdate: data.next_update ?? null,
      duration: data.duration ?? null,
      message: data.message,
      followUps: data.follow_ups as IncidentTemplate['followUps'],
      source: 'file',
      filePath,
    },
    filePath,
    knownComponentIds,
  );
}
