// The domain model every reader uses: pages, feeds, the JSON API, mail, badges.
// Markdown-authored and live incidents both become an Incident (see timeline.ts);
// nothing downstream can tell them apart except through `source`.
import type {
  ComponentStatus,
  IncidentImpact,
  IncidentKind,
  UpdateStatus,
} from '../db/constants';
import type { Locale } from './i18n/locales';

export interface Component {
  id: string;
  name: string;
  description: string | null;
  groupId: string | null;
  position: number;
  status: ComponentStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface ComponentGroup {
  id: string;
  name: string;
  position: number;
  components: Component[];
}

/** Staff's words in the page's other languages, by language. */
export type Translations = Partial<Record<Locale, string>>;

export interface IncidentUpdate {
  /** Stable id: `<incident>#md-<n>` for markdown updates, `<incident>#<row id>` for live ones. */
  id: string;
  status: UpdateStatus;
  /** Markdown source, in the page's default language; render with markdown.ts. */
  body: string;
  /** The same text in the page's other languages, where staff wrote it. */
  translations?: Translations;
  at: Date;
  source: 'markdown' | 'live';
  /** When staff corrected the text after posting; null if never. */
  editedAt: Date | null;
  /** Whether subscribers were told about it (markdown updates never are). */
  notified: boolean;
  /** Posted by Herald itself when a maintenance window started or ended by the clock. */
  automatic: boolean;
  /** What this update changed, in this incident's terms: closing it returns its components to operational. */
  componentChanges: ComponentChange[];
  /** When it promised the next update; null if it promised none (markdown updates never do). */
  nextUpdateBy: Date | null;
  /** Whether a later update kept that promise (or it stopped standing): it is then history, not shown. */
  promiseKept: boolean;
}

/** One component's move on an update: `Web interface: major outage → degraded performance`. */
export interface ComponentChange {
  id: string;
  from: ComponentStatus;
  to: ComponentStatus;
}

export interface AffectedComponent {
  id: string;
  /** The status the incident gives this component while it is open. */
  status: ComponentStatus;
  /** The worst status the incident gave it at any time: what a resolved incident shows. */
  peak: ComponentStatus;
}

export interface Incident {
  /** The slug: a markdown file's name, or the database id. Stable forever. */
  id: string;
  kind: IncidentKind;
  /** In the page's default language. */
  title: string;
  /** The title in the page's other languages, where staff wrote it. */
  titles?: Translations;
  impact: IncidentImpact;
  /** Effective status: the latest update's, with maintenance windows applied (timeline.ts). */
  status: UpdateStatus;
  components: AffectedComponent[];
  startedAt: Date;
  /** When it was resolved or completed; null while open. */
  resolvedAt: Date | null;
  scheduledFor: Date | null;
  scheduledUntil: Date | null;
  /** Newest first. */
  updates: IncidentUpdate[];
  /** Where it was authored; a markdown incident may also carry live updates. */
  source: 'markdown' | 'live';
  /** For markdown incidents: the file, relative to the project root. */
  filePath: string | null;
  /** The template a live incident was opened from (its later messages are offered to staff). */
  templateId: string | null;
  /** The latest update's time, or the start. */
  updatedAt: Date;
  /**
   * While it is open, when staff promised the next update (the latest staff
   * update's promise); null otherwise. Shown as promised even once it passed:
   * customers see the promise, staff see it overdue.
   */
  nextUpdateBy: Date | null;
  /** For a window of a recurring maintenance: its series (the first window's id) and where the rule put it, which stays when staff move it. */
  occurrence: { seriesId: string; of: Date } | null;
}

/** A maintenance that repeats (the maintenance_series table): a rule from its first window, in a zone. */
export interface MaintenanceSeries {
  /** The first window's id. */
  id: string;
  rule: string;
  timeZone: string;
  firstStart: Date;
  durationMs: number;
  /** The next start not made into a window yet; null once none are left or the series ended. */
  nextStart: Date | null;
  /** Scheduled live (console, API, CLI), or a markdown file's, which ends only in its file. */
  source: 'live' | 'file';
}

/** What a maintenance window did by the clock, with no staff update to announce it. */
export type WindowMoment = 'reminder' | 'started' | 'completed';

/** A span during which a component had a non-operational status; `end` null means still going. */
export interface Outage {
  componentId: string;
  status: ComponentStatus;
  start: Date;
  end: Date | null;
  /** The incident or maintenance behind it; null for a status staff set on the component itself. */
  incidentId: string | null;
}
