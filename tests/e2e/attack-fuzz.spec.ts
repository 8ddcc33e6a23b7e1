// Random and boundary input to every form and every /api/admin route, from a
// seeded PRNG (HERALD_FUZZ_SEED reproduces a run). The forms are found by
// opening every console page (read from src/pages/admin) and the public pages
// with forms, the API routes by reading src/pages/api/admin. Every answer must
// be below 500; a refused one (4xx) must have written nothing: the rows and the
// content of the incident, update, component, audit, subscriber and user tables
// are compared before and after each request. A write that succeeds must be audited.
import type { Browser } from '@playwright/test';
import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { listTemplates, saveTemplate } from '../../src/lib/server/publishing';
import { linkSecret, subscriberLink } from '../../src/lib/server/subscribers/subscriptions';
import { prng, sqlPayloads, xssPayloads } from '../helpers/attack-payloads';
import { formBody, openReadOnly, rawSession, send, snapshot, startAttackServer, type Answer, type AttackServer } from './attack-helpers';
import { expect, test } from './fixtures';
import { routeFilesUnder } from './routes';
import { root } from './server';

const seed = Number(process.env.HERALD_FUZZ_SEED ?? 20261124);
const random = prng(seed);

// Each test stops sending once its time budget is spent (see inSlices), so a
// loaded machine runs fewer requests rather than timing out; the run's output
// says how many were skipped. Unloaded, nothing is: the whole file takes ~30 s.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let target: AttackServer;
let db: Database.Database;
let session: { cookie: string; csrf: string };
let token = '';
const live = { incident: '', maintenance: '', update: 0, template: '' };
const markdownIncident = '2026-10-08-slow-search-in-web-interface';

/** Every problem found, reported together at the end of each test with the seed to reproduce it. */
let failures: string[] = [];
let requests = 0;
/** Mutations generated but not sent because the time budget ran out. */
let skipped = 0;
/** Successful requests that changed a watched table: proof the comparison sees writes at all. */
let writes = 0;
const statuses = new Map<number, number>();

const formType = { 'Content-Type': 'application/x-www-form-urlencoded' };
const jsonType = { 'Content-Type': 'application/json' };

test.beforeAll(async () => {
  target = await startAttackServer({ HERALD_WORKER: '0' });
  token = writeToken();
  db = openReadOnly(target.server.db);
  session = await rawSession(target);
  await freshTargets();
});

/** A live incident with two updates and a maintenance window to aim at (the fuzz may trash the ones before). */
async function freshTargets() {
  const api = { Authorization: `Bearer ${token}`, ...jsonType };
  const incident = await send(`${target.url}/api/admin/incidents`, {
    method: 'POST',
    headers: api,
    body: JSON.stringify({ title: 'Fuzz target', impact: 'minor', message: 'First.', notify: false, components: [{ id: 'webmail', status: 'degraded_performance' }] }),
  });
  live.incident = JSON.parse(incident.body).id;
  const update = await send(`${target.url}/api/admin/incidents/${live.incident}/updates`, { method: 'POST', headers: api, body: JSON.stringify({ status: 'identified', message: 'Second.', notify: false }) });
  live.update = Number(JSON.parse(update.body).id.split('#')[1]);
  const from = new Date(Date.now() + 3 * 86_400_000);
  const maintenance = await send(`${target.url}/api/admin/maintenance`, {
    method: 'POST',
    headers: api,
    body: JSON.stringify({ title: 'Fuzz window', scheduled_for: from.toISOString(), scheduled_until: new Date(from.getTime() + 3_600_000).toISOString(), message: 'Planned.', notify: false }),
  });
  live.maintenance = JSON.parse(maintenance.body).id;
  expect([incident.status, update.status, maintenance.status]).toEqual([201, 201, 201]);
  // A template saved in the console (the fuzz may delete the one before).
  const app = openDatabase(target.server.db);
  try {
    if (!listTemplates({ db: app, authored: [] }).some((t) => t.id === live.template)) {
      live.template = saveTemplate({ db: app, authored: [] }, { name: 'Fuzz template', kind: 'incident', title: 'Fuzz', message: 'Fuzz {{page}}.' });
    }
  } finally {
    app.$client.close();
  }
}

