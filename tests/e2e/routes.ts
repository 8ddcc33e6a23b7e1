// The routes under src/pages, read from the files, so suites that must cover
// every console page or API endpoint cannot miss a new one.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './server';

/** Every page and endpoint file under a folder of src/pages, as a URL path with sample parameters. */
export function routesUnder(folder: string): string[] {
  return routeFilesUnder(folder).map(({ path }) => path);
}

/** The same, with each route's file (relative to the project root) and its parameters left as `[name]`. */
export function routeFilesUnder(folder: string): { file: string; pattern: string; path: string }[] {
  const pages = join(root, 'src/pages');
  const files = readdirSync(join(pages, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(astro|ts)$/.test(entry.name))
    .map((entry) => relative(pages, join(entry.parentPath, entry.name)))
    .sort();
  return files.map((file) => {
    const pattern = ('/' + file).replace(/\.(astro|ts)$/, '').replace(/\/index$/, '');
    const path = pattern.replace(/\[\.\.\.[^\]]+\]/g, 'a/b').replace(/\[[^\]]+\]/g, '1');
    return { file: join('src/pages', file), pattern, path };
  });
}
