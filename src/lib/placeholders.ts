// Placeholders in templates, `{{component}}` and friends: filled in when staff
// post, or refused, so a customer never reads one raw. In a message (markdown),
// text inside code (`inline` or fenced) is left alone: it may show `{{x}}` as
// an example. A title is plain text: every placeholder in it counts.

/** What a placeholder stands for, filled from what is being posted. */
export const placeholders = {
  component: 'the names of the affected components, e.g. "Web interface and IMAP"',
  next_update: 'when the next update is promised, e.g. "2 Dec 2026, 15:30 CET (14:30 UTC)"',
  page: "the page's name",
  start: "a maintenance window's start",
  end: "a maintenance window's end",
} as const;

export type Placeholder = keyof typeof placeholders;

const code = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|(?<!\\)`[^`\n]*`)/;
const pattern = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;

/** How a text is read: markdown (code left alone) or plain text (a title). */
export type TextKind = 'markdown' | 'plain';

/** The text split into prose (even indexes) and code (odd), so only prose is touched. */
function proseAndCode(text: string, kind: TextKind): string[] {
  return kind === 'markdown' ? text.split(code) : [text];
}

/** Every placeholder name used outside code, each once, in order. */
export function placeholdersIn(text: string, kind: TextKind = 'markdown'): string[] {
  const names = proseAndCode(text, kind)
    .filter((_, n) => n % 2 === 0)
    .flatMap((prose) => [...prose.matchAll(pattern)].map((m) => m[1]));
  return [...new Set(names)];
}

export function isPlaceholder(name: string): name is Placeholder {
  return Object.hasOwn(placeholders, name);
}

/**
 * The text with every placeholder outside code replaced by its value. The
 * first placeholder that is unknown, or has no value here, comes back as the
 * problem instead: the caller refuses the post naming it.
 */
export function fillPlaceholders(text: string, values: Partial<Record<Placeholder, string>>, kind: TextKind = 'markdown'): { text: string } | { unknown: string } | { unfilled: Placeholder } {
  for (const name of placeholdersIn(text, kind)) {
    if (!isPlaceholder(name)) return { unknown: name };
    if (values[name] === undefined) return { unfilled: name };
  }
  const filled = proseAndCode(text, kind)
    .map((part, n) => (n % 2 === 0 ? part.replace(pattern, (_, name: Placeholder) => values[name]!) : part))
    .join('');
  return { text: filled };
}

/** "Web interface", "Web interface and IMAP", "Web interface, IMAP and DNS". */
export function listOfNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
