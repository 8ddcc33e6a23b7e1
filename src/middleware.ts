// Every response passes through here: security headers on all of them, access
// control for the console and the API, and caching that never lets an error
// page or a private page be stored by a proxy.
import { defineMiddleware, sequence } from 'astro:middleware';
import { accessFor, isWrite, roleAllows, scopeAllows } from './lib/server/access';
import { authenticateApiToken } from './lib/server/api-tokens';
import { getRuntime } from './lib/server/runtime';
import { sameSecret } from './lib/server/secrets';
import { readSession, sessionCookie } from './lib/server/sessions';

/**
 * The Content-Security-Policy: only our own scripts, styles and images; no
 * inline script, no plugins, no framing, forms post only to us.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = defineMiddleware(async (context, next) => {
  const response = await next();
  const headers = response.headers;
  headers.set('Content-Security-Policy', contentSecurityPolicy);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  // RFC 6797: HSTS only on responses that arrived over HTTPS.
  if (context.url.protocol === 'https:') {
    headers.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  }
  return response;
});

const json = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { message } }), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });

const plain = (status: number, message: string) =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/**
 * Where a browser says a write came from must be this site: the Origin header
 * (when sent) names SITE_URL or the host the request was addressed to, and
 * Sec-Fetch-Site (when sent) says same-origin. Another site's page cannot
 * forge either. This replaces Astro's checkOrigin (see astro.config.mjs).
 */
function sameOrigin(request: Request, url: URL, siteUrl: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  const origin = request.headers.get('origin');
  if (origin === null) return true;
  const host = request.headers.get('host');
  return origin === new URL(siteUrl).origin || (host !== null && origin === `${url.protocol}//${host}`);
}

/**
 * A console write must also carry the session's CSRF token, which another
 * site cannot read, in a form body.
 */
async function carriesCsrfToken(request: Request, csrfToken: string): Promise<boolean> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return false;
  try {
    const sent = (await request.clone().formData()).get('csrf');
    return typeof sent === 'string' && sameSecret(sent, csrfToken);
  } catch {
    return false;
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A console form sent after its session ended (idle expiry, logout elsewhere):
 * refused, but what was typed is shown back so nothing is lost.
 */
async function sessionEnded(request: Request): Promise<Response> {
  let typed: [string, string][] = [];
  try {
    const form = await request.clone().formData();
    typed = [...form]
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .filter(([name, value]) => ['title', 'message', 'description', 'name'].includes(name) && value.trim() !== '');
  } catch {
    /* not a form: nothing to give back */
  }
  const kept = typed
    .map(([name, value]) => `<p><label>${escapeHtml(name)}<br><textarea readonly rows="8" cols="60">${escapeHtml(value)}</textarea></label></p>`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Session ended</title></head><body><main><h1>Your session has ended</h1><p>Nothing was saved. <a href="/admin/login" target="_blank" rel="noopener">Log in again in a new tab</a>, then go back and send the form again.</p>${kept ? `<p>What you typed, so it is not lost:</p>${kept}` : ''}</main></body></html>`;
  return new Response(html, { status: 401, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

const accessControl = defineMiddleware(async (context, next) => {
  const access = accessFor(context.url.pathname);
  const method = context.request.method;
  // Bearer-token API calls come from scripts, not browsers carrying our cookies.
  if (isWrite(method) && access.kind !== 'api') {
    const { config } = await getRuntime();
    if (!sameOrigin(context.request, context.url, config.siteUrl)) return plain(403, `Cross-site ${method} refused.`);
  }
  if (access.kind === 'public') return next();
  const { db, config } = await getRuntime();

  if (access.kind === 'api') {
    const header = context.request.headers.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const token = bearer ? authenticateApiToken(db, bearer) : null;
    if (!token) {
      return json(401, bearer ? 'the token is unknown or revoked' : 'send a token: Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer realm="herald"',
      });
    }
    if (!scopeAllows(token.scope, method)) return json(403, `the token "${token.name}" may only read`);
    context.locals.apiToken = token;
    return next();
  }

  const cookie = sessionCookie(config.siteUrl);
  const session = readSession(db, context.cookies.get(cookie.name)?.value);
  if (access.kind === 'login') {
    if (session && method === 'GET') return context.redirect('/admin', 303);
    return next();
  }

  if (!session) {
    if (isWrite(method)) return await sessionEnded(context.request);
    const back = context.url.pathname + context.url.search;
    return context.redirect(`/admin/login?next=${encodeURIComponent(back)}`, 303);
  }
  if (isWrite(method) && !(await carriesCsrfToken(context.request, session.csrfToken))) {
    return plain(403, 'This form did not come from this console (missing or stale CSRF token). Reload the page and try again.');
  }
  context.locals.session = session;
  // The forbidden page answers 403 itself, in the console's own layout.
  if (!roleAllows(session.user.role, access.role)) return next('/admin/forbidden');
  return next();
});

const caching = defineMiddleware(async (context, next) => {
  const response = await next();
  const access = accessFor(context.url.pathname);
  // Staff pages and API answers are private: never stored anywhere.
  if (access.kind !== 'public') {
    response.headers.set('Cache-Control', 'no-store');
    response.headers.set('X-Robots-Tag', 'noindex');
  }
  // A proxy must never keep serving an error (the seeds' stale "server down" page).
  else if (response.status >= 400) response.headers.set('Cache-Control', 'no-store');
  // Pages change with every staff write: revalidate every time until a cache exists.
  else if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'no-cache');
  return response;
});

export const onRequest = sequence(securityHeaders, caching, accessControl);
