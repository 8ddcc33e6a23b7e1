// Templates: the words staff start from while everything is on fire. Those
// in git (content/templates/, read with the rest of content/) and those saved
// in the console are one list; an incident opened from one remembers it, so
// its later messages are offered (console) or used when none is given (API, CLI).
import { eq } from 'drizzle-orm';
import { componentStatuses, incidentImpacts, incidentKinds, type IncidentImpact, type IncidentKind, type UpdateStatus } from '../../../db/constants';
import { components, incidentTemplates } from '../../../db/schema';
import { checkTemplate, templateLimits, type IncidentTemplate } from '../../content/template-file';
import { ContentError } from '../../content/incident-file';
import { recordAudit, systemActor } from '../accounts';
import { ActionError, optionalText, requireOneOf, requireText } from '../validate';
import { parseWait } from '../../time';
import { slugify } from './ids';
import type { LogContext } from './staff-actions';

type Row = typeof incidentTemplates.$inferSelect;

function fromRow(row: Row): IncidentTemplate {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    title: row.title,
    impact: row.impact,
    status: row.status,
    components: JSON.parse(row.components),
    nextUpdate: row.nextUpdate,
    duration: row.duration,
    message: row.message,
    followUps: JSON.parse(row.followUps),
    source: 'console',
    filePath: null,
  };
}

/** Every template, those in git first, each group by name. */
export function listTemplates(ctx: LogContext): IncidentTemplate[] {
  const byName = (a: IncidentTemplate, b: IncidentTemplate) => a.name.localeCompare(b.name);
  const saved = ctx.db.select().from(incidentTemplates).all().map(fromRow);
  return [...[...(ctx.content?.templates ?? [])].sort(byName), ...saved.sort(byName)];
}

/** A template by id, or an ActionError on `template` (404 through the API). */
export function findTemplate(ctx: LogContext, id: unknown): IncidentTemplate {
  if (typeof id !== 'string' || id === '') throw new ActionError('template', 'template id is required');
  const file = ctx.content?.templates.find((t) => t.id === id);
  if (file) return file;
  const row = ctx.db.select().from(incidentTemplates).where(eq(incidentTemplates.id, id)).get();
  if (!row) throw new ActionError('template', `no template "${id}"`, 'not_found');
  return fromRow(row);
}

/** The template an incident was opened from, if it still exists. */
export function templateOf(ctx: LogContext, templateId: string | null): IncidentTemplate | null {
  if (!templateId) return null;
  try {
    return findTemplate(ctx, templateId);
  } catch {
    return null;
  }
}

export interface TemplateInput {
  name: unknown;
  kind: unknown;
  title: unknown;
  impact?: unknown;
  status?: unknown;
  /** Incidents: [{id, status}]; maintenance: the ids are put under maintenance. */
  components?: { id: string; status: string }[];
  nextUpdate?: unknown;
  duration?: unknown;
  message: unknown;
  followUps?: Partial<Record<string, unknown>>;
}

function optionalWait(field: string, value: unknown): string | null {
  const text = optionalText(field, value, 20);
  if (text === null) return null;
  const ms = parseWait(text);
  if (ms === null || ms <= 0 || ms > 7 * 24 * 60 * 60_000) throw new ActionError(field, `${field} is a wait from 1 minute to 7 days, such as 30m or 2h`);
  return text;
}

/** Checks a console template as a template file is checked at build, naming the field. */
function checkInput(ctx: LogContext, id: string, input: TemplateInput): IncidentTemplate {
  const kind = requireOneOf<IncidentKind>('kind', input.kind, incidentKinds);
  const maintenance = kind === 'maintenance';
  const followUps: IncidentTemplate['followUps'] = {};
  for (const [status, text] of Object.entries(input.followUps ?? {})) {
    const message = optionalText(`followUp.${status}`, text, templateLimits.message);
    if (message) followUps[status as UpdateStatus] = message;
  }
  const listed = new Set(ctx.db.select({ id: components.id }).from(components).where(eq(components.listed, true)).all().map((c) => c.id));
  const template: IncidentTemplate = {
    id,
    name: requireText('name', input.name, templateLimits.name),
    kind,
    title: requireText('title', input.title, templateLimits.title),
    impact: maintenance ? 'none' : requireOneOf<IncidentImpact>('impact', input.impact ?? 'minor', incidentImpacts),
    status: maintenance ? 'scheduled' : requireOneOf<UpdateStatus>('status', input.status ?? 'investigating', ['investigating', 'identified', 'monitoring']),
    components: (input.components ?? []).map((c) => ({
      id: c.id,
      status: maintenance ? 'under_maintenance' : requireOneOf(`status of ${c.id}`, c.status, componentStatuses),
    })),
    nextUpdate: optionalWait('nextUpdate', input.nextUpdate),
    duration: maintenance ? optionalWait('duration', input.duration) : null,
    message: requireText('message', input.message, templateLimits.message),
    followUps,
    source: 'console',
    filePath: null,
  };
  try {
    return checkTemplate(template, 'template', listed);
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    // "## identified" in a file is the identified message's field in the console.
    const field = error.field.startsWith('## ') ? `followUp.${error.field.slice(3)}` : error.field.startsWith('components.') ? `component.${error.field.slice(11)}` : error.field;
    throw new ActionError(field, error.message.replace(/^template: [^:]+: /, ''));
  }
}


function toRow(template: IncidentTemplate, now: Date) {
  const { id, name, kind, title, impact, status, nextUpdate, duration, message } = template;
  return { id, name, kind, title, impact, status, nextUpdate, duration, message, components: JSON.stringify(template.components), followUps: JSON.stringify(template.followUps), updatedAt: now };
}

/** Saves a new console template; returns its id (from its name, unique across git and console). */
export function saveTemplate(ctx: LogContext, input: TemplateInput, now = new Date()): string {
  const name = requireText('name', input.name, templateLimits.name);
  const taken = (id: string) => ctx.content?.templates.some((t) => t.id === id) || !!ctx.db.select({ id: incidentTemplates.id }).from(incidentTemplates).where(eq(incidentTemplates.id, id)).get();
  const base = slugify(name);
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  const template = checkInput(ctx, id, input);
  ctx.db.transaction((tx) => {
    tx.insert(incidentTemplates).values({ ...toRow(template, now), createdAt: now }).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'template.create', id, { name: template.name, kind: template.kind }, now);
  });
  return id;
}

/** Changes a console template; those in git change in their file. */
export function editTemplate(ctx: LogContext, id: string, input: TemplateInput, now = new Date()): void {
  const current = findTemplate(ctx, id);
  if (current.source === 'file') throw new ActionError('template', `${id} is kept in ${current.filePath}; change it there`, 'conflict');
  const template = checkInput(ctx, id, input);
  ctx.db.transaction((tx) => {
    tx.update(incidentTemplates).set(toRow(template, now)).where(eq(incidentTemplates.id, id)).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'template.edit', id, { before: current, after: template }, now);
  });
}

export function deleteTemplate(ctx: LogContext, id: string, now = new Date()): void {
  const current = findTemplate(ctx, id);
  if (current.source === 'file') throw new ActionError('template', `${id} is kept in ${current.filePath}; delete the file`, 'conflict');
  ctx.db.transaction((tx) => {
    tx.delete(incidentTemplates).where(eq(incidentTemplates.id, id)).run();
    recordAudit(tx, ctx.actor ?? systemActor, 'template.delete', id, { template: current }, now);
  });
}
