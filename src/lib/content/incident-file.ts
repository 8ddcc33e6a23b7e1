// The markdown incident format: one file per incident or maintenance in
// content/incidents/, YAML frontmatter, then the timeline as `## <time> <status>`
// sections. Used by the Astro content collection (build) and the CLI, so it
// knows nothing of Astro. docs/staff.md documents the format with a full example.
import { z } from 'astro/zod';
import { parse as parseYaml } from 'yaml';
import {
  componentStatuses,
  incidentImpacts,
  incidentKinds,
  incidentStatuses,
  maintenanceStatuses,
  type ComponentStatus,
  type IncidentImpact,
  type IncidentKind,
  type UpdateStatus,
} from '../../db/constants';
import { checkRule } from '../recurrence';
import { parseInstant } from '../time';
import { isLocale, localeCodes } from '../i18n/locales';
import type { Locale } from '../i18n/locales';
import type { Translations } from '../model';

/** A problem in a content file, always naming the file and the field or line. */
export class ContentError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ContentError';
  }
}

export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** An instant with an explicit zone (`Z` or `+02:00`), so a file means the same everywhere. */
const isoInstant = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    if (value instanceof Date) return value;
    const date = parseInstant(value);
    if (!date) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${value}" is not a time with a zone, e.g. 2026-09-14T08:20:00Z`,
      });
      return z.NEVER;
    }
    return date;
  });

const updateSchema = z.object({
  /** When the update was posted. From the section heading. */
  at: isoInstant,
  /** investigating | identified | monitoring | resolved | postmortem (maintenance: scheduled | in_progress | verifying | completed). From the heading. */
  status: z.string(),
  /** Markdown text of the update. */
  body: z.string(),
  /** For a translation: its language, from the heading (`## <time> <status> de`). */
  language: z.string().optional(),
});

/**
 * The schema of one incident file: the frontmatter fields plus `updates`,
 * which the loader parses from the `## <time> <status>` sections of the body.
 */
export const incidentFileSchema = z
  .object({
    /** Headline customers see. Required. */
    title: z.string().trim().min(1).max(200),
    /** `incident` (default) or `maintenance`. */
    kind: z.enum(incidentKinds).default('incident'),
    /** none | minor | major | critical. Required for incidents; maintenance defaults to none. */
    impact: z.enum(incidentImpacts).optional(),
    /** Affected components, each with the status it had during the incident: `webmail: partial_outage`. */
    components: z.record(z.string(), z.enum(componentStatuses)).default({}),
    /** When the problem began, if earlier than the first update. Defaults to the first update. */
    started: isoInstant.optional(),
    /** Maintenance only: the window's start. */
    scheduled_for: isoInstant.optional(),
    /** Maintenance only: the window's end. */
    scheduled_until: isoInstant.optional(),
    /** Maintenance only: how it repeats, an RFC 5545 RRULE from this window (`FREQ=WEEKLY;BYDAY=SU;COUNT=8`), in the page's zone. */
    recurrence: z.string().optional(),
    /** The title in other languages of the page (`de: { title: … }`); each language listed translates every update too. */
    translations: z.record(z.string(), z.object({ title: z.string().trim().min(1).max(200) }).strict()).optional(),
    /** The timeline, from the body. At least one update. */
    updates: z.array(updateSchema).min(1, 'add at least one "## <time> <status>" section'),
  })
  .strict()
  .superRefine((file, ctx) => {
    const allowed: readonly string[] = file.kind === 'maintenance' ? maintenanceStatuses : incidentStatuses;
    file.updates.forEach((update, n) => {
      if (!allowed.includes(update.status)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['updates', n, 'status'],
          message: `"${update.status}" is not one of ${allowed.join(', ')}`,
        });
      }
    });
    if (file.kind === 'incident' && !file.impact) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['impact'], message: `required: one of ${incidentImpacts.join(', ')}` });
    }
    if (file.kind === 'maintenance') {
      if (!file.scheduled_for) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['scheduled_for'], message: 'required for maintenance' });
      if (!file.scheduled_until) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['scheduled_until'], message: 'required for maintenance' });
      if (file.scheduled_for && file.scheduled_until && file.scheduled_until <= file.scheduled_for) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['scheduled_until'], message: 'must be after scheduled_for' });
      }
    }
    if (file.recurrence !== undefined) {
      const rule = checkRule(file.recurrence);
      if (file.kind !== 'maintenance') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['recurrence'], message: 'only maintenance repeats' });
      else if (!rule.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['recurrence'], message: rule.reason });
    }
  });

export type IncidentFileData = z.output<typeof incidentFileSchema>;

