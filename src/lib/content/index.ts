// Everything authored in content/, as one value: the one reader of the
// folder, used by the server at start and by the build's content collections
// (loaders.ts), so a broken file fails the build and the start alike, naming
// file and field. The CLI acts on what the server read (server/publishing
// content-sync.ts keeps it), and on the folder only before a server has run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalogFile, parsePageFile, type Catalog, type PageSettings } from './catalog';
import { ContentError, parseIncidentFile, type AuthoredIncident } from './incident-file';
import { checkSeries } from '../recurrence';
import { parseTemplateFile, type IncidentTemplate } from './template-file';
import { noBrand, readBrand, type BrandFiles } from './brand';

export interface Content {
  page: PageSettings;
  /** The brand's files (brand.ts); not kept in the database's copy, which the CLI reads. */
  brand: BrandFiles;
  catalog: Catalog;
  authored: AuthoredIncident[];
  /** content/templates/*.md (the folder is optional). */
  templates: IncidentTemplate[];
}

/** Reads and validates a content folder; throws ContentError naming file and field. */
export function readContentFolder(folder: string): Content {
  const read = (name: string) => readFileSync(join(folder, name), 'utf8');
  const settings = parsePageFile('content/page.yml', read('page.yml'));
  const brand = readBrand(folder, settings);
  const page: PageSettings = { ...settings, assets: brand.urls };
  const catalog = parseCatalogFile('content/components.yml', read('components.yml'));
  const componentIds = new Set(catalog.components.map((c) => c.id));
  const authored = readdirSync(join(folder, 'incidents'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) =>
      parseIncidentFile(name.slice(0, -3), `content/incidents/${name}`, read(join('incidents', name)), componentIds),
    );
  // A translation is into one of the page's other languages: known only once page.yml is read.
  for (const file of authored) {
    for (const language of Object.keys(file.titles ?? {})) {
      if (language === page.default_language) throw new ContentError(file.filePath, `translations.${language}`, `${language} is the page's own language (page.yml: default_language); write it in the title and updates themselves`);
      if (!(page.languages as string[]).includes(language)) throw new ContentError(file.filePath, `translations.${language}`, `the page is not offered in ${language}: add it to languages in content/page.yml, or remove this translation`);
    }
  }
  // A repeating window must be one its rule gives, in the page's zone: known only once both files are read.
  for (const file of authored) {
    if (!file.recurrence || !file.scheduledFor) continue;
    const checked = checkSeries(file.recurrence, file.scheduledFor, page.time_zone);
    if (!checked.ok) throw new ContentError(file.filePath, 'recurrence', checked.reason);
  }
  const templateFolder = join(folder, 'templates');
  const templates = existsSync(templateFolder)
    ? readdirSync(templateFolder)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => parseTemplateFile(name.slice(0, -3), `content/templates/${name}`, read(join('templates', name)), componentIds))
    : [];
  return { page, brand: brand.files, catalog, authored, templates };
}

/** Content as JSON and back (dates as ISO strings), for the copy the database keeps. */
export function contentToJson(content: Content): string {
  const { brand: _, ...kept } = content;
  return JSON.stringify(kept);
}

export function contentFromJson(text: string): Content {
  const stored = JSON.parse(text) as Content;
  const instant = (value: Date | string | null) => (value === null ? null : new Date(value));
  return {
    page: stored.page,
    brand: noBrand,
    catalog: stored.catalog,
    // A copy kept before templates existed has none.
    templates: stored.templates ?? [],
    authored: stored.authored.map((a) => ({
      ...a,
      startedAt: new Date(a.startedAt),
      scheduledFor: instant(a.scheduledFor),
      scheduledUntil: instant(a.scheduledUntil),
      updates: a.updates.map((u) => ({ ...u, at: new Date(u.at) })),
    })),
  };
}
