// Console forms: read what was typed, turn a rejected action into an error
// next to the right field, and keep every value so nothing is lost.
import { escapeHtml } from '../../escape';
import { fromLocalInput } from '../../time';
import type { ComponentChange, TemplateInput } from '../publishing';
import { ActionError } from '../validate';
import type { Errors, Fields } from '../../form-fields';
import type { IncidentTemplate } from '../../content/template-file';

export async function readForm(request: Request): Promise<Fields> {
  const fields: Fields = {};
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return fields;
  }
  for (const [name, value] of form) {
    if (typeof value === 'string' && !(name in fields)) fields[name] = value;
  }
  return fields;
}

/** The per-component selects (`component.<id>`) that were set, as changes. */
export function selectedComponentChanges(fields: Fields): ComponentChange[] {
  return Object.entries(fields)
    .filter(([name, value]) => name.startsWith('component.') && value !== '')
    .map(([name, value]) => ({ id: name.slice('component.'.length), status: value as ComponentChange['status'] }));
}

/**
 * A `datetime-local` field read in the page's time zone. Empty stays empty (the
 * action reports it as required); anything that is not a real date and time is
 * refused here rather than guessed at (2027-02-30 must not become 2 March).
 */
export function localInstant(fields: Fields, name: string, timeZone: string): Date | '' {
  const value = (fields[name] ?? '').trim();
  if (value === '') return '';
  const instant = fromLocalInput(value, timeZone);
  if (!instant) throw new ActionError(name, `${name} is not a date and time, e.g. 2026-12-06T02:00`);
  return instant;
}

/**
 * A new incident's or maintenance's form as a template fills it: staff see
 * (and may change) every field before posting; placeholders are filled then.
 * A maintenance's start is left to staff; left empty, its end follows from the duration.
 */
export function templateFields(template: IncidentTemplate, notify = true): Fields {
  const fields: Fields = {
    template: template.id,
    title: template.title,
    impact: template.impact,
    status: template.status,
    message: template.message,
    nextUpdate: template.nextUpdate ?? '',
  };
  // Incidents choose a status per component; maintenance ticks the components it takes down.
  for (const c of template.components) fields[`component.${c.id}`] = template.kind === 'maintenance' ? 'on' : c.status;
  if (notify) fields.notify = 'on';
  // The template's own form (console templates) shows the rest too.
  Object.assign(fields, { name: template.name, kind: template.kind, duration: template.duration ?? '' });
  for (const [status, text] of Object.entries(template.followUps)) fields[`followUp.${status}`] = text ?? '';
  return fields;
}

/** A console template's form as the publishing domain takes it. */
export function templateInput(fields: Fields): TemplateInput {
  const maintenance = fields.kind === 'maintenance';
  const chosen = Object.entries(fields).filter(([name, value]) => name.startsWith('component.') && value !== '');
  return {
    name: fields.name,
    kind: fields.kind,
    title: fields.title,
    impact: maintenance ? undefined : fields.impact,
    status: maintenance ? undefined : fields.status,
    components: chosen.map(([name, value]) => ({ id: name.slice('component.'.length), status: maintenance ? 'under_maintenance' : value })),
    nextUpdate: fields.nextUpdate,
    duration: fields.duration,
    message: fields.message,
    followUps: Object.fromEntries(Object.entries(fields).filter(([name]) => name.startsWith('followUp.')).map(([name, value]) => [name.slice('followUp.'.length), value])),
  };
}

/** The most a browser form may send (Content-Length and bytes read). Pages never see more. */
export const formBodyLimit = 256 * 1024;

/**
 * Reads a copy of a form body without ever holding more than `formBodyLimit`
 * bytes: 'too_large' past the limit, null when it is not a form at all.
 */
export async function peekForm(request: Request): Promise<FormData | 'too_large' | 'incomplete' | null> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return null;
  if (Number(request.headers.get('content-length') ?? 0) > formBodyLimit) return 'too_large';
  const body = request.clone().body;
  if (!body) return new FormData();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      return 'incomplete'; // the client stopped sending before its Content-Length
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > formBodyLimit) {
      // Not awaited: cancelling one branch of a cloned (tee'd) body settles only
      // when the other branch is cancelled too, and that one is never read.
      reader.cancel().catch(() => {});
      return 'too_large';
    }
    chunks.push(value);
  }
  try {
    return await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
  } catch {
    return null;
  }
}

/** Fields never shown back: secrets and the form's own plumbing. */
const unechoed = new Set(['csrf', 'intent', 'password', 'current', 'confirm', 'original', 'next']);

/**
 * A refused console form (session ended, stale CSRF token) as a page that
 * shows back what was typed, escaped, so nothing is lost.
 */
export function refusedFormPage(status: number, heading: string, advice: string, form: FormData | null): Response {
  const kept = [...(form ?? [])]
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .filter(([name, value]) => !unechoed.has(name) && value.trim() !== '')
    .map(([name, value]) => `<p><label>${escapeHtml(name)}<br><textarea readonly rows="6" cols="60">${escapeHtml(value.slice(0, 20_000))}</textarea></label></p>`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(heading)}</title></head><body><main><h1>${escapeHtml(heading)}</h1><p>Nothing was saved. ${advice}</p>${kept ? `<p>What you typed, so it is not lost:</p>${kept}` : ''}</main></body></html>`;
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/** An ActionError as an error next to its field; anything else is a real fault and is rethrown. */
/** A console form as its page shows it: what was typed (or the defaults), the errors by field, whether only a preview was asked. */
export interface ConsoleForm {
  /** The submit button pressed (its `intent`), '' on GET. */
  intent: string;
  values: Fields;
  errors: Errors;
  preview: boolean;
  /** Where to go once the action was done (a 303), or null to show the form. */
  next: string | null;
}

/**
 * A console page's forms, read and acted on: on GET the defaults; on POST
 * what was typed and the action its submit button names (`intent`; a page
 * with one action takes any but "preview"), which returns where to go next
 * or is refused, its errors then shown beside the fields with everything
 * typed kept (and the answer a 422).
 */
export async function consoleForm(
  page: { request: Request; response: { status?: number } },
  defaults: Fields,
  actions: Record<string, (values: Fields) => string>,
): Promise<ConsoleForm> {
  if (page.request.method !== 'POST') return { intent: '', values: defaults, errors: {}, preview: false, next: null };
  const values = await readForm(page.request);
  const intent = values.intent ?? '';
  const only = Object.values(actions);
  const act = actions[intent] ?? (only.length === 1 && intent !== 'preview' ? only[0] : undefined);
  if (!act) return { intent, values, errors: {}, preview: intent === 'preview', next: null };
  try {
    return { intent, values, errors: {}, preview: false, next: act(values) };
  } catch (error) {
    const errors = errorsFrom(error);
    page.response.status = 422;
    return { intent, values, errors, preview: false, next: null };
  }
}

export function errorsFrom(error: unknown): Errors {
  if (!(error instanceof ActionError)) throw error;
  const perComponent = /^status of (.+)$/.exec(error.field);
  return { [perComponent ? `component.${perComponent[1]}` : error.field]: error.message };
}

/**
 * Where to go after logging in: only a plain path inside the console, never
 * another site, and nothing that could not be sent as a Location header.
 */
export function safeNext(value: string | null | undefined): string {
  if (!value || !/^\/admin(\/[A-Za-z0-9._~%/-]*)?(\?[\x21-\x7e]*)?$/.test(value) || value.includes('//')) return '/admin';
  return value;
}
