// Shared by the attack suites (attack-*.spec.ts): each starts its own server on
// a fresh database, so the hostile data it leaves behind (and the throttles it
// trips) never reach the other suites, which share the global server.
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import Database from 'better-sqlite3';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { startServer, type RunningServer } from './server';

export const owner = 'admin@example.com';

export interface AttackServer {
  server: RunningServer;
  url: string;
  /** The first owner's password, as the server printed it. */
  password: string;
}

export async function startAttackServer(env: Record<string, string> = {}): Promise<AttackServer> {
  const server = await startServer(env);
  let printed = /password:\s+(\S+)/.exec(server.output());
  for (let tries = 0; !printed && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    printed = /password:\s+(\S+)/.exec(server.output());
  }
  if (!printed) throw new Error(`the server did not print the first owner's password:\n${server.output()}`);
  return { server, url: server.url, password: printed[1] };
}

/** Logs the request context (and the browser context it belongs to) in as the first owner; returns the session's CSRF token. */
export async function logInAsOwner(request: APIRequestContext, target: AttackServer): Promise<string> {
  const response = await request.post(`${target.url}/admin/login`, {
    form: { email: owner, password: target.password },
    headers: { Origin: target.url },
    maxRedirects: 0,
  });
  expect(response.status(), 'logging in as the owner').toBe(303);
  return csrfOf(request, target.url);
}

export async function csrfOf(request: APIRequestContext, url: string): Promise<string> {
  const html = await (await request.get(`${url}/admin`)).text();
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on /admin: not logged in?');
  return token;
}

/** The tables a write touches. Their row counts, and for most a digest of every row, make a snapshot. */
const countedTables = [
  'incidents',
  'incident_updates',
  'incident_components',
  'components',
  'component_groups',
  'component_status_log',
  'audit_log',
  'subscribers',
  'subscriber_components',
  'users',
  'api_tokens',
  'outbox',
] as const;
/** api_tokens notes each use and the worker moves outbox rows along, so only their counts are compared. */
const digestedTables = countedTables.filter((t) => t !== 'api_tokens' && t !== 'outbox');

export type Snapshot = Record<string, number | string>;

export function snapshot(db: Database.Database): Snapshot {
  const shot: Snapshot = {};
  // A refused login that starts a lock records it (login.locked): that entry is the refusal itself, not a change it made.
  const rowsOf = (table: string) => (table === 'audit_log' ? `${table} WHERE action <> 'login.locked'` : table);
  for (const table of countedTables) shot[table] = (db.prepare(`SELECT count(*) AS n FROM ${rowsOf(table)}`).get() as { n: number }).n;
  for (const table of digestedTables) {
    const rows = db.prepare(`SELECT * FROM ${rowsOf(table)} ORDER BY rowid`).raw().all();
    shot[`${table} digest`] = createHash('sha1').update(JSON.stringify(rows)).digest('hex').slice(0, 12);
  }
  return shot;
}

/** The tables and what they hold, for a "nothing was damaged" check. */
export function schemaOf(db: Database.Database): string[] {
  return (db.prepare("SELECT type || ' ' || name AS entry FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1").all() as { entry: string }[]).map((r) => r.entry);
}

export function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/**
 * What on the loaded page could run script because some input was not
 * escaped: script, frame, plugin and style elements, on* attributes, links and
 * sources with a scripting scheme, style attributes and meta refreshes. Herald's
 * own pages have none of these (no inline script, no inline style: see the CSP)
 * but its one script file, the passkey ceremony's (`<script src="/passkeys.js" defer>`,
 * empty), so any other found came from the data. Also says whether a payload ran, and
 * lists the page's links, in the same round trip.
 */
export function inspectPage(page: Page): Promise<{ injected: string[]; ran: unknown; links: string[] }> {
  return page.evaluate(() => {
    const found: string[] = [];
    const forbidden = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'style', 'math', 'noscript', 'template']);
    const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background', 'poster']);
    for (const element of Array.from(document.querySelectorAll('*'))) {
      const tag = element.tagName.toLowerCase();
      const ownScript =
        tag === 'script' && element.getAttribute('src') === '/passkeys.js' && element.textContent === '' && Array.from(element.attributes).every((a) => a.name === 'src' || a.name === 'defer');
      if (forbidden.has(tag) && !ownScript) found.push(`<${tag}>${(element.outerHTML ?? '').slice(0, 80)}`);
      if (tag === 'meta' && element.hasAttribute('http-equiv')) found.push(element.outerHTML);
      for (const attribute of Array.from(element.attributes)) {
        const name = attribute.name.toLowerCase();
        const value = attribute.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (name.startsWith('on')) found.push(`<${tag} ${name}="${attribute.value}">`);
        if (name === 'style') found.push(`<${tag} style="${attribute.value}">`);
        if (urlAttributes.has(name) && /^(javascript|vbscript|data|livescript):/.test(value)) found.push(`<${tag} ${name}="${attribute.value}">`);
      }
    }
    return {
      injected: found,
      /** Set by any payload that ran. */
      ran: (window as unknown as { __xss?: unknown }).__xss,
      links: Array.from(document.querySelectorAll('a[href]')).map((a) => (a as HTMLAnchorElement).href),
    };
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export interface Answer {
  /** 0 when the server closed the connection before answering (it may, after a 413 for a body still being sent). */
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One raw HTTP request: exactly these headers and these bytes, nothing added
 * (no Content-Type unless given, no redirects followed, no encoding fixed up).
 */
export function send(url: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const request = httpRequest(url, { method, agent, headers: { ...headers, ...(bytes ? { 'Content-Length': String(bytes.length) } : {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, headers: {}, body: String(error.code) });
      else reject(error);
    });
    request.end(bytes);
  });
}

/**
 * An application/x-www-form-urlencoded body. Values are UTF-8 unless given as
 * bytes, so a test can send what no browser would (invalid UTF-8, lone surrogates).
 */
export function formBody(entries: readonly (readonly [string, string | Buffer])[]): Buffer {
  const encode = (value: string | Buffer) =>
    [...(Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'))]
      .map((byte) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  return Buffer.from(entries.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&'), 'latin1');
}

/** Logs in with a raw request; returns the Cookie header and the CSRF token of the new session. */
export async function rawSession(target: AttackServer): Promise<{ cookie: string; csrf: string }> {
  const login = await send(`${target.url}/admin/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: target.url },
    body: formBody([['email', owner], ['password', target.password]]),
  });
  expect(login.status, 'logging in as the owner').toBe(303);
  const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0];
  const page = await send(`${target.url}/admin`, { headers: { Cookie: cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on /admin after logging in');
  return { cookie, csrf };
}
