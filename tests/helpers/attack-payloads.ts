// Hostile input shared by the attack suites (tests/unit/escaping.test.ts and
// tests/e2e/attack-*.spec.ts). A payload that ever runs sets window.__xss or
// opens a dialog; one that survives as markup leaves an on* attribute, a
// script-like element or a javascript:/data: link that the suites look for.

/** XSS payloads: each one at most 90 characters, so it fits a component name with a prefix. */
export const xssPayloads: readonly string[] = [
  // Script elements and event handlers.
  '<script>window.__xss=1</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror="window.__xss=1">',
  '<img src="x" onerror="&#119;indow.__xss=1">',
  '<svg onload="window.__xss=1">',
  '<svg><script>window.__xss=1</script></svg>',
  '<svg><a xlink:href="javascript:window.__xss=1"><text y="20">svg link</text></a></svg>',
  '<body onload="window.__xss=1">',
  '<details open ontoggle="window.__xss=1">toggle</details>',
  '<input autofocus onfocus="window.__xss=1">',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>',
  '<!--<img src="--><img src=x onerror=window.__xss=1//">',
  '<scr<script>ipt>window.__xss=1</scr</script>ipt>',
  // Breaking out of attributes and of elements whose content is raw text.
  '"><script>window.__xss=1</script>',
  "'><img src=x onerror=alert(1)>",
  '" onmouseover="window.__xss=1" x="',
  "' autofocus onfocus='window.__xss=1' x='",
  '</textarea><script>window.__xss=1</script>',
  '</title><script>window.__xss=1</script>',
  '</style><script>window.__xss=1</script>',
  '</noscript><img src=x onerror=window.__xss=1>',
  ']]><script>window.__xss=1</script>',
  // Markdown links and images with scripting schemes, in every spelling.
  '[x](javascript:alert(1))',
  '[x](JAVASCRIPT:alert(1))',
  '[x](JaVaScRiPt:window.__xss=1)',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;&#x61;vascript:alert(1))',
  '[x](jav&#x09;ascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](%6A%61vascript:alert(1))',
  '[x](\\u006Aavascript:alert(1))',
  '[x]( javascript:alert(1) "title")',
  '[x](<javascript:alert(1)>)',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '[ref]\n\n[ref]: javascript:alert(1)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  // Raw HTML links, frames and plugins.
  '<a href="javascript:alert(1)">js link</a>',
  '<a href="  JaVaScRiPt:alert(1)">mixed case</a>',
  '<a href="java\tscript:alert(1)">tab</a>',
  '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<button formaction="javascript:alert(1)">go</button>',
  // Styles.
  '<div style="background:url(javascript:alert(1))">style</div>',
  '<p style="width:expression(alert(1))">expression</p>',
  '<style>@import "javascript:alert(1)";</style>',
  // Encoded forms that must stay text.
  '&lt;script&gt;window.__xss=1&lt;/script&gt;',
  '&#60;img src=x onerror=alert(1)&#62;',
  '%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E',
  '\\u003cscript\\u003ewindow.__xss=1\\u003c/script\\u003e',
  '\uff1cscript\uff1ewindow.__xss=1\uff1c/script\uff1e',
  '<img src=x onerror=window.__xss=1 \u202e>',
  // Template syntax, in case anything ever evaluates it.
  '{{constructor.constructor("window.__xss=1")()}}',
  '${window.__xss=1}',
];

/** SQL-shaped input: stored and shown as typed, and the tables survive it. */
export const sqlPayloads: readonly string[] = [
  "'; DROP TABLE incidents; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM users;--",
  "1' OR '1'='1",
  "x'); UPDATE components SET name='pwned'; --",
  "'; ATTACH DATABASE '/tmp/pwned.db' AS p; --",
  '1; SELECT load_extension(\'x\') --',
  "%' UNION SELECT password_hash FROM users --",
];

/** A seeded PRNG (mulberry32), so a fuzz failure reproduces from its seed. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  /** A string of `length` code points drawn from ASCII, controls, Latin-1, CJK, emoji and lone surrogates. */
  const string = (length: number) => {
    const pools = [
      () => String.fromCharCode(0x20 + int(0x5f)),
      () => String.fromCharCode(int(0x20)),
      () => String.fromCharCode(0xa0 + int(0x60)),
      () => String.fromCharCode(0x4e00 + int(0x500)),
      () => String.fromCodePoint(0x1f300 + int(0x300)),
      () => String.fromCharCode(0xd800 + int(0x800)),
      () => pick(['<', '>', '"', "'", '&', '\\', '%', '\u0000', '\r\n', '\u202e', '\ufeff']),
    ];
    let out = '';
    for (let i = 0; i < length; i++) out += pick(pools)();
    return out;
  };
  return { next, int, pick, string };
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', sol: '/', lpar: '(', rpar: ')' };

/** Character references decoded as a browser decodes them in an attribute value (the trailing ; is optional). */
export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[ref.toLowerCase()] ?? whole;
  });
}

/** Schemes that run or render a document when followed. */
const scriptingScheme = /^(javascript|vbscript|data|livescript):/i;
/** Elements that run script, embed other documents or restyle the page. */
const dangerousElements = /^(script|iframe|frame|frameset|object|embed|applet|base|form|svg|math|style|link|noscript|template)$/i;
const urlAttributes = /^(href|src|action|formaction|xlink:href|data|srcdoc|background|poster|dynsrc|lowsrc)$/i;

/**
 * What in an HTML fragment could run script: dangerous elements, on* attributes,
 * links and sources with a scripting scheme (after decoding references and
 * dropping the whitespace and controls a browser ignores), meta refreshes, and
 * (unless `allowStyle`, for mail's own inline styles) style attributes. Text is
 * skipped: `&lt;script&gt;` is harmless.
 */
export function unsafeMarkup(html: string, { allowStyle = false } = {}): string[] {
  const found: string[] = [];
  const tag = /<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  for (const [, rawName, rest] of html.matchAll(tag)) {
    const name = rawName.toLowerCase();
    if (dangerousElements.test(name)) found.push(`<${name}>`);
    const attribute = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
    for (const [, rawAttr, double, single, bare] of rest.matchAll(attribute)) {
      const attr = rawAttr.toLowerCase();
      const value = decodeEntities(double ?? single ?? bare ?? '');
      if (attr.startsWith('on')) found.push(`<${name} ${attr}>`);
      if (urlAttributes.test(attr) && scriptingScheme.test(value.replace(/[\u0000-\u0020]/g, ''))) found.push(`<${name} ${attr}="${value}">`);
      if (attr === 'style' && (!allowStyle || /expression|javascript|url\(/i.test(value))) found.push(`<${name} style="${value}">`);
      if (name === 'meta' && attr === 'http-equiv') found.push(`<meta http-equiv="${value}">`);
    }
  }
  return found;
}
