// Everything authored in content/, as one value, read the same way by the
// server at start and by the CLI. The build checks the same files through the
// content collections (src/content.config.ts), so a broken file fails it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalogFile, parsePageFile, type Catalog, type PageSettings } from './catalog';
import { parseIncidentFile, type AuthoredIncident } from './incident-file';

export interface Content {
  page: PageSettings;
  catalog: Catalog;
  authored: AuthoredIncident[];
}

/** Reads and validates a content folder; throws ContentError naming file and field. */
export function readContentFolder(folder: string): Content {
  const read = (name: string) => readFileSync(join(folder, name), 'utf8');
  const page = parsePageFile('content/page.yml', read('page.yml'));
  const catalog = parseCatalogFile('content/components.yml', read('components.yml'));
  const componentIds = new Set(catalog.components.map((c) => c.id));
  const authored = readdirSync(join(folder, 'incidents'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) =>
      parseIncidentFile(name.slice(0, -3), `content/incidents/${name}`, read(join('incidents', name)), componentIds),
    );
  return { page, catalog, authored };
}