/** A new write token: the console fuzz may revoke the one before (its revoke form is fuzzed too). */
function writeToken(): string {
  const app = openDatabase(target.server.db);
  try {
    return createApiToken(app, { label: 'fuzz suite', userId: null }, { name: 'fuzz-suite', scope: 'write' }).secret;
  } finally {
    app.$client.close();
  }
}

test.afterAll(async () => {
  db?.close();
  await target?.server.stop();
});

test.beforeEach(() => {
  failures = [];
  requests = 0;
  skipped = 0;
  writes = 0;
  statuses.clear();
});

test.afterEach(() => {
  // One line per test in the run's output: what was sent, and the seed that sends it again.
  const summary = `${requests} requests (${writes} accepted writes${skipped ? `, ${skipped} skipped for time` : ''}), HERALD_FUZZ_SEED=${seed}, answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`;
  console.log(`fuzz: ${test.info().title.split(',')[0]}: ${summary}`);
  test.info().annotations.push({ type: 'fuzz', description: summary });
});

/** Fails the test with every problem collected, and the seed that reproduces them. */
function report() {
  expect(failures.slice(0, 40), `HERALD_FUZZ_SEED=${seed}: ${failures.length} problems`).toEqual([]);
}

/**
 * Sends one request and checks the answer against the database: never 5xx;
 * refused (4xx, or the connection closed on an oversized body) means nothing
 * changed; a success that changed anything must have added an audit entry.
 */
async function attempt(
  label: string,
  path: string,
  options: Parameters<typeof send>[1],
  { audited = true, api = false, oversized = false } = {},
): Promise<Answer> {
  const before = snapshot(db);
  const answer = await send(target.url + path, options);
  requests++;
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const after = snapshot(db);
  const where = `${options?.method ?? 'GET'} ${path.slice(0, 90)} [${label.slice(0, 120)}]`;
  const changed = Object.keys(before).filter((key) => before[key] !== after[key]);
  if (answer.status >= 500) failures.push(`${where}: ${answer.status} ${answer.body.slice(0, 300)}`);
  else if (answer.status === 0 && !oversized) failures.push(`${where}: the connection closed without an answer`);
  else if (answer.status === 0 || answer.status >= 400) {
    if (changed.length) failures.push(`${where}: refused with ${answer.status}, yet changed ${changed.join(', ')}`);
    if (api && answer.status !== 0 && !String(answer.headers['content-type']).startsWith('application/json')) failures.push(`${where}: a ${answer.status} that is not JSON`);
  } else if (changed.length) {
    writes++;
    if (audited && changed.some((key) => !key.startsWith('audit_log')) && after.audit_log === before.audit_log) {
      failures.push(`${where}: ${answer.status} changed ${changed.join(', ')} without an audit entry`);
    }
  }
  return answer;
}

// ---------------------------------------------------------------- values

/** Under the form limit (256 KiB) and over every field's own limit. */
const big = 'x'.repeat(200 * 1024);
/** Over every body limit. */
const huge = 'y'.repeat(1024 * 1024);
const boundaryStrings = [
  ' ',
  'a\u0000b',
  '-1',
  '0',
  '1.5',
  '-0',
  '1e309',
  '-1e309',
  '9007199254740993',
  '0x1F',
  'NaN',
  'Infinity',
  'true',
  'null',
  '[]',
  '{"a":1}',
  '../../../../etc/passwd',
  '%00%FF',
  '\ud800',
  '\udfff\ud800',
  '\ufeff\u202e\u200b',
  'é'.repeat(300),
  '🙂'.repeat(100),
  '\r\nX-Injected: 1',
  'operational',
  'major_outage',
  'resolved',
  'webmail',
  '2026-13-45T25:61',
  '2026-02-30T02:00',
  '275760-09-13T00:00',
];
const describe = (value: string | Buffer) =>
  Buffer.isBuffer(value) ? `bytes ${value.toString('hex')}` : value.length > 60 ? `${JSON.stringify(value.slice(0, 12))}… (${value.length} chars)` : JSON.stringify(value);

