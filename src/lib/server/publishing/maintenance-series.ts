// Recurring maintenance. A series is a rule (RFC 5545 RRULE) from its first
// window; each later occurrence becomes a maintenance of its own a fortnight
// before it starts, made by the delivery worker (or at once when scheduled),
// so every occurrence has its own entry on the page, its own reminder, start
// and end mails, and staff can move or cancel one without touching the rest.
// The announcement goes out once, for the first window; occurrences are made
// quietly, and remind subscribers unless the first window was scheduled so.
import { and, desc, eq, isNotNull, lte, notInArray } from 'drizzle-orm';
import { incidentComponents, incidents, incidentUpdates, maintenanceSeries, type MaintenanceSeriesRow } from '../../../db/schema';
import { maxOccurrences, occurrenceStarts } from '../../recurrence';
import { recordAudit, systemActor } from '../accounts';
import type { AuthoredIncident } from '../../content/incident-file';
import type { HeraldDb } from '../db';
import { newIncidentId } from './ids';
import { readTranslations, writeTranslations, type Translated } from './translations';
import type { Locale } from '../../i18n/locales';

/**
 * How far ahead occurrences become windows of their own: little enough to keep
 * the page about what is near. A reminder period longer than this reminds of
 * each window as soon as it is made (delivery.ts).
 */
export const seriesHorizonMs = 14 * 86_400_000;

/** Where series read their first windows from. */
export interface Sources {
  db: HeraldDb;
  authored: AuthoredIncident[];
}

type Tx = Parameters<Parameters<HeraldDb['transaction']>[0]>[0];

/** What a series is made from: its first window. */
export interface SeriesStart {
  id: string;
  rule: string;
  timeZone: string;
  firstStart: Date;
  durationMs: number;
  source: MaintenanceSeriesRow['source'];
}

/** The start after `start` the rule gives, or null when it gives no more. */
function startAfter(series: Pick<SeriesStart, 'rule' | 'firstStart' | 'timeZone'>, start: Date): Date | null {
  return occurrenceStarts(series.rule, series.firstStart, series.timeZone, { after: new Date(start.getTime() + 60_000), limit: 1 })[0] ?? null;
}

/** Records a series whose first window exists; its later windows are made by makeOccurrences. */
export function startSeries(tx: Tx | HeraldDb, series: SeriesStart, now: Date): void {
  tx.insert(maintenanceSeries)
    .values({ ...series, nextStart: startAfter(series, series.firstStart), createdAt: now })
    .onConflictDoNothing()
    .run();
}

/**
 * Records a markdown series, or follows its file when the rule, the first
 * window or the zone changed since: later windows are planned by the new rule,
 * from after the last window already planned. Windows already planned stay as
 * they are (staff move or call them off like any other).
 */
export function followFileSeries(db: HeraldDb, series: Omit<SeriesStart, 'source'>, now: Date): void {
  const known = db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, series.id)).get();
  if (!known) return startSeries(db, { ...series, source: 'file' }, now);
  const same = known.rule === series.rule && known.timeZone === series.timeZone && known.firstStart.getTime() === series.firstStart.getTime() && known.durationMs === series.durationMs;
  if (same) return;
  const planned = db
    .select({ of: incidents.occurrenceOf })
    .from(incidents)
    .where(eq(incidents.seriesId, series.id))
    .orderBy(desc(incidents.occurrenceOf))
    .get();
  const after = planned?.of && planned.of > series.firstStart ? planned.of : series.firstStart;
  db.update(maintenanceSeries)
    .set({ rule: series.rule, timeZone: series.timeZone, firstStart: series.firstStart, durationMs: series.durationMs, nextStart: startAfter(series, after) })
    .where(eq(maintenanceSeries.id, series.id))
    .run();
}

/** Forgets the markdown series whose files no longer repeat: what they planned stays, as windows of no series. */
export function endFileSeriesExcept(db: HeraldDb, repeating: string[]): void {
  db.delete(maintenanceSeries)
    .where(and(eq(maintenanceSeries.source, 'file'), repeating.length ? notInArray(maintenanceSeries.id, repeating) : undefined))
    .run();
}

/** What each window of a series repeats: the first window's title, components and first message. */
interface Pattern {
  title: string;
  message: string;
  /** The title and first message in the page's other languages, as the first window has them. */
  translated: Map<Locale, Translated>;
  componentIds: string[];
  templateId: string | null;
}