/** An authored incident as the timeline merge reads it. */
export interface AuthoredIncident {
  id: string;
  kind: IncidentKind;
  title: string;
  impact: IncidentImpact;
  components: { id: string; status: ComponentStatus }[];
  startedAt: Date;
  scheduledFor: Date | null;
  scheduledUntil: Date | null;
  /** For a maintenance that repeats: its rule, checked and in normal form. */
  recurrence: string | null;
  /** The title in the page's other languages (the file's `translations`). */
  titles?: Translations;
  /** Oldest first, whatever order the file writes them in; each with its text in those languages. */
  updates: { at: Date; status: UpdateStatus; body: string; translations?: Translations }[];
  filePath: string;
}

// `## <time> <status>`, and for a translation of that update `## <time> <status> <language>`.
const headingPattern = /^##\s+(\S+(?:\s\d{2}:\d{2}(?::\d{2})?\S*)?)\s+([a-z_]+)(?:\s+([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\s*$/;

/**
 * Splits a file into frontmatter and raw update sections. Throws ContentError for
 * structural problems; field values are checked by incidentFileSchema.
 */
/**
 * A content file's YAML frontmatter (a mapping) and the body after it, with
 * the line the body starts on; ContentError when there is none or it is not one.
 */
export function readFrontmatter(filePath: string, text: string): { frontmatter: Record<string, unknown>; yamlText: string; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new ContentError(filePath, 'frontmatter', 'the file must start with a --- YAML block ---');
  let frontmatter: unknown;
  try {
    frontmatter = parseYaml(match[1]);
  } catch (error) {
    throw new ContentError(filePath, 'frontmatter', `invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!frontmatter || typeof frontmatter !== 'object' || Array.isArray(frontmatter)) {
    throw new ContentError(filePath, 'frontmatter', 'must be a YAML mapping of fields');
  }
  return { frontmatter: frontmatter as Record<string, unknown>, yamlText: match[1], body: match[2] };
}

export function splitIncidentFile(filePath: string, text: string): Record<string, unknown> {
  const { frontmatter, yamlText, body } = readFrontmatter(filePath, text);
  if ('updates' in frontmatter) {
    throw new ContentError(filePath, 'updates', 'write updates as "## <time> <status>" sections in the body, not in the frontmatter');
  }

  const bodyStartLine = yamlText.split('\n').length + 3;
  const updates: { at: string; status: string; body: string; language?: string }[] = [];
  let current: { at: string; status: string; language?: string; lines: string[] } | null = null;
  const finish = (u: NonNullable<typeof current>) => updates.push({ at: u.at, status: u.status, body: u.lines.join('\n').trim(), ...(u.language && { language: u.language }) });
  // A code fence left open would swallow every later update (the file would
  // still parse, and the incident would stay open): where one is still open at
  // an update heading or at the end of the file, the build stops naming its line.
  let fence: { marker: string; line: number } | null = null;
  body.split(/\r?\n/).forEach((line, n) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && !fence) fence = { marker, line: bodyStartLine + n };
    else if (marker && fence && marker[0] === fence.marker[0] && marker.length >= fence.marker.length && line.trim() === marker) fence = null;
    else if (fence && headingPattern.test(line)) {
      throw new ContentError(
        filePath,
        `updates (line ${bodyStartLine + n})`,
        `"${line}" is inside the code fence opened on line ${fence.line}; close that fence (${fence.marker}) before this update`,
      );
    }
    if (!fence && line.startsWith('## ')) {
      const heading = headingPattern.exec(line);
      if (!heading) {
        throw new ContentError(
          filePath,
          `updates (line ${bodyStartLine + n})`,
          `"${line}" is not an update heading; write "## 2026-09-14T08:20:00Z identified"`,
        );
      }
      if (current) finish(current);
      current = { at: heading[1], status: heading[2], ...(heading[3] && { language: heading[3] }), lines: [] };
      return;
    }
    if (current) current.lines.push(line);
    else if (line.trim() !== '') {
      throw new ContentError(
        filePath,
        `updates (line ${bodyStartLine + n})`,
        'text before the first "## <time> <status>" heading; every paragraph belongs to an update',
      );
    }
  });
  const open = fence as { marker: string; line: number } | null;
  if (open) throw new ContentError(filePath, `updates (line ${open.line})`, `the code fence opened here is never closed; close it with ${open.marker}`);
  const last = current as { at: string; status: string; language?: string; lines: string[] } | null;
  if (last) finish(last);
  return { ...(frontmatter as Record<string, unknown>), updates };
}

/** Formats the first schema issue as `field.path: message`. */
export function describeIssue(issue: z.ZodIssue): { field: string; message: string } {
  return { field: issue.path.join('.') || '(file)', message: issue.message };
}

/** Validates split data and turns it into the domain's AuthoredIncident. */
export function toAuthoredIncident(
  id: string,
  filePath: string,
  data: IncidentFileData,
  knownComponentIds: ReadonlySet<string>,
): AuthoredIncident {
  if (!slugPattern.test(id)) {
    throw new ContentError(filePath, 'file name', 'use lower-case letters, digits and dashes, e.g. 2026-09-14-webmail-timeouts.md');
  }
  for (const componentId of Object.keys(data.components)) {
    if (!knownComponentIds.has(componentId)) {
      throw new ContentError(filePath, `components.${componentId}`, 'no such component in content/components.yml');
    }
  }
  const { updates, titles } = withTranslations(filePath, data);
  const startedAt =
    data.kind === 'maintenance' ? (data.scheduled_for as Date) : (data.started ?? updates[0].at);
  const rule = data.recurrence === undefined ? null : checkRule(data.recurrence); // checked by the schema
  return {
    id,
    kind: data.kind,
    title: data.title,
    ...(titles && { titles }),
    impact: data.impact ?? 'none',
    components: Object.entries(data.components).map(([componentId, status]) => ({ id: componentId, status })),
    startedAt,
    scheduledFor: data.scheduled_for ?? null,
    scheduledUntil: data.scheduled_until ?? null,
    recurrence: rule?.ok ? rule.rule : null,
    updates,
    filePath,
  };
}

/**
 * The updates oldest first, each with its translations, and the translated
 * titles. A translation heading names a language Herald has, and an update
 * the file has (same time, same status); every language under `translations`
 * translates every update. ContentError names the file and what to write.
 */
function withTranslations(filePath: string, data: IncidentFileData): { updates: AuthoredIncident['updates']; titles: Translations | undefined } {
  const own = data.updates.filter((u) => u.language === undefined);
  const updates: AuthoredIncident['updates'] = own.map((u) => ({ at: u.at, status: u.status as UpdateStatus, body: u.body })).sort((a, b) => a.at.getTime() - b.at.getTime());
  if (own.length === 0) throw new ContentError(filePath, 'updates', 'add at least one "## <time> <status>" section in the page\'s own language');
  const languages = Object.keys(data.translations ?? {});
  for (const language of languages) {
    if (!isLocale(language)) throw new ContentError(filePath, `translations.${language}`, `"${language}" is not a language Herald has: one of ${localeCodes.join(', ')}`);
  }
  const heading = (u: { at: Date; status: string }, language?: string) => `"## ${u.at.toISOString().replace('.000Z', 'Z')} ${u.status}${language ? ` ${language}` : ''}"`;
  for (const t of data.updates.filter((u) => u.language !== undefined)) {
    const language = t.language!;
    if (!languages.includes(language)) {
      throw new ContentError(filePath, `updates (${heading(t, language)})`, isLocale(language) ? `add the title in ${language} under translations.${language}.title` : `"${language}" is not a language Herald has: one of ${localeCodes.join(', ')}`);
    }
    const update = updates.find((u) => u.at.getTime() === t.at.getTime() && u.status === t.status);
    if (!update) throw new ContentError(filePath, `updates (${heading(t, language)})`, `translates no update: the file has no ${heading(t)}`);
    if (update.translations?.[language as Locale]) throw new ContentError(filePath, `updates (${heading(t, language)})`, 'this update is translated into that language twice');
    if (t.body === '') throw new ContentError(filePath, `updates (${heading(t, language)})`, 'the translation is empty');
    update.translations = { ...update.translations, [language]: t.body };
  }
  for (const language of languages) {
    const missing = updates.find((u) => !u.translations?.[language as Locale]);
    if (missing) throw new ContentError(filePath, `translations.${language}`, `the update ${heading(missing)} has no translation: add a ${heading(missing, language)} section`);
  }
  const titles = languages.length ? (Object.fromEntries(languages.map((l) => [l, data.translations![l].title])) as Translations) : undefined;
  return { updates, titles };
}

/** Parses and validates one file end to end, for code outside Astro (CLI, tests). */
export function parseIncidentFile(
  id: string,
  filePath: string,
  text: string,
  knownComponentIds: ReadonlySet<string>,
): AuthoredIncident {
  const raw = splitIncidentFile(filePath, text);
  const result = incidentFileSchema.safeParse(raw);
  if (!result.success) {
    const { field, message } = describeIssue(result.error.issues[0]);
    throw new ContentError(filePath, field, message);
  }
  return toAuthoredIncident(id, filePath, result.data, knownComponentIds);
}
