// Console forms: read what was typed, turn a rejected action into an error
// next to the right field, and keep every value so nothing is lost.
import type { ComponentChange } from './staff-actions';
import { ActionError } from './validate';

/** What a form sent, one string per field name (checkboxes: present or not). */
export type Fields = Record<string, string>;
/** Error messages by field name. */
export type Errors = Record<string, string>;

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
export function componentChanges(fields: Fields): ComponentChange[] {
  return Object.entries(fields)
    .filter(([name, value]) => name.startsWith('component.') && value !== '')
    .map(([name, value]) => ({ id: name.slice('component.'.length), status: value as ComponentChange['status'] }));
}

/** An ActionError as an error next to its field; anything else is a real fault and is rethrown. */
export function errorsFrom(error: unknown): Errors {
  if (!(error instanceof ActionError)) throw error;
  const perComponent = /^status of (.+)$/.exec(error.field);
  return { [perComponent ? `component.${perComponent[1]}` : error.field]: error.message };
}

/** Where to go after logging in: only a path inside the console, never another site. */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/admin') || value.startsWith('//') || value.includes('\\')) return '/admin';
  return value;
}
