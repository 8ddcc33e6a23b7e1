// The XSS corpus (tests/helpers/attack-payloads.ts) through every way in: the
// CLI, the token API, the console forms, the public subscribe forms, query
// parameters and the values a failed form shows back. Then a browser visits
// every public and console page (found by following links) and the answers to
// those forms, with the Content-Security-Policy bypassed so escaping is tested
// on its own: no dialog opens, window.__xss stays unset, no request leaves for
// another host, and no on* attribute, script-like element or javascript: link
// is in the DOM. The JSON API keeps the markdown source verbatim; the HTML does not.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { canonicalEmail } from '../../src/lib/email-address';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { xssPayloads } from '../helpers/attack-payloads';
import { inspectPage, logInAsOwner, startAttackServer, type AttackServer } from './attack-helpers';
import { expect, test } from './fixtures';
import { herald } from './server';

// Two crawls of a few hundred pages: give them room on a busy two-core machine.
test.describe.configure({ mode: 'serial', timeout: 120_000 });

let target: AttackServer;
let token = '';
/** Problems found, by where: all are reported at once at the end of each test. */
let problems: string[] = [];
const made = { apiIncidents: [] as { id: string; payload: string }[], consoleIncidents: [] as string[], maintenance: '', updateRow: 0, group: '' };

const all = xssPayloads.join('\n\n');

/** The payloads joined by spaces into strings of at most `size` characters (for fields a page cuts short). */
function chunks(size: number): string[] {
  const out: string[] = [];
  for (const payload of xssPayloads) {
    if (out.length && out[out.length - 1].length + 1 + payload.length <= size) out[out.length - 1] += ` ${payload}`;
    else out.push(payload);
  }
  return out;
}

test.beforeAll(async () => {
  // No worker: the subscribers this suite makes would only collect retries.
  target = await startAttackServer({ WEBHOOK_ALLOW_PRIVATE: '1', HERALD_WORKER: '0' });
  const db = openDatabase(target.server.db);
  token = createApiToken(db, { label: 'xss suite', userId: null }, { name: 'xss-suite', scope: 'write' }).secret;
  db.$client.close();
});

test.afterAll(async () => {
  await target?.server.stop();
});

/** A browser context that ignores the CSP (so only escaping stands between a payload and the page) and notes any request to another host. */
async function hostileContext(browser: Browser, label: string): Promise<BrowserContext> {
  const context = await browser.newContext({ bypassCSP: true });
  // Images on other hosts become links (or go through Herald's own /img/ proxy): no page may make the browser call elsewhere.
  context.on('request', (request) => {
    if (!request.url().startsWith(target.url)) problems.push(`${label}: a request left for ${request.url()}`);
  });
  return context;
}