/** The values one form field is tried with: always empty, NUL and oversized, then a few drawn from the pools. */
function fieldValues(): string[] {
  return [
    '',
    '\u0000',
    big,
    random.pick(boundaryStrings),
    random.pick(boundaryStrings),
    random.pick([...xssPayloads, ...sqlPayloads]),
    random.string(random.pick([1, 8, 64, 512])),
  ];
}

// ---------------------------------------------------------------- forms

interface FormVariant {
  /** The page that shows the form. */
  page: string;
  /** Where it posts. */
  action: string;
  /** What a browser would send, the submit button's name=value included. */
  fields: [string, string][];
  /** Fields the form has but does not send as it stands (unticked boxes). */
  unsent: string[];
  intent: string;
}

/** Every POST form on these pages, one variant per submit button, deduplicated by what they send. */
async function discoverForms(browser: Browser, pages: string[], loggedIn: boolean): Promise<FormVariant[]> {
  const context = await browser.newContext();
  if (loggedIn) {
    const [name, value] = session.cookie.split('=');
    await context.addCookies([{ name, value, url: target.url }]);
  }
  const page = await context.newPage();
  const variants = new Map<string, FormVariant>();
  for (const path of pages) {
    const response = await page.goto(target.url + path);
    expect(response?.status(), `GET ${path}`).toBe(200);
    const forms = await page.evaluate(() =>
      Array.from(document.querySelectorAll('form'))
        .filter((form) => form.method.toLowerCase() === 'post')
        .map((form) => {
          const fields: [string, string][] = [];
          const unsent: string[] = [];
          for (const element of Array.from(form.elements) as HTMLInputElement[]) {
            if (!element.name || element.type === 'submit' || element.tagName === 'BUTTON') continue;
            if ((element.type === 'checkbox' || element.type === 'radio') && !element.checked) unsent.push(element.name);
            else fields.push([element.name, element.value]);
          }
          const buttons = Array.from(form.querySelectorAll('button[name], input[type="submit"][name]')).map((b) => [(b as HTMLButtonElement).name, (b as HTMLButtonElement).value] as [string, string]);
          return { action: new URL(form.getAttribute('action') ?? '', location.href).pathname, fields, unsent, buttons };
        }),
    );
    // Logging out would end the session the rest of the run uses; console-security.spec.ts covers it.
    for (const form of forms.filter((f) => f.action !== '/admin/logout')) {
      for (const button of form.buttons.length ? form.buttons : [null]) {
        const fields = button ? [...form.fields, button] : form.fields;
        const key = `${form.action.replace(/\/[^/]*\d[^/]*$/, '/:id')} ${button?.join('=') ?? ''} ${fields.map(([n]) => n).sort().join(',')}`;
        if (!variants.has(key)) variants.set(key, { page: path, action: form.action, fields, unsent: form.unsent, intent: button?.[1] ?? '' });
      }
    }
  }
  await context.close();
  // What cannot be undone (or ends this session's use) goes last, so the rest still has its targets.
  const destructive = (v: FormVariant) => ['trash', 'trash-update', 'reset', 'disable', 'revoke', 'unsubscribe'].includes(v.intent) || v.action === '/admin/account';
  return [...variants.values()].sort((a, b) => Number(destructive(a)) - Number(destructive(b)));
}

type Mutation = { label: string; body: Buffer; headers?: Record<string, string>; oversized?: boolean };

