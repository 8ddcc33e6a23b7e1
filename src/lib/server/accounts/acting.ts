// The runtime as seen by one authenticated request: the same database and
// content, plus who is acting (for the audit log). Console pages and API
// endpoints pass this to staff-actions.ts and friends.
import type { Actor } from './audit';
import { getRuntime, type Runtime } from '../runtime';

export interface ActingRuntime extends Runtime {
  actor: Actor;
}

/** Who the middleware authenticated: a console session or an API token. */
export function actorOf(locals: App.Locals): Actor {
  if (locals.session) return { label: locals.session.user.email, userId: locals.session.user.id };
  if (locals.apiToken) return { label: `token ${locals.apiToken.name} (#${locals.apiToken.id})`, userId: null };
  throw new Error('no authenticated actor: the route is missing from access.ts');
}

export async function actingRuntime(locals: App.Locals): Promise<ActingRuntime> {
  return { ...(await getRuntime()), actor: actorOf(locals) };
}
