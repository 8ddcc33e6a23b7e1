// Every piece of markdown a visitor or staff member sees goes through
// renderMarkdown: marked for the syntax, sanitize-html for safety. Raw HTML in
// markdown is reduced to an allow-list, so a <script> or onerror= never runs.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, async: false });

/** How markdown may show an image on another host: a same-origin URL for it, or null to make it a link. */
export type ImageUrl = (src: string) => string | null;

export interface RenderOptions {
  /** Without it (mail), images on other hosts become plain links. */
  imageUrl?: ImageUrl;
}

const external = (url: string) => /^(https?:)?\/\//i.test(url.trim());
const outsideLinkRel = 'nofollow noopener noreferrer';

function sanitizeOptions(imageUrl: ImageUrl | undefined): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'a', 'ul', 'ol', 'li',
      'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'sup', 'sub', 'kbd',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title'],
      th: ['align'],
      td: ['align'],
      ol: ['start'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    transformTags: {
      // An update's body sits under its own h3 heading; keep the outline intact.
      h1: 'h4',
      h2: 'h4',
      h3: 'h4',
      a: (tagName, attribs) => {
        const outside = /^https?:/i.test(attribs.href ?? '');
        return { tagName, attribs: outside ? { ...attribs, rel: outsideLinkRel } : attribs };
      },
      // An image on another host would make the visitor's browser call a third
      // party: it is shown through the image proxy, or becomes a plain link.
      img: (tagName, attribs) => {
        const src = attribs.src ?? '';
        if (!external(src)) return { tagName, attribs };
        const proxied = imageUrl?.(src);
        if (proxied) return { tagName, attribs: { ...attribs, src: proxied } };
        return { tagName: 'a', attribs: { href: src, rel: outsideLinkRel }, text: attribs.alt || src };
      },
    },
  };
}

const withoutProxy = sanitizeOptions(undefined);

/**
 * What was rendered, per image-link function (one per database and base,
 * images/links.ts), most recently used last: parsing and sanitizing cost about
 * a third of a ms per update, and pages, feeds and mail render the same
 * updates after every write.
 */
const renderedBy = new WeakMap<object, Map<string, string>>();
const keptPerFunction = 2_000;
/** Longer texts (write-ups) are rendered each time: kept, they could hold megabytes. */
const keptLength = 16_000;

/** Markdown to safe HTML. */
export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  const key = options.imageUrl ?? withoutProxy;
  let rendered = renderedBy.get(key);
  if (!rendered) renderedBy.set(key, (rendered = new Map()));
  let html = rendered.get(source);
  if (html === undefined) {
    html = sanitizeHtml(marked.parse(source) as string, options.imageUrl ? sanitizeOptions(options.imageUrl) : withoutProxy);
    if (source.length > keptLength) return html;
    if (rendered.size >= keptPerFunction) rendered.delete(rendered.keys().next().value!);
  } else {
    rendered.delete(source);
  }
  rendered.set(source, html);
  return html;
}