function* formMutations(variant: FormVariant): Generator<Mutation> {
  const names = [...new Set([...variant.fields.map(([n]) => n), ...variant.unsent])];
  const replaced = (name: string, value: string | Buffer) => {
    const entries: [string, string | Buffer][] = variant.fields.map(([n, v]) => [n, n === name ? value : v]);
    if (!variant.fields.some(([n]) => n === name)) entries.push([name, value]);
    return entries;
  };
  for (const name of names) {
    for (const value of fieldValues()) yield { label: `${name}=${describe(value)}`, body: formBody(replaced(name, value)) };
    yield { label: `without ${name}`, body: formBody(variant.fields.filter(([n]) => n !== name)) };
  }
  const text = random.pick(names.filter((n) => n !== 'csrf' && n !== 'intent').concat(names));
  yield { label: `${text} as invalid UTF-8, percent-encoded`, body: formBody(replaced(text, Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]))) };
  yield { label: 'raw invalid UTF-8 bytes in the body', body: Buffer.concat([formBody(variant.fields), Buffer.from(`&${text}=`), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x25])]) };
  yield { label: 'every field twice, the second one fuzzed', body: formBody(variant.fields.flatMap(([n, v]) => [[n, v], [n, random.pick(boundaryStrings)]] as [string, string][])) };
  yield { label: 'every field twice, the first one fuzzed', body: formBody(variant.fields.flatMap(([n, v]) => [[n, random.pick(boundaryStrings)], [n, v]] as [string, string][])) };
  yield { label: 'a forged csrf before the real one', body: formBody([['csrf', 'forged'], ...variant.fields]) };
  yield { label: 'one field 5000 times', body: formBody([...variant.fields, ...Array.from({ length: 5000 }, () => [text, 'webmail'] as [string, string])]) };
  yield { label: 'an empty body', body: Buffer.alloc(0) };
  yield { label: 'no Content-Type', body: formBody(variant.fields), headers: {} };
  yield { label: 'text/plain', body: formBody(variant.fields), headers: { 'Content-Type': 'text/plain' } };
  yield { label: 'JSON instead of a form', body: Buffer.from(JSON.stringify(Object.fromEntries(variant.fields))), headers: jsonType };
  yield { label: 'multipart without a boundary', body: formBody(variant.fields), headers: { 'Content-Type': 'multipart/form-data' } };
  const boundary = `----fuzz${random.int(1e9)}`;
  const multipart = variant.fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
  yield { label: 'multipart, truncated', body: Buffer.from(multipart.slice(0, Math.floor(multipart.length / 2))), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
  yield { label: 'a 1 MB field', body: formBody(replaced(text, huge)), oversized: true };
}

/**
 * Sends each group's requests in order, giving every group an equal share of
 * what is left of `budgetMs`. Requests past a group's share are still generated
 * (so the PRNG, and with it the rest of the run, stays the same) but not sent.
 */
async function inSlices<T>(groups: T[], budgetMs: number, requestsOf: (group: T) => Iterable<() => Promise<unknown>>) {
  const deadline = Date.now() + budgetMs;
  for (const [i, group] of groups.entries()) {
    const slice = Date.now() + (deadline - Date.now()) / (groups.length - i);
    for (const request of requestsOf(group)) {
      if (Date.now() > slice) skipped++;
      else await request();
    }
  }
}

function* formRequests(variant: FormVariant, headers: Record<string, string>, audited: boolean) {
  for (const mutation of formMutations(variant)) {
    yield () =>
      attempt(`${variant.intent || 'submit'} from ${variant.page}: ${mutation.label}`, variant.action, {
        method: 'POST',
        headers: { Origin: target.url, ...headers, ...(mutation.headers ?? formType) },
        body: mutation.body,
      }, { audited, oversized: mutation.oversized });
  }
}

/** The console pages, parameters filled with real ids (a live incident, a maintenance, a markdown incident). */
function consolePages(): string[] {
  const ids: Record<string, string[]> = {
    '/admin/incidents/[id]': [live.incident, live.maintenance, markdownIncident],
    '/admin/components/[id]': ['webmail'],
    '/admin/updates/[id]': [String(live.update)],
    '/admin/updates/[id]/delivery': [String(live.update)],
    '/admin/templates/[id]': [live.template],
  };
  return routeFilesUnder('admin')
    .map((r) => r.pattern)
    .filter((p) => !['/admin/login', '/admin/logout', '/admin/forbidden', '/admin/[...rest]'].includes(p)) // the last two have no forms
    .flatMap((p) => {
      if (!p.includes('[')) return [p];
      if (!ids[p]) throw new Error(`no sample id for ${p}: add one so its forms are fuzzed`);
      return ids[p].map((id) => p.replace(/\[[^\]]+\]/, id));
    });
}