/** The pattern, or why there is none now: the first window is gone for good, or in the trash (restorable, so the series waits). */
function patternOf(ctx: Sources, series: MaintenanceSeriesRow): Pattern | 'gone' | 'trashed' {
  if (series.source === 'file') {
    const file = ctx.authored.find((a) => a.id === series.id);
    if (!file?.recurrence) return 'gone';
    const translated = new Map<Locale, Translated>();
    for (const [locale, title] of Object.entries(file.titles ?? {}) as [Locale, string][]) translated.set(locale, { title, message: file.updates[0]?.translations?.[locale] });
    return { title: file.title, message: file.updates[0]?.body ?? '', translated, componentIds: file.components.map((c) => c.id), templateId: null };
  }
  const first = ctx.db.select().from(incidents).where(eq(incidents.id, series.id)).get();
  if (!first) return 'gone';
  if (first.deletedAt) return 'trashed';
  const announcement = ctx.db
    .select({ id: incidentUpdates.id, body: incidentUpdates.body })
    .from(incidentUpdates)
    .where(and(eq(incidentUpdates.incidentId, series.id), eq(incidentUpdates.status, 'scheduled')))
    .orderBy(incidentUpdates.id)
    .get();
  const componentIds = ctx.db.select({ id: incidentComponents.componentId }).from(incidentComponents).where(eq(incidentComponents.incidentId, series.id)).all();
  const stored = readTranslations(ctx.db, series.id);
  const translated = new Map<Locale, Translated>();
  for (const [locale, title] of stored.get(0) ?? []) translated.set(locale, { title });
  for (const [locale, message] of (announcement && stored.get(announcement.id)) ?? []) translated.set(locale, { ...translated.get(locale), message });
  return { title: first.title, message: announcement?.body ?? '', translated, componentIds: componentIds.map((c) => c.id), templateId: first.templateId };
}

/**
 * Makes the windows of every series that start within the horizon, each once
 * (a window per series and start, by a unique index, however many workers
 * run). A window whose end passed while nothing made it (Herald was down) is
 * skipped: a maintenance nobody announced did not happen on the page. A series
 * whose first window went for good (purged from the trash) ends; one whose
 * first window is in the trash waits, and goes on if it is restored. Returns
 * the ids of the windows made.
 */
export function makeOccurrences(ctx: Sources, now: Date): string[] {
  const { db } = ctx;
  const horizon = new Date(now.getTime() + seriesHorizonMs);
  const due = db
    .select({ id: maintenanceSeries.id })
    .from(maintenanceSeries)
    .where(and(isNotNull(maintenanceSeries.nextStart), lte(maintenanceSeries.nextStart, horizon)))
    .all();
  const made: string[] = [];
  for (const { id: seriesId } of due) {
    db.transaction((tx) => {
      // Read again inside the transaction: another process (the CLI ending the series) may have changed it since.
      const series = tx.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, seriesId)).get();
      if (!series?.nextStart || series.nextStart > horizon) return;
      const pattern = patternOf({ db: tx as unknown as HeraldDb, authored: ctx.authored }, series);
      if (pattern === 'trashed') return;
      if (pattern === 'gone') {
        tx.update(maintenanceSeries).set({ nextStart: null }).where(eq(maintenanceSeries.id, series.id)).run();
        return;
      }
      let next: Date | null = series.nextStart;
      for (let n = 0; next && next <= horizon && n < maxOccurrences; n++) {
        const until = new Date(next.getTime() + series.durationMs);
        if (until > now) {
          const id = newIncidentId({ db: tx as unknown as HeraldDb, authored: ctx.authored }, pattern.title, next);
          const inserted = tx
            .insert(incidents)
            .values({ id, kind: 'maintenance', title: pattern.title, impact: 'none', startedAt: next, scheduledFor: next, scheduledUntil: until, createdAt: now, templateId: pattern.templateId, seriesId: series.id, occurrenceOf: next })
            .onConflictDoNothing()
            .returning({ id: incidents.id })
            .all();
          if (inserted.length) {
            const update = tx.insert(incidentUpdates).values({ incidentId: id, status: 'scheduled', body: pattern.message, at: now, notify: false }).returning({ id: incidentUpdates.id }).get();
            writeTranslations(tx as never, id, update.id, pattern.translated, now);
            for (const componentId of pattern.componentIds) tx.insert(incidentComponents).values({ incidentId: id, componentId, status: 'under_maintenance' }).run();
            recordAudit(tx, systemActor, 'maintenance.occurrence', id, { series: series.id, scheduledFor: next, scheduledUntil: until }, now);
            made.push(id);
          }
        }
        next = startAfter(series, next);
      }
      tx.update(maintenanceSeries).set({ nextStart: next }).where(eq(maintenanceSeries.id, series.id)).run();
    });
  }
  return made;
}
