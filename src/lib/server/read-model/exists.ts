// Whether one incident or component exists, by a primary-key lookup (and the
// in-memory set of markdown ids): what the server asks for every address it
// may answer "page not found" for, so each costs microseconds.
import type { Statement } from 'better-sqlite3';
import type { Runtime } from '../runtime';

interface Lookups {
  liveIncident: Statement;
  listedComponent: Statement;
}

const lookups = new WeakMap<Runtime, Lookups>();

function lookupsFor(runtime: Runtime): Lookups {
  let found = lookups.get(runtime);
  if (!found) {
    const sqlite = runtime.db.$client;
    found = {
      liveIncident: sqlite.prepare('SELECT 1 FROM incidents WHERE id = ? AND deleted_at IS NULL').pluck(),
      listedComponent: sqlite.prepare('SELECT 1 FROM components WHERE id = ? AND listed = 1').pluck(),
    };
    lookups.set(runtime, found);
  }
  return found;
}

const authoredIds = new WeakMap<Runtime, Set<string>>();

/** A live incident not in the trash, or a markdown one. */
export function incidentExists(runtime: Runtime, id: string): boolean {
  let ids = authoredIds.get(runtime);
  if (!ids) authoredIds.set(runtime, (ids = new Set(runtime.content.authored.map((a) => a.id))));
  return ids.has(id) || lookupsFor(runtime).liveIncident.get(id) !== undefined;
}

/** A component the page lists. */
export function listedComponentExists(runtime: Runtime, id: string): boolean {
  return lookupsFor(runtime).listedComponent.get(id) !== undefined;
}