test('every console form, with a valid session and CSRF token, refuses bad input without a 5xx or a partial write', async ({ browser }) => {
  const variants = await discoverForms(browser, consolePages(), true);
  const actions = new Set(variants.map((v) => `${v.action.replace(live.incident, ':id').replace(live.maintenance, ':id')} ${v.intent}`));
  for (const expected of ['/admin/incidents/new create', '/admin/incidents/:id update', '/admin/incidents/:id edit', '/admin/components create-component', '/admin/maintenance/new schedule', '/admin/users create', '/admin/tokens create', '/admin/account ']) {
    expect(actions, expected).toContain(expected);
  }
  test.info().annotations.push({ type: 'console forms', description: `${variants.length}: ${[...actions].join('; ')}` });
  await inSlices(variants, 60_000, (variant) => formRequests(variant, { Cookie: session.cookie }, true));
  report();
  // Some fuzzed values are valid (a random title is a title): those writes were seen, and audited.
  expect(writes).toBeGreaterThan(0);
});

test('paths with negative, fractional, huge and malformed ids are 4xx, never 5xx', async () => {
  token = writeToken();
  await freshTargets();
  const ids = ['-1', '0', '1.5', '1e309', '9007199254740993', '-9007199254740993', '%00', '%E0%A4%A', '%FF%FE', "'%20OR%201=1--", 'a'.repeat(5000), '..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'NaN'];
  const withIds = [...routeFilesUnder('admin'), ...routeFilesUnder('api/admin')].filter((r) => r.pattern.includes('['));
  for (const route of withIds) {
    for (const id of ids) {
      const path = route.pattern.replace(/\[\.\.\.[^\]]+\]/, `${id}/${id}`).replace(/\[[^\]]+\]/g, id);
      // A path that is not valid percent-encoding is refused (400, plain text) by Astro before any of Herald's code runs.
      const api = path.startsWith('/api/') && !['%E0%A4%A', '%FF%FE'].includes(id);
      const auth: Record<string, string> = path.startsWith('/api/') ? { Authorization: `Bearer ${token}` } : { Cookie: session.cookie };
      await attempt(`id ${id.slice(0, 20)}`, path, { headers: auth }, { api });
      await attempt(`id ${id.slice(0, 20)}`, path, path.startsWith('/api/')
        ? { method: 'PATCH', headers: { ...auth, ...jsonType }, body: '{"title":"x","status":"resolved","message":"x"}' }
        : { method: 'POST', headers: { ...auth, ...formType, Origin: target.url }, body: formBody([['csrf', session.csrf], ['intent', 'update'], ['status', 'resolved'], ['message', 'x']]) }, { api });
    }
  }
  report();
});

// ---------------------------------------------------------------- the API

/** A valid body for each endpoint that takes one. Every write endpoint under src/pages/api/admin must be here. */
const templates: Record<string, Record<string, unknown>> = {
  'POST /api/admin/incidents': { title: 'Fuzzed incident', impact: 'minor', status: 'investigating', message: 'm', components: [{ id: 'webmail', status: 'degraded_performance' }], notify: false },
  'PATCH /api/admin/incidents/[id]': { title: 'Fuzz target', impact: 'minor', status: 'monitoring', message: 'm', components: [{ id: 'webmail', status: 'degraded_performance' }], notify: false },
  'POST /api/admin/incidents/[id]/updates': { status: 'identified', message: 'm', components: [{ id: 'dns', status: 'operational' }], notify: false },
  'POST /api/admin/maintenance': { title: 'Fuzzed window', scheduled_for: '2099-01-01T02:00:00Z', scheduled_until: '2099-01-01T03:00:00Z', message: 'm', components: ['webmail'], notify: false, recurrence: 'FREQ=WEEKLY;COUNT=2' },
  'POST /api/admin/maintenance/[id]/end-series': { message: 'Called off by the fuzzer.' },
  'PATCH /api/admin/maintenance/[id]': { title: 'Fuzz window', scheduled_for: '2099-02-01T02:00:00Z', scheduled_until: '2099-02-01T03:00:00Z', status: 'in_progress', message: 'm', notify: false },
  'PATCH /api/admin/components/[id]': { status: 'degraded_performance', name: 'Web interface', description: 'd', group_id: null, position: 5 },
};

