// Every response passes through here: security headers on all of them, access
// control for the console and the API, and caching that never lets an error
// page or a private page be stored by a proxy.
import { defineMiddleware, sequence } from 'astro:middleware';
import { accessFor, isPersonalPath, isSharedPublicPath, isWrite, roleAllows, scopeAllows, authenticateApiToken, readSession, sessionCookie, mustSetUpSecondFactor } from './lib/server/accounts';
import { formBodyLimit, peekForm, refusedFormPage, etagMatches, etagOf, publicCachePolicy, answerFrom, cachedAnswer, contentVersion, pickEncoding, type CachedAnswer, securityHeaders, strictTransportSecurity } from './lib/server/http';
import { getRuntime, provideRuntime, type Runtime } from './lib/server/runtime';
import { describeContentProblem } from './lib/server/publishing';
import { sameSecret } from './lib/server/secrets';
import { readLapsedPromises } from './lib/server/read-model';
import { isStorageFull, lastBackupStatus, storageFullMessage } from './lib/server/storage';
import { localizedPath } from './lib/i18n/paths';
import { isPrivatePage, openOnPrivatePage, readerCookie, readerFrom, refusedReaderAnswer } from './lib/server/readers';

/**
 * What every console page shows around its own content (layouts/Console.astro):
 * the site's name, what is wrong with its storage or its content folder, and, once someone is
 * logged in, the updates promised to customers that are overdue.
 */
function consoleChrome(runtime: Runtime, loggedIn: boolean): NonNullable<App.Locals['console']> {
  const { content, config, storage } = runtime;
  const backup = lastBackupStatus(config.backup.dir);
  const overdue = loggedIn
    ? readLapsedPromises({ db: runtime.db, authored: content.authored }).flatMap((p) => (p.incident ? [{ id: p.incident.id, title: p.incident.title, promisedBy: p.nextUpdateBy }] : []))
    : [];
  const contentProblem = runtime.contentProblem ? describeContentProblem(runtime.contentProblem) : null;
  return { siteName: content.page.name, backupProblem: backup && !backup.ok ? backup.message : null, storageProblem: storage.problem(), contentProblem, overdue };
}