async function watchedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    problems.push(`${page.url()}: a ${dialog.type()} opened: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return page;
}

/** Records what on the loaded page came from a payload; returns the page's links. */
async function inspect(page: Page, label: string, status: number | undefined): Promise<string[]> {
  if (status !== undefined && status >= 500) problems.push(`${label}: answered ${status}`);
  const { injected, ran, links } = await inspectPage(page);
  if (injected.length) problems.push(`${label}: ${injected.join(' | ')}`);
  if (ran !== undefined) problems.push(`${label}: a payload ran (window.__xss = ${String(ran)})`);
  return links;
}

/**
 * Visits `start` and every same-site page linked from the pages visited that
 * `follow` accepts, four at a time, inspecting each. Returns the paths visited.
 */
async function crawl(context: BrowserContext, start: string[], follow: (path: string) => boolean): Promise<string[]> {
  const seen = new Set(start);
  const queue = [...start];
  let busy = 0;
  const worker = async () => {
    const page = await watchedPage(context);
    for (;;) {
      const path = queue.shift();
      if (path === undefined) {
        if (busy === 0) break;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      busy++;
      try {
        const response = await page.goto(target.url + path);
        const links = await inspect(page, `GET ${path}`, response?.status());
        for (const href of links) {
          const url = new URL(href);
          const next = url.pathname + url.search;
          if (url.origin === target.url && follow(next) && !seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      } finally {
        busy--;
      }
    }
    await page.close();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return [...seen];
}

/** Submits a form from inside the page, so the browser sends the Origin and cookies a real form would, and loads the answer. */
async function postInBrowser(page: Page, path: string, fields: Record<string, string>) {
  const navigation = page.waitForNavigation({ waitUntil: 'load' });
  await page.evaluate(
    ({ action, entries }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      for (const [name, value] of entries) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    },
    { action: path, entries: Object.entries(fields) },
  );
  const response = await navigation;
  await inspect(page, `POST ${path} (${Object.keys(fields).join(', ')})`, response?.status());
  return response;
}

test('the detector sees a payload that gets through', async ({ browser }) => {
  problems = [];
  const context = await hostileContext(browser, 'control');
  const page = await watchedPage(context);
  await page.goto(`${target.url}/healthz`);
  await page.setContent(`<p>${['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=2">', '<a href=" JaVaScRiPt:alert(1)">x</a>', '<p style="color:red">'].join('')}</p>`);
  const { injected, ran } = await inspectPage(page);
  expect(ran).toBe(2);
  expect(injected).toHaveLength(4);
  await context.close();
  problems = [];
});

test('hostile text goes in through the CLI, the token API and every console form', async ({ request, browser }) => {
  const api = { Authorization: `Bearer ${token}` };
  const day = 86_400_000;
  // The CLI, as staff on the host would: every payload at once in one markdown body.
  const cli = herald(target.server.db, 'incident', 'create', '--title', xssPayloads[0], '--impact', 'major', '--component', 'webmail', '--message', all).split('\n')[0];
  herald(target.server.db, 'incident', 'update', cli, '--status', 'identified', '--message', all);
  const from = new Date(Date.now() + 2 * day).toISOString();
  const until = new Date(Date.now() + 2 * day + 3_600_000).toISOString();
  herald(target.server.db, 'maintenance', 'schedule', '--title', xssPayloads[1], '--from', from, '--until', until, '--component', 'dns', '--message', all);

  // The token API: one incident per payload, titled and written with it, and an update.
  for (const payload of xssPayloads) {
    const created = await request.post(`${target.url}/api/admin/incidents`, {
      headers: api,
      data: { title: payload, impact: 'minor', message: payload, notify: false, components: [{ id: 'dns', status: 'degraded_performance' }] },
    });
    expect(created.status(), `${payload}: ${await created.text()}`).toBe(201);
    const { id } = await created.json();
    const update = await request.post(`${target.url}/api/admin/incidents/${encodeURIComponent(id)}/updates`, { headers: api, data: { status: 'identified', message: payload, notify: false } });
    expect(update.status(), payload).toBe(201);
    made.apiIncidents.push({ id, payload });
  }
  const maintenance = await request.post(`${target.url}/api/admin/maintenance`, {
    headers: api,
    data: { title: xssPayloads[2], scheduled_for: from, scheduled_until: until, message: all, components: ['imap-pop'], notify: false },
  });
  expect(maintenance.status()).toBe(201);
  made.maintenance = (await maintenance.json()).id;
  // The catalog's own components, renamed and described by the API.
  const { components } = await (await request.get(`${target.url}/api/admin/components`, { headers: api })).json();
  for (const [n, component] of (components as { id: string }[]).entries()) {
    const patched = await request.patch(`${target.url}/api/admin/components/${component.id}`, {
      headers: api,
      data: { name: xssPayloads[n + 3], description: xssPayloads[n + 20] },
    });
    expect(patched.status(), await patched.text()).toBe(200);
  }

  // The console, logged in as the first owner: every form that stores text.
  const context = await browser.newContext();
  const staff = context.request;
  const csrf = await logInAsOwner(staff, target);
  const post = async (path: string, form: Record<string, string>, expected = 303) => {
    const response = await staff.post(target.url + path, { form: { csrf, ...form }, headers: { Origin: target.url }, maxRedirects: 0 });
    expect(response.status(), `POST ${path} ${JSON.stringify(form).slice(0, 200)}: ${response.status() === 303 ? '' : await response.text()}`).toBe(expected);
    return response.headers().location ?? '';
  };
  const plus1h = (n: number) => `2099-01-${String((n % 27) + 1).padStart(2, '0')}T0${(n % 5) + 2}:00`;
  const plus2h = (n: number) => `2099-01-${String((n % 27) + 1).padStart(2, '0')}T0${(n % 5) + 4}:00`;
  for (const [n, payload] of xssPayloads.entries()) {
    const component = await post('/admin/components', { intent: 'create-component', name: `C${n} ${payload}`, description: payload, groupId: '' });
    expect(component).toMatch(/^\/admin\/components\/c\d+/);
    if (n % 4 === 0) {
      const id = /^\/admin\/incidents\/([^?]+)/.exec(
        await post('/admin/incidents/new', {
          intent: 'create',
          title: payload,
          impact: 'major',
          status: 'investigating',
          message: payload,
          [`component.${/components\/([^?]+)/.exec(component)![1]}`]: 'partial_outage',
        }),
      )![1];
      await post(`/admin/incidents/${id}`, { intent: 'update', status: 'monitoring', message: payload });
      made.consoleIncidents.push(decodeURIComponent(id));
    }
    if (n % 8 === 0) {
      await post('/admin/components', { intent: 'create-group', groupName: `G${n} ${payload}` });
      await post('/admin/maintenance/new', { intent: 'schedule', title: payload, scheduledFor: plus1h(n), scheduledUntil: plus2h(n), message: payload, 'component.webmail': 'on' });
      await post('/admin/tokens', { intent: 'create', name: payload, scope: 'read' }, 200);
      await post('/admin/users', { intent: 'create', email: `staff${n}@example.com`, name: payload, role: 'editor' }, 200);
    }
  }
  // Correct an update with a payload, and move an incident and an update to the trash.
  const first = made.apiIncidents[5];
  const updates = await (await request.get(`${target.url}/api/admin/incidents/${encodeURIComponent(first.id)}/updates`, { headers: api })).json();
  made.updateRow = Number(updates.updates[0].id.split('#')[1]);
  await post(`/admin/updates/${made.updateRow}`, { intent: 'save', message: `${xssPayloads[6]} (corrected)`, original: first.payload });
  await post(`/admin/incidents/${made.consoleIncidents[1]}`, { intent: 'trash' });
  const second = await (await request.get(`${target.url}/api/admin/incidents/${encodeURIComponent(made.apiIncidents[7].id)}/updates`, { headers: api })).json();
  await post(`/admin/incidents/${made.apiIncidents[7].id}`, { intent: 'trash-update', update: second.updates[0].id.split('#')[1] });
  made.group = /<input type="hidden" name="group" value="([^"]+)"/.exec(await (await staff.get(`${target.url}/admin/components`)).text())![1];
  await context.close();
});

test('forms that show back what was typed, and query parameters, escape every payload', async ({ browser }) => {
  problems = [];
  // Public forms: a visitor, no session.
  const visitor = await hostileContext(browser, 'visitor');
  const page = await watchedPage(visitor);
  await page.goto(`${target.url}/subscribe`);
  for (const chunk of chunks(254)) {
    expect((await postInBrowser(page, '/subscribe', { email: chunk }))?.status()).toBe(422);
    expect((await postInBrowser(page, '/admin/login', { email: chunk, password: 'not the password' }))?.status()).toBe(401);
  }
  for (const chunk of chunks(2000)) expect((await postInBrowser(page, '/subscribe/webhook', { url: chunk }))?.status()).toBe(422);
  for (const chunk of chunks(2000)) expect((await postInBrowser(page, '/subscribe/chat', { url: chunk, platform: chunk.slice(0, 20) }))?.status()).toBe(422);
  // A payload before an @: refused (422) and shown back escaped unless it is a plain addr-spec, then stored as typed.
  for (const payload of xssPayloads.filter((p) => /^[^\s@]+$/.test(p)).slice(0, 6)) {
    const email = `${payload}@example.com`;
    const expected = canonicalEmail(email).ok ? 200 : 422;
    expect((await postInBrowser(page, '/subscribe', { email, component: 'webmail' }))?.status(), email).toBe(expected);
  }
  for (const payload of xssPayloads.slice(0, 2)) {
    expect((await postInBrowser(page, '/subscribe/webhook', { url: `http://127.0.0.1:9/hook?${payload}` }))?.status()).toBe(201);
  }
  for (const path of ['/subscribe/manage', '/subscribe/confirm', '/unsubscribe']) {
    expect((await postInBrowser(page, path, { s: all, t: all, intent: all }))?.status()).toBeLessThan(500);
  }
  // Query parameters and paths, every payload in one.
  const q = encodeURIComponent(xssPayloads.join(' '));
  for (const path of [
    `/?q=${q}`,
    `/history/${q}`,
    `/history?month=${q}`,
    `/incidents/${q}`,
    `/components/${q}`,
    `/components/webmail?x=${q}`,
    `/subscribe?email=${q}`,
    `/subscribe/webhook?url=${q}`,
    `/subscribe/manage?s=${q}&t=${q}`,
    `/subscribe/manage?s=1&t=${q}`,
    `/subscribe/confirm?s=${q}&t=${q}`,
    `/unsubscribe?s=${q}&t=${q}`,
    `/admin/login?next=${q}`,
    `/admin/login?next=/admin/${q}`,
  ]) {
    const response = await page.goto(target.url + path);
    await inspect(page, `GET ${decodeURIComponent(path).slice(0, 60)}…`, response?.status());
  }
  // A form refused because the session ended shows what was typed, escaped.
  await page.goto(`${target.url}/admin/login`);
  expect((await postInBrowser(page, '/admin/incidents/new', { title: all, message: all, impact: all }))?.status()).toBe(401);
  await visitor.close();

  // Console forms that fail keep every value: the owner, logged in.
  const staff = await hostileContext(browser, 'owner');
  const csrf = await logInAsOwner(staff.request, target);
  const desk = await watchedPage(staff);
  await desk.goto(`${target.url}/admin`);
  const live = made.apiIncidents[3].id;
  const forms: [string, Record<string, string>, number][] = [
    ['/admin/incidents/new', { intent: 'create', title: all, impact: 'bogus', status: 'investigating', message: all, 'component.webmail': all }, 422],
    ['/admin/incidents/new', { intent: 'preview', title: all, message: all }, 200],
    [`/admin/incidents/${live}`, { intent: 'update', status: 'bogus', message: all, 'component.dns': all }, 422],
    [`/admin/incidents/${live}`, { intent: 'preview', message: all }, 200],
    [`/admin/incidents/${live}`, { intent: 'edit', title: all, impact: 'bogus' }, 422],
    [`/admin/incidents/${made.maintenance}`, { intent: 'edit', title: all, scheduledFor: all, scheduledUntil: all }, 422],
    [`/admin/incidents/${live}`, { intent: 'trash-update', update: all }, 422],
    ['/admin/components', { intent: 'create-component', name: all, description: all, groupId: all }, 422],
    ['/admin/components', { intent: 'create-group', groupName: all }, 422],
    ['/admin/components', { intent: 'edit-group', group: made.group, groupName: all, position: all }, 422],
    ['/admin/components/webmail', { intent: 'edit', name: all, description: all, groupId: '', position: all }, 422],
    ['/admin/components/webmail', { intent: 'status', status: all }, 422],
    ['/admin/maintenance/new', { intent: 'schedule', title: all, scheduledFor: all, scheduledUntil: all, message: all }, 422],
    ['/admin/maintenance/new', { intent: 'preview', title: all, message: all }, 200],
    [`/admin/updates/${made.updateRow}`, { intent: 'preview', message: all, original: all }, 200],
    [`/admin/updates/${made.updateRow}`, { intent: 'save', message: all, original: 'a text someone else replaced' }, 422],
    ['/admin/users', { intent: 'create', email: all, name: all, role: all }, 422],
    ['/admin/users', { intent: 'role', user: all, role: all }, 422],
    ['/admin/tokens', { intent: 'create', name: all, scope: all }, 422],
    ['/admin/tokens', { intent: 'revoke', token: all }, 404],
    ['/admin/trash', { kind: all, id: all }, 404],
    ['/admin/subscribers', { intent: 'retry', row: all }, 200],
    ['/admin/subscribers', { intent: 'reveal' }, 200],
    ['/admin/account', { current: all, password: all, confirm: all }, 422],
  ];
  for (const [path, fields, status] of forms) {
    const response = await postInBrowser(desk, path, { csrf, ...fields });
    expect.soft(response?.status(), `POST ${path} ${fields.intent ?? ''}`).toBe(status);
  }
  // A form from an earlier session is refused (403) with what was typed.
  expect((await postInBrowser(desk, '/admin/incidents/new', { csrf: 'from-an-earlier-session', title: all, message: all }))?.status()).toBe(403);
  await staff.close();
  expect(problems).toEqual([]);
});

