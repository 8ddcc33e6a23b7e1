// Astro content-layer loaders for content/. They run at build time and reuse the
// same parsers as the CLI, so a broken file fails `astro build` with the same
// one-line error (file: field: problem) wherever it is read.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader } from 'astro/loaders';
import { parseCatalogFile, parsePageFile } from './catalog';
import { parseIncidentFile } from './incident-file';

export interface ContentFiles {
  /** Folder holding page.yml, components.yml and incidents/, relative to the project root. */
  folder: string;
}

function read(root: URL, folder: string, name: string) {
  const absolute = join(fileURLToPath(root), folder, name);
  return { filePath: relative(fileURLToPath(root), absolute), text: readFileSync(absolute, 'utf8') };
}

/** One entry, id `page`: content/page.yml. */
export function pageLoader({ folder }: ContentFiles): Loader {
  return {
    name: 'herald-page',
    load: async ({ store, config, generateDigest }) => {
      const { filePath, text } = read(config.root, folder, 'page.yml');
      const data = { ...parsePageFile(filePath, text) };
      store.clear();
      store.set({ id: 'page', data, filePath, digest: generateDigest(text) });
    },
  };
}

/** One entry, id `catalog`: content/components.yml, flattened into groups and components. */
export function catalogLoader({ folder }: ContentFiles): Loader {
  return {
    name: 'herald-catalog',
    load: async ({ store, config, generateDigest }) => {
      const { filePath, text } = read(config.root, folder, 'components.yml');
      const catalog = parseCatalogFile(filePath, text);
      store.clear();
      store.set({ id: 'catalog', data: { ...catalog }, filePath, digest: generateDigest(text) });
    },
  };
}

/** One entry per content/incidents/<id>.md. */
export function incidentLoader({ folder }: ContentFiles): Loader {
  return {
    name: 'herald-incidents',
    load: async ({ store, config, generateDigest }) => {
      const catalogFile = read(config.root, folder, 'components.yml');
      const catalog = parseCatalogFile(catalogFile.filePath, catalogFile.text);
      const componentIds = new Set(catalog.components.map((c) => c.id));
      const incidentsFolder = join(folder, 'incidents');
      const names = readdirSync(join(fileURLToPath(config.root), incidentsFolder))
        .filter((name) => name.endsWith('.md'))
        .sort();
      store.clear();
      for (const name of names) {
        const { filePath, text } = read(config.root, incidentsFolder, name);
        const incident = parseIncidentFile(name.slice(0, -3), filePath, text, componentIds);
        store.set({ id: incident.id, data: { ...incident }, filePath, digest: generateDigest(text) });
      }
    },
  };
}
