// content/page.yml (who the page is for) and content/components.yml (what it
// reports on). Plain TypeScript so both the Astro build and the CLI read them.
import { z } from 'astro/zod';
import { parse as parseYaml } from 'yaml';
import { ContentError, describeIssue, slugPattern } from './incident-file';
import { contrastRatio, minimumContrast } from '../contrast';
import { localeCodes, type Locale } from '../i18n/locales';

const slug = z.string().regex(slugPattern, 'use lower-case letters, digits and dashes');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb, e.g. "#6f42c1"');
/** A file under content/, e.g. brand/logo.svg: no way out of the folder. */
const contentFile = (kinds: string[]) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/, 'a path under content/, e.g. brand/logo.svg')
    .refine((path) => !path.split('/').includes('..'), 'a path under content/, without ..')
    .refine((path) => kinds.some((ext) => path.toLowerCase().endsWith(`.${ext}`)), `a .${kinds.join(', .')} file`);

/** The text colours an accent carries in each theme (global.css: --accent-text). */
export const accentText = { light: '#ffffff', dark: '#0d1117' } as const;

const accent = (theme: keyof typeof accentText) =>
  hexColour.refine(
    (colour) => contrastRatio(colour, accentText[theme]) >= minimumContrast,
    (colour) => ({
      message: `${colour} under ${theme === 'light' ? 'white' : 'dark'} text has a contrast of ${contrastRatio(colour, accentText[theme]).toFixed(2)}:1; it needs ${minimumContrast}:1 (WCAG AA): ${theme === 'light' ? 'choose a darker colour' : 'choose a lighter colour'}`,
    }),
  );

/** The page's own look: served by Herald from content/, so no visitor's browser asks anyone else. */
const brandSchema = z
  .object({
    /** The logo in the header, beside or instead of the name: SVG, PNG, WebP or JPEG, at most 512 kB. */
    logo: contentFile(['svg', 'png', 'webp', 'jpg', 'jpeg']).optional(),
    /** The browser tab's icon: SVG, PNG or ICO. Default: Herald's. */
    favicon: contentFile(['svg', 'png', 'ico']).optional(),
    /** The colour of the header's action (and what custom CSS uses as --accent), under white text in light mode. */
    accent: accent('light').optional(),
    /** The same in dark mode, under dark text; default: Herald's blue (no colour reads under both). */
    accent_dark: accent('dark').optional(),
    /** A stylesheet of your own, loaded after Herald's (from Herald's origin, so the CSP stays style-src 'self'). */
    stylesheet: contentFile(['css']).optional(),
  })
  .strict();

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
    brand: brandSchema.optional(),
    /** Links in every public page's footer (privacy, terms, support), in order. */
    footer_links: z
      .array(z.object({ label: z.string().trim().min(1).max(60), url: z.string().url().refine((u) => /^https?:/.test(u), 'an http(s) URL') }).strict())
      .max(10)
      .default([]),
    /** The languages the interface is offered in (src/lib/i18n/locales.ts has the codes); English alone unless set. */
    languages: z
      .array(z.enum(localeCodes as [Locale, ...Locale[]], { errorMap: () => ({ message: `one of ${localeCodes.join(', ')}` }) }))
      .min(1)
      .refine((codes) => new Set(codes).size === codes.length, 'each language once')
      .default(['en']),
    /** The language of the page at `/`, and of anything not translated: one of `languages`. */
    default_language: z.enum(localeCodes as [Locale, ...Locale[]], { errorMap: () => ({ message: `one of ${localeCodes.join(', ')}` }) }).default('en'),
    /**
     * `public`: anyone reads the page. `private`: every page, feed, API answer,
     * badge and calendar needs a reader first (the shared reader password,
     * `herald readers password`; a staff session; or a reader's token), and
     * nothing of it is cached for sharing or exported unless asked (src/lib/server/readers).
     */
    visibility: z.enum(['public', 'private']).default('public'),
    /** Who may read a private page besides: addresses of these domains sign in with a link sent to them. */
    readers: z
      .object({
        email_domains: z
          .array(
            z
              .string()
              .trim()
              .toLowerCase()
              .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain, e.g. example.com'),
          )
          .max(50)
          .default([]),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((page) => page.languages.includes(page.default_language), { message: 'default_language must be one of languages', path: ['default_language'] });
/** What page.yml says, and the addresses Herald serves its brand files at (content/index.ts fills them in). */
export type PageSettings = z.output<typeof pageSchema> & { assets?: BrandUrls };

/** Where the brand's files are served, each name with its content's hash: cached for good, replaced by a new name. */
export interface BrandUrls {
  logo: string | null;
  favicon: string | null;
  /** The accent colours and the custom stylesheet, as one file. */
  stylesheet: string | null;
}

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