test('no page a visitor can reach runs or shows a payload as markup', async ({ browser }) => {
  problems = [];
  const visitor = await hostileContext(browser, 'visitor');
  // Data, not pages: feeds, badges, calendar, JSON and the uptime CSV (a download, text/csv with nosniff).
  const skip = /^\/(api|admin|img)\/|\.(xml|svg|ics|json|txt|csv)(\?|$)|^\/(healthz|unsubscribe)/;
  const visited = await crawl(visitor, ['/', '/history', '/subscribe', '/subscribe/webhook', '/subscribe/chat'], (path) => path.startsWith('/') && !skip.test(path));
  await visitor.close();
  const incidents = visited.filter((p) => p.startsWith('/incidents/'));
  const components = visited.filter((p) => p.startsWith('/components/'));
  const summary = `${visited.length} pages (${incidents.length} incidents, ${components.length} components), ${xssPayloads.length} payloads`;
  console.log(`xss: public pages: ${summary}`);
  test.info().annotations.push({ type: 'public pages', description: summary });
  for (const { id } of made.apiIncidents) expect(incidents).toContain(`/incidents/${id}`);
  expect(components.length).toBeGreaterThanOrEqual(xssPayloads.length + 8);
  expect(problems).toEqual([]);
});

test('no console page runs or shows a payload as markup', async ({ browser }) => {
  problems = [];
  const staff = await hostileContext(browser, 'owner');
  await logInAsOwner(staff.request, target);
  const visited = await crawl(staff, ['/admin', '/admin/trash', '/admin/audit', '/admin/subscribers'], (path) => path.startsWith('/admin') && !path.startsWith('/admin/logout'));
  await staff.close();
  console.log(`xss: console pages: ${visited.length}`);
  test.info().annotations.push({ type: 'console pages', description: String(visited.length) });
  expect(visited.filter((p) => p.startsWith('/admin/incidents/')).length).toBeGreaterThanOrEqual(xssPayloads.length);
  expect(visited.filter((p) => p.startsWith('/admin/updates/')).length).toBeGreaterThanOrEqual(xssPayloads.length);
  expect(visited.filter((p) => p.startsWith('/admin/components/')).length).toBeGreaterThanOrEqual(xssPayloads.length);
  expect(visited).toContain('/admin/users');
  expect(visited).toContain('/admin/tokens');
  expect(problems).toEqual([]);
});

