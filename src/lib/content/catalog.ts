// content/page.yml (who the page is for) and content/components.yml (what it
// reports on). Plain TypeScript so both the Astro build and the CLI read them.
import { z } from 'astro/zod';
import { parse as parseYaml } from 'yaml';
import { ContentError, describeIssue, slugPattern } from './incident-file';

const slug = z.string().regex(slugPattern, 'use lower-case letters, digits and dashes');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** content/page.yml */
export const pageSchema = z
  .object({
    /** The company or service the page is about, e.g. "Example Mail". Required. */
    name: z.string().trim().min(1).max(80),
    /** One sentence under the page title. */
    description: z.string().trim().max(300).optional(),
    /** The company's main site, linked from the header. */
    homepage: z.string().url().optional(),
    /** IANA zone that decides day boundaries for uptime bars and history, e.g. Europe/Berlin. Default UTC. */
    time_zone: z.string().refine(isTimeZone, 'not an IANA time zone, e.g. Europe/Berlin').default('UTC'),
  })
  .strict();
export type PageSettings = z.output<typeof pageSchema>;

const componentEntry = z
  .object({
    /** Stable slug used in URLs and the API. Never change it once published. */
    id: slug,
    /** Name customers see. */
    name: z.string().trim().min(1).max(100),
    /** One sentence on what it covers. */
    description: z.string().trim().max(500).optional(),
    /** Since when it is watched (YYYY-MM-DD): its uptime shows "no data" before. Default: when Herald first read it. */
    since: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, e.g. 2026-01-01')
      .refine((day) => new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), 'not a day of the calendar')
      .optional(),
  })
  .strict();

/** content/components.yml: groups of components in display order, plus ungrouped ones. */
export const catalogSchema = z
  .object({
    groups: z
      .array(
        z
          .object({
            /** Stable slug of the group. */
            id: slug,
            /** Group name customers see. */
            name: z.string().trim().min(1).max(100),
            /** The group's components, in display order. */
            components: z.array(componentEntry).min(1),
          })
          .strict(),
      )
      .default([]),
    /** Components outside any group, shown after the groups. */
    components: z.array(componentEntry).default([]),
  })
  .strict();

export interface CatalogComponent {
  id: string;
  name: string;
  description: string | null;
  groupId: string | null;
  position: number;
  /** YYYY-MM-DD, or null: since Herald first read it. */
  since: string | null;
}
export interface CatalogGroup {
  id: string;
  name: string;
  position: number;
}
export interface Catalog {
  groups: CatalogGroup[];
  components: CatalogComponent[];
}

function parseYamlFile(filePath: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ContentError(filePath, '(yaml)', (error as Error).message.split('\n')[0]);
  }
}

function validate<T extends z.ZodTypeAny>(schema: T, filePath: string, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const { field, message } = describeIssue(result.error.issues[0]);
    throw new ContentError(filePath, field, message);
  }
  return result.data;
}

export function parsePageFile(filePath: string, text: string): PageSettings {
  return validate(pageSchema, filePath, parseYamlFile(filePath, text));
}

/** Flattens the authored catalog; positions follow the file's order. Ids must be unique. */
export function parseCatalogFile(filePath: string, text: string): Catalog {
  const data = validate(catalogSchema, filePath, parseYamlFile(filePath, text));
  const catalog: Catalog = { groups: [], components: [] };
  const seen = new Set<string>();
  const add = (entry: z.output<typeof componentEntry>, groupId: string | null, field: string) => {
    if (seen.has(entry.id)) throw new ContentError(filePath, field, `duplicate id "${entry.id}"`);
    seen.add(entry.id);
    catalog.components.push({
      id: entry.id,
      name: entry.name,
      description: entry.description ?? null,
      groupId,
      position: catalog.components.length,
      since: entry.since ?? null,
    });
  };
  data.groups.forEach((group, g) => {
    if (seen.has(group.id)) throw new ContentError(filePath, `groups.${g}.id`, `duplicate id "${group.id}"`);
    seen.add(group.id);
    catalog.groups.push({ id: group.id, name: group.name, position: g });
    group.components.forEach((c, n) => add(c, group.id, `groups.${g}.components.${n}.id`));
  });
  data.components.forEach((c, n) => add(c, null, `components.${n}.id`));
  return catalog;
}
