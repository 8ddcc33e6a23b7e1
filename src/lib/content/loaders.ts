// Astro content-layer loaders for content/. They run at build time through
// the one reader of the folder (index.ts readContentFolder), so a broken file
// fails `astro build` with the same one-line error (file: field: problem) as
// the server's start.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader } from 'astro/loaders';
import { readContentFolder } from './index';

export interface ContentFiles {
  /** Folder holding page.yml, components.yml, incidents/ and templates/, relative to the project root. */
  folder: string;
}

const contentAt = (root: URL, { folder }: ContentFiles) => readContentFolder(join(fileURLToPath(root), folder));

/** One entry, id `page`: content/page.yml. */
export function pageLoader(files: ContentFiles): Loader {
  return {
    name: 'herald-page',
    load: async ({ store, config, generateDigest }) => {
      const { page } = contentAt(config.root, files);
      store.clear();
      store.set({ id: 'page', data: { ...page }, filePath: join(files.folder, 'page.yml'), digest: generateDigest(JSON.stringify(page)) });
    },
  };
}

/** One entry, id `catalog`: content/components.yml, flattened into groups and components. */
export function catalogLoader(files: ContentFiles): Loader {
  return {
    name: 'herald-catalog',
    load: async ({ store, config, generateDigest }) => {
      const { catalog } = contentAt(config.root, files);
      store.clear();
      store.set({ id: 'catalog', data: { ...catalog }, filePath: join(files.folder, 'components.yml'), digest: generateDigest(JSON.stringify(catalog)) });
    },
  };
}

/** One entry per content/incidents/<id>.md. */
export function incidentLoader(files: ContentFiles): Loader {
  return {
    name: 'herald-incidents',
    load: async ({ store, config, generateDigest }) => {
      const { authored } = contentAt(config.root, files);
      store.clear();
      for (const incident of authored) {
        store.set({ id: incident.id, data: { ...incident }, filePath: incident.filePath, digest: generateDigest(JSON.stringify(incident)) });
      }
    },
  };
}

/** One entry per content/templates/<id>.md. */
export function templateLoader(files: ContentFiles): Loader {
  return {
    name: 'herald-templates',
    load: async ({ store, config, generateDigest }) => {
      const { templates } = contentAt(config.root, files);
      store.clear();
      for (const template of templates) {
        store.set({ id: template.id, data: { ...template }, filePath: template.filePath ?? undefined, digest: generateDigest(JSON.stringify(template)) });
      }
    },
  };
}