test('the JSON API keeps the markdown as typed; the HTML pages and the feed never carry it raw', async ({ request }) => {
  const json = await request.get(`${target.url}/api/v2/incidents.json`);
  expect(json.headers()['content-type']).toContain('application/json');
  expect(json.headers()['x-content-type-options']).toBe('nosniff');
  const byId = new Map(((await json.json()).incidents as { id: string; name: string; incident_updates: { body: string }[] }[]).map((i) => [i.id, i]));
  for (const { id, payload } of made.apiIncidents) {
    const listed = byId.get(id);
    if (!listed) continue; // the 50 most recent only
    expect(listed.name).toBe(payload);
    for (const u of listed.incident_updates) expect([payload, `${xssPayloads[6]} (corrected)`]).toContain(u.body);
  }
  expect(byId.size).toBe(50);
  const admin = await request.get(`${target.url}/api/admin/incidents/${encodeURIComponent(made.apiIncidents[0].id)}`, { headers: { Authorization: `Bearer ${token}` } });
  expect((await admin.json()).updates.map((u: { body: string }) => u.body)).toEqual([xssPayloads[0], xssPayloads[0]]);

  for (const { id, payload } of made.apiIncidents.filter((i) => i.payload.includes('<'))) {
    const html = await (await request.get(`${target.url}/incidents/${id}`)).text();
    expect(html, `/incidents/${id}`).not.toContain(payload);
  }
  const feed = await (await request.get(`${target.url}/feed.xml`)).text();
  expect(feed).not.toMatch(/<script/i);
  const ics = await (await request.get(`${target.url}/maintenance.ics`)).text();
  expect(ics).toContain('BEGIN:VCALENDAR');
});
