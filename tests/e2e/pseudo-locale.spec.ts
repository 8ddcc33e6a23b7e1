// Every public page read in the pseudo-language (src/lib/i18n/messages/en-XA.ts:
// each message's letters swapped for accented look-alikes, vowels doubled,
// bracketed), in Chromium at 360 px. Two things show at once: any text a page
// writes without the catalogue (plain ASCII letters left over once the
// staff's own content, Intl's dates and the passages marked as English are
// set aside), and any layout that cannot take words 40% longer (sideways
// scrolling, or a box whose text is cut off).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { herald, root, startServer, type RunningServer } from './server';
import { chatPlatformLabels } from '../../src/db/constants';

let server: RunningServer;
let content: string[] = [];
let incident = '';
let maintenance = '';

test.beforeAll(async () => {
  const folder = join(mkdtempSync(join(tmpdir(), 'herald-pseudo-')), 'content');
  cpSync(join(root, 'content'), folder, { recursive: true });
  const pageYml = readFileSync(join(folder, 'page.yml'), 'utf8');
  writeFileSync(join(folder, 'page.yml'), `${pageYml}languages: [en, en-XA]\ndefault_language: en\n`);
  server = await startServer({ CONTENT_DIR: folder });
  // Something open, something planned, a resolved one with a duration: every kind of fact a page shows.
  incident = herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'major', '--component', 'webmail', '--status', 'identified', '--message', 'Looking into it.').split('\n')[0];
  herald(server.db, 'incident', 'update', incident, '--status', 'monitoring', '--message', 'A fix is out.', '--next-update', '30m');
  const start = new Date(Date.now() + 86_400_000).toISOString();
  const end = new Date(Date.now() + 90_000_000).toISOString();
  maintenance = herald(server.db, 'maintenance', 'schedule', '--title', 'Database upgrade', '--from', start, '--until', end, '--component', 'webmail', '--message', 'Planned.').split('\n')[0];
  // The staff's own words are shown as written: gathered from the JSON API and page.yml, and set aside.
  const summary = await (await fetch(`${server.url}/api/v2/summary.json`)).json();
  const incidents = await (await fetch(`${server.url}/api/v2/incidents.json`)).json();
  const maintenances = await (await fetch(`${server.url}/api/v2/scheduled-maintenances.json`)).json();
  content = [
    summary.page.name,
    /description: (.*)/.exec(pageYml)?.[1] ?? '',
    ...summary.components.flatMap((c: { name: string; description: string | null }) => [c.name, c.description ?? '']),
    ...[...incidents.incidents, ...maintenances.scheduled_maintenances].map((i: { name: string }) => i.name),
    ...Object.values(chatPlatformLabels),
  ]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
});
test.afterAll(async () => {
  await server?.stop();
});

/** Words Intl writes (months, days, zones, units of durations): they come from the browser's locale data, not from Herald's catalogue. */
const intlWords = (() => {
  const words = new Set(['UTC', 'GMT', 'CSV', 'JSON', 'RSS', 'iCalendar', 'URL', 'POST', 'hr', 'hrs', 'min', 'mins', 'day', 'days']);
  for (let m = 0; m < 12; m++) {
    const date = new Date(Date.UTC(2026, m, 15));
    for (const month of ['long', 'short'] as const) words.add(new Intl.DateTimeFormat('en-GB', { month, timeZone: 'UTC' }).format(date).replace('.', ''));
    for (const weekday of ['long', 'short'] as const) words.add(new Intl.DateTimeFormat('en-GB', { weekday, timeZone: 'UTC' }).format(date));
  }
  return words;
})();

function untranslated(texts: string[]): string[] {
  const left: string[] = [];
  for (let text of texts) {
    for (const known of content) text = text.split(known).join(' ');
    text = text.replace(/https?:\/\/\S+|\S+@\S+/g, ' ');
    const words = (text.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !intlWords.has(w));
    if (words.length) left.push(`${words.join(' ')} ← “${text.trim().slice(0, 80)}”`);
  }
  return left;
}

test('every public page in the pseudo-language: no text outside the catalogue, nothing cut off or scrolling sideways at 360 px', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, baseURL: server.url });
  const page = await context.newPage();
  const month = new Date().toISOString().slice(0, 7);
  const paths = ['/', '/history', `/history/${month}`, '/components/webmail', `/incidents/${incident}`, `/incidents/${maintenance}`, '/subscribe', '/subscribe/chat', '/subscribe/webhook', '/no-such-page', '/unsubscribe?s=1&t=x', '/subscribe/manage?s=1&t=x', '/subscribe/confirm?s=1&t=x'];
  const problems: string[] = [];
  for (const path of paths) {
    const address = `/en-XA${path}`;
    await page.goto(address);
    expect(await page.getAttribute('html', 'lang'), address).toBe('en-XA');
    // Each pass should find pseudo text: a page that found none is not being read in the pseudo-language at all.
    expect(await page.locator('main').innerText(), address).toContain('⟦');
    const texts = await page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement!;
        // Dates are Intl's; code and staff-written markdown are shown as written; a passage marked as another language is that language.
        if (parent.closest('time, code, .prose, script, style') || parent.closest('[lang]')?.getAttribute('lang') !== 'en-XA') continue;
        if (node.textContent!.trim()) out.push(node.textContent!);
      }
      return out;
    });
    problems.push(...untranslated(texts).map((p) => `${address}: ${p}`));
    const layout = await page.evaluate(() => {
      const cut: string[] = [];
      for (const element of document.querySelectorAll<HTMLElement>('main *, header *, footer *')) {
        const style = getComputedStyle(element);
        if (style.display === 'none' || element.closest('.visually-hidden, .bar, [hidden]')) continue;
        const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
        if (clips && element.scrollWidth > element.clientWidth + 1) cut.push(`${element.tagName.toLowerCase()}.${element.className}: ${element.textContent!.trim().slice(0, 40)}`);
      }
      return { cut, width: document.documentElement.scrollWidth };
    });
    expect(layout.width, `${address} scrolls sideways`).toBeLessThanOrEqual(360);
    problems.push(...layout.cut.map((c) => `${address}: cut off: ${c}`));
  }
  expect(problems).toEqual([]);
  await context.close();
});