const jsonValues = (): unknown[] => [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  9007199254740993,
  '',
  '\u0000',
  '\ud800',
  'x'.repeat(60_000),
  [],
  [null],
  [[[]]],
  {},
  { id: 'webmail', status: 'major_outage', extra: { deep: [1] } },
  random.pick(boundaryStrings),
  random.pick([...xssPayloads, ...sqlPayloads]),
  random.string(random.pick([1, 16, 256])),
];

function* apiMutations(template: Record<string, unknown>): Generator<Mutation> {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  for (const key of Object.keys(template)) {
    for (const value of jsonValues()) yield { label: `${key}: ${describe(JSON.stringify(value) ?? 'undefined')}`, body: json({ ...template, [key]: value }) };
    const { [key]: _, ...rest } = template;
    yield { label: `without ${key}`, body: json(rest) };
  }
  const valid = JSON.stringify(template);
  yield { label: 'an unknown key', body: json({ ...template, surprise: 1 }) };
  yield { label: 'a camelCase key', body: json({ ...template, scheduledFor: '2099-01-01T00:00:00Z' }) };
  yield { label: '__proto__', body: Buffer.from(`{"__proto__":{"title":"polluted","admin":true},${valid.slice(1)}`) };
  yield { label: 'constructor.prototype', body: Buffer.from(`{"constructor":{"prototype":{"polluted":true}},${valid.slice(1)}`) };
  yield { label: 'every key twice', body: Buffer.from(`${valid.slice(0, -1)},${valid.slice(1)}`) };
  yield { label: 'empty', body: Buffer.alloc(0) };
  for (const raw of ['{', '{"title": ', '[]', '[1,2]', 'null', '"a string"', '42', 'true', '{"title": NaN}', '{"title": 1e999}', "{'title': 'single quotes'}", '{"a":1}garbage', '\ufeff' + valid]) {
    yield { label: `raw ${describe(raw)}`, body: Buffer.from(raw) };
  }
  yield { label: 'invalid UTF-8 inside a string', body: Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('","message":"m"}')]) };
  yield { label: 'UTF-16', body: Buffer.from(valid, 'utf16le'), headers: { 'Content-Type': 'application/json; charset=utf-16' } };
  yield { label: '30 000 nested arrays', body: Buffer.from(`{"components":${'['.repeat(30_000)}${']'.repeat(30_000)}}`) };
  yield { label: 'a 6000-key object', body: Buffer.from(`{${Array.from({ length: 6000 }, (_, i) => `"k${i}":1`).join(',')}}`) };
  yield { label: 'no Content-Type', body: Buffer.from(valid), headers: {} };
  yield { label: 'text/plain', body: Buffer.from(valid), headers: { 'Content-Type': 'text/plain' } };
  yield { label: 'a form', body: formBody(Object.entries(template).map(([k, v]) => [k, String(v)])), headers: formType };
  yield { label: 'APPLICATION/JSON in capitals', body: Buffer.from(valid), headers: { 'Content-Type': 'APPLICATION/JSON; charset=UTF-8' } };
  yield { label: 'over 64 KiB', body: json({ ...template, message: huge }), oversized: true };
}