const securityHeadersMiddleware = defineMiddleware(async (context, next) => {
  // Herald's server (src/lib/server/http/server.ts) hands its runtime to Astro with every request.
  provideRuntime(context.locals.herald);
  const response = await next();
  for (const [name, value] of Object.entries(securityHeaders)) {
    // A route that must be embeddable elsewhere (badges, the public API) says so itself.
    if (name !== 'Cross-Origin-Resource-Policy' || !response.headers.has(name)) response.headers.set(name, value);
  }
  if (context.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', strictTransportSecurity);
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
 * A full disk: writes fail while reads go on working. Instead of a 500 page and
 * a stack trace per request, one clear answer: JSON for the API, the typed form
 * shown back for a browser write, text otherwise; all 503 with Retry-After.
 */
const storageFull = defineMiddleware(async (context, next) => {
  try {
    const response = await next();
    if (isWrite(context.request.method) && response.status < 400) (await getRuntime()).storage.noteWritten();
    return response;
  } catch (error) {
    if (!isStorageFull(error)) throw error;
    (await getRuntime()).storage.noteFull();
    const retry = { 'Retry-After': '60' };
    if (context.url.pathname.startsWith('/api/')) return json(503, storageFullMessage, retry);
    if (isWrite(context.request.method)) {
      const refused = refusedFormPage(503, 'The disk is full', 'Free space on the disk holding the database, then send the form again.', context.locals.form ?? null);
      refused.headers.set('Retry-After', '60');
      return refused;
    }
    return new Response(storageFullMessage, { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...retry } });
  }
});

const accessControl = defineMiddleware(async (context, next) => {
  const access = accessFor(context.url.pathname);
  const method = context.request.method;
  // Browser writes: from this site only, and never bigger than a form needs.
  // (Bearer-token API calls come from scripts, and api-json.ts limits their bodies.)
  let form: FormData | null = null;
  if (isWrite(method) && access.kind !== 'api') {
    const { config } = await getRuntime();
    if (!sameOrigin(context.request, context.url, config.siteUrl)) return plain(403, `Cross-site ${method} refused.`);
    const peeked = await peekForm(context.request);
    if (peeked === 'too_large') {
      return new Response(`A form may send at most ${formBodyLimit / 1024} KiB.`, {
        status: 413,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' },
      });
    }
    if (peeked === 'incomplete') {
      return new Response('The form arrived incomplete; send it again.', {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' },
      });
    }
    form = peeked;
    context.locals.form = form;
  }
  if (access.kind === 'public') {
    const runtime = await getRuntime();
    if (!isPrivatePage(runtime.content.page) || openOnPrivatePage(context.url.pathname)) return next();
    // A private page: a reader first (a reader cookie or token, or staff with a console session).
    const { db, config } = runtime;
    const bearer = /^Bearer\s+(\S+)$/i.exec(context.request.headers.get('authorization') ?? '')?.[1];
    const staff = readSession(db, context.cookies.get(sessionCookie(config.siteUrl).name)?.value, new Date(), { touch: false });
    const reader = readerFrom(db, {
      cookie: context.cookies.get(readerCookie(config.siteUrl).name)?.value,
      token: bearer ?? context.url.searchParams.get('token'),
      staffEmail: staff?.user.email,
      linkDomains: runtime.content.page.readers.email_domains,
    });
    if (!reader) {
      const { page } = runtime.content;
      const locale = context.locals.locale ?? page.default_language;
      return refusedReaderAnswer(localizedPath(locale, context.url.pathname, page.default_language), context.url.search, localizedPath(locale, '/reader/login', page.default_language));
    }
    context.locals.reader = reader;
    return next();
  }
  const runtime = await getRuntime();
  const { db, config } = runtime;

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
    context.locals.console = consoleChrome(runtime, false);
    return next();
  }

  if (!session) {
    // Logging out of a session that already ended: just forget the cookie.
    if (accessFor(context.url.pathname).kind === 'console' && context.url.pathname === '/admin/logout' && isWrite(method)) {
      context.cookies.delete(cookie.name, { path: '/', secure: cookie.options.secure, httpOnly: true, sameSite: 'lax' });
      return context.redirect('/admin/login', 303);
    }
    if (isWrite(method)) {
      const advice = '<a href="/admin/login" target="_blank" rel="noopener">Log in again in a new tab</a>, reload the form there and paste your text back.';
      return refusedFormPage(401, 'Your session has ended', advice, form);
    }
    const back = context.url.pathname + context.url.search;
    return context.redirect(`/admin/login?next=${encodeURIComponent(back)}`, 303);
  }
  // Every console form carries its session's CSRF token, which another site cannot read.
  const sent = form?.get('csrf');
  if (isWrite(method) && !(typeof sent === 'string' && sameSecret(sent, session.csrfToken))) {
    const advice = 'This form was opened in an earlier session (or did not come from this console). Reload the form and paste your text back.';
    return refusedFormPage(403, 'This form has expired', advice, form);
  }
  context.locals.session = session;
  context.locals.console = consoleChrome(runtime, true);
  // The owners' rule asks this account for a second factor it does not have yet: that first.
  // A single sign-on's own factors are the provider's: the rule is about Herald's passwords.
  if (session.via !== 'sso' && !secondFactorPaths.has(context.url.pathname) && mustSetUpSecondFactor(db, session.user)) {
    if (!isWrite(method)) return context.redirect(secondFactorPage, 303);
    const advice = `<a href="${secondFactorPage}">Set up two-factor login</a>, then send this form again.`;
    return refusedFormPage(403, 'Set up two-factor login first', advice, form);
  }
  // The forbidden page answers 403 itself, in the console's own layout.
  if (!roleAllows(session.user.role, access.role)) return next('/admin/forbidden');
  return next();
});

/** Where an account the two-factor rule asks for a factor may go before it has one: setting it up, its own password (a generated one is changed first), logging out. */
const secondFactorPage = '/admin/account/two-factor';
const secondFactorPaths = new Set([secondFactorPage, '/admin/account', '/admin/logout']);

const caching = defineMiddleware(async (context, next) => {
  const response = await next();
  const { pathname } = context.url;
  const method = context.request.method;
  const access = accessFor(pathname);
  // Staff pages, API answers, personal pages and answers to writes are private; so is all of a private page.
  const privatePage = isPrivatePage((await getRuntime()).content.page);
  if (access.kind !== 'public' || isPersonalPath(pathname) || isWrite(method) || privatePage) {
    response.headers.set('Cache-Control', 'no-store');
    if (access.kind !== 'public' || privatePage) response.headers.set('X-Robots-Tag', 'noindex');
    return response;
  }
  // A proxy must never keep serving an error (the seeds' stale "server down" page).
  if (response.status >= 400) {
    response.headers.set('Cache-Control', 'no-store');
    return response;
  }
  if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', publicCachePolicy);
  if (response.status !== 200 || (method !== 'GET' && method !== 'HEAD')) return response;
  // Cached answers, feeds, badges and the like come with an ETag; anything else public gets one here.
  let etag = response.headers.get('ETag');
  let body: string | null = null;
  if (!etag) {
    body = await response.text();
    etag = etagOf(body);
    response.headers.set('ETag', etag);
  }
  if (etagMatches(context.request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers: response.headers });
  return body === null ? response : new Response(body, { status: response.status, headers: response.headers });
});

/**
 * Public GETs are answered from memory while the content has not changed
 * (src/lib/server/http/render-cache.ts). Innermost, so access control and the
 * caching headers still apply to every answer.
 */
const renderCaching = defineMiddleware(async (context, next) => {
  const { pathname } = context.url;
  const method = context.request.method;
  if ((method !== 'GET' && method !== 'HEAD') || !isSharedPublicPath(pathname)) return next();
  const { db, renderCache, metrics, content } = await getRuntime();
  // A private page's answers are each reader's own: never kept for sharing.
  if (isPrivatePage(content.page)) return next();
  const version = contentVersion(db);
  // Shared pages never read their query string, so the path alone is the key: `?junk` can neither force renders nor flush the cache.
  // A page read in another language is kept under the address it was asked at (/de/…), as Herald's server looks it up.
  const key = localizedPath(context.locals.locale ?? content.page.default_language, pathname, content.page.default_language);
  let entry: CachedAnswer | null | undefined = renderCache.get(key, version);
  const hit = !!entry;
  if (!entry) {
    let own = null as Response | null;
    entry = await renderCache.fill(key, version, async () => {
      const response = await next();
      const type = response.headers.get('Content-Type') ?? '';
      // Only complete, shareable text answers: no errors, nothing personal, no images (the image proxy caches on disk).
      const shareable =
        response.status === 200 &&
        !response.headers.has('Set-Cookie') &&
        !/no-store|private/.test(response.headers.get('Cache-Control') ?? '') &&
        (!type.startsWith('image/') || type.startsWith('image/svg+xml'));
      if (!shareable) {
        // The "page not found" page is the same for every unknown address: kept once, for the server to answer them all.
        if (response.status === 404 && type.startsWith('text/html')) {
          const body = Buffer.from(await response.arrayBuffer());
          renderCache.keepNotFound(cachedAnswer(version, 404, response.headers, body), context.locals.locale ?? content.page.default_language);
          own = new Response(body, { status: 404, headers: response.headers });
          return null;
        }
        own = response;
        return null;
      }
      return cachedAnswer(version, response.status, response.headers, Buffer.from(await response.arrayBuffer()));
    });
    // Not cacheable: the request that rendered answers with its own response; those that waited render their own.
    if (!entry) return own ?? next();
  }
  const response = answerFrom(entry, pickEncoding(context.request.headers.get('accept-encoding'), entry), method !== 'HEAD');
  response.headers.set('X-Herald-Cache', hit ? 'hit' : 'miss');
  metrics?.countCache(hit ? 'hit' : 'miss');
  return response;
});

export const onRequest = sequence(securityHeadersMiddleware, storageFull, caching, accessControl, renderCaching);
