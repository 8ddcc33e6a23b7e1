// Every piece of markdown a visitor or staff member sees goes through
// renderMarkdown: marked for the syntax, sanitize-html for safety. Raw HTML in
// markdown is reduced to an allow-list, so a <script> or onerror= never runs.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, async: false });

const sanitizeOptions: sanitizeHtml.IOptions = {
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
      const external = /^https?:/i.test(attribs.href ?? '');
      return { tagName, attribs: external ? { ...attribs, rel: 'nofollow noopener noreferrer' } : attribs };
    },
    // Images from other hosts would make the visitor's browser call a third
    // party; until they are proxied through Herald they become plain links.
    img: (tagName, attribs) => {
      const src = attribs.src ?? '';
      if (/^(https?:)?\/\//i.test(src)) {
        return { tagName: 'a', attribs: { href: src, rel: 'nofollow noopener noreferrer' }, text: attribs.alt || src };
      }
      return { tagName, attribs };
    },
  },
};

/** Markdown to safe HTML. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return sanitizeHtml(html, sanitizeOptions);
}