test('every /api/admin route, with a write token, answers bad bodies with 4xx JSON and writes nothing', async () => {
  token = writeToken();
  await freshTargets();
  const routes = routeFilesUnder('api/admin');
  const endpoints: { method: string; pattern: string; path: string }[] = [];
  for (const route of routes) {
    const source = readFileSync(join(root, route.file), 'utf8');
    for (const method of ['GET', 'POST', 'PATCH']) {
      if (!new RegExp(`export const ${method}\\b`).test(source)) continue;
      endpoints.push({ method, pattern: route.pattern, path: route.pattern.replace('[id]', route.pattern.includes('maintenance') ? live.maintenance : route.pattern.includes('components') ? 'webmail' : live.incident) });
    }
  }
  const writes = endpoints.filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.pattern}`);
  expect(writes.sort(), 'a write endpoint without a fuzz template').toEqual(Object.keys(templates).sort());
  test.info().annotations.push({ type: 'api endpoints', description: endpoints.map((e) => `${e.method} ${e.pattern}`).join('; ') });

  const auth = { Authorization: `Bearer ${token}` };
  for (const endpoint of endpoints) {
    if (endpoint.method === 'GET') {
      for (const query of ['', '?all=1', '?all=%00', `?all=${'1'.repeat(5000)}`, '?all[]=1&all=1', '?%FF=%FE', '?all=1&all=0']) {
        // Malformed percent-encoding is refused by Astro itself (400, plain text).
        await attempt(`query ${query.slice(0, 20)}`, endpoint.path + query, { headers: auth }, { api: query !== '?%FF=%FE' });
      }
    }
  }
  const writers = endpoints.filter((e) => e.method !== 'GET');
  await inSlices(writers, 40_000, function* (endpoint) {
    for (const mutation of apiMutations(templates[`${endpoint.method} ${endpoint.pattern}`])) {
      yield () => attempt(mutation.label, endpoint.path, { method: endpoint.method, headers: { ...auth, ...(mutation.headers ?? jsonType) }, body: mutation.body }, { api: true, oversized: mutation.oversized });
    }
  });
  // Methods no endpoint takes. TRACE (which a fetch Request cannot carry) and a
  // made-up method are refused before Herald's code, in plain text.
  for (const { path } of endpoints) {
    for (const method of ['PUT', 'DELETE', 'OPTIONS', 'TRACE', 'FUZZ']) await attempt(method, path, { method, headers: auth }, { api: !['TRACE', 'FUZZ'].includes(method) });
  }
  report();
});

// ---------------------------------------------------------------- public forms

test('the public forms (subscribe, webhook, manage, confirm, unsubscribe, login) refuse bad input without a 5xx', async ({ browser }) => {
  // A subscriber whose signed links open the manage, confirm and unsubscribe forms.
  const subscribed = await attempt('a real subscription', '/subscribe', { method: 'POST', headers: { ...formType, Origin: target.url }, body: formBody([['email', 'fuzz-reader@example.com']]) }, { audited: false });
  expect(subscribed.status).toBe(200);
  const app = openDatabase(target.server.db);
  const row = db.prepare("SELECT id, address FROM subscribers WHERE address = 'fuzz-reader@example.com'").get() as { id: number; address: string };
  const link = (purpose: 'manage' | 'confirm' | 'unsubscribe') => subscriberLink('', linkSecret(app), purpose, row);
  const pages = ['/', '/components/webmail', '/subscribe', '/subscribe/webhook', '/subscribe/chat', '/admin/login', link('confirm'), link('manage'), link('unsubscribe')];
  app.$client.close();
  const variants = await discoverForms(browser, pages, false);
  const actions = new Set(variants.map((v) => v.action));
  for (const expected of ['/subscribe', '/subscribe/webhook', '/subscribe/chat', '/subscribe/manage', '/subscribe/confirm', '/unsubscribe', '/admin/login']) expect(actions, expected).toContain(expected);
  test.info().annotations.push({ type: 'public forms', description: `${variants.length}: ${variants.map((v) => `${v.action} ${v.intent}`).join('; ')}` });
  await inSlices(variants, 30_000, (variant) => formRequests(variant, {}, false));
  report();
});
