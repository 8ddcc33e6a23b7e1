// Herald's HTTP server. Astro's Node adapter runs in middleware mode and
// renders pages; everything around rendering is ordinary code here: start-up
// checks, which forwarding headers to believe, the security headers every
// answer carries, built files from memory, cache hits and unknown addresses
// answered before Astro (a render costs a millisecond, a lookup microseconds),
// HEAD, keep-alive, a drain on SIGTERM, and content reloads (SIGHUP, a
// changed file, `herald reload`).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../../config';
import { scheduleBackups, scheduleRetention } from '../storage';
import { startDeliveryWorker, sealStoredSecrets } from '../subscribers';
import { applyProxyTrust, arrivedOverHttps } from './forwarded';
import { builtClient, builtEntry, cliScript, projectRoot } from '../paths';
import { exportDirProblem } from '../export';
import { NotFoundBudget } from './not-found-budget';
import { publicPathMayExist } from './public-routes';
import { splitLocalePath } from '../../i18n/paths';
import { languageHint, writeLanguageHint } from './language-hint';
import { isSharedPublicPath, sealTotpKeys } from '../accounts';
import { isPrivatePage } from '../readers';
import { answerHitFromMemory, contentVersion, forgetContentVersion, pathOf, writeCachedAnswer, writeHit } from './render-cache';
import { reloadContentOnChange, startRuntime, type Runtime } from '../runtime';
import { securityHeaders, strictTransportSecurity } from './security-headers';
import { draining, shutdownGracefully } from './shutdown';
import { answerStaticFile, loadStaticFiles } from './static-files';
import type { Metrics } from '../metrics';
import { sameSecret } from '../secrets';
import { isProbe, probeHeader, type ProbeView } from '../doctor';
import { log } from '../log';

/** The adapter's request handler (`mode: 'middleware'`, dist/server/entry.mjs). */
type AstroHandler = (request: IncomingMessage, response: ServerResponse, next?: () => void, locals?: object) => Promise<void>;


/**
 * Idle connections are kept longer than clients and proxies keep theirs
 * (undici 4 s, nginx 60 s), so the client closes first: with Node's 5 s
 * default a request sent as the server closed the connection was lost.
 */
const keepAliveMs = 65_000;

/** Methods a fetch Request refuses to carry (the Fetch standard forbids them); the adapter would throw, a 500. */
const forbiddenMethods = new Set(['TRACE', 'TRACK']);

/** The security headers as pairs, made once: every request, hits included, sets them. */
const baselineHeaders = Object.entries(securityHeaders);

class StartError extends Error {}

function listen(server: Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`;
      if (error.code === 'EADDRINUSE') reject(new StartError(`PORT: ${where} is already in use by another program; stop it or choose another PORT`));
      else if (error.code === 'EACCES') reject(new StartError(`PORT: not allowed to listen on ${where}; choose a PORT above 1023 or run behind a proxy`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartError(`HOST: ${config.host} is not an address of this machine`));
      else reject(error);
    });
    server.listen(config.port, config.host, () => resolve());
  });
}

/** Starts Herald: configuration, the port, the database and content, then serves until a signal. Exits 1 with one line if it cannot. */
export async function serve(): Promise<Server> {
  try {
    return await start();
  } catch (error) {
    const known = error instanceof StartError || ['ConfigError', 'ContentError'].includes((error as Error).name);
    log.cannotStart(`${known ? (error as Error).message : ((error as Error).stack ?? error)}`);
    process.exit(1);
  }
}

async function start(): Promise<Server> {
  const config = loadConfig();
  if (!existsSync(builtEntry)) throw new StartError(`there is no build in ${join(projectRoot, 'dist')}: run npm run build first`);
  const mirrorProblem = config.mirrorDir ? exportDirProblem(config.mirrorDir) : null;
  if (mirrorProblem) throw new StartError(`MIRROR_DIR: ${mirrorProblem}`);
  const { handler } = (await import(pathToFileURL(builtEntry).href)) as { handler: AstroHandler };
  const staticFiles = loadStaticFiles(builtClient);

  let runtime: Runtime | undefined;
  const notFoundBudget = new NotFoundBudget();
  const server = createServer((request, response) => {
    // herald doctor asks what arrived before TRUST_PROXY had its say.
    const probed = request.headers[probeHeader] ? forwardingAsArrived(request) : null;
    applyProxyTrust(request.headers, config.trustProxy);
    if (probed && runtime && answerProbe(runtime, probed, request, response)) return;
    // Counted by the path it arrived with (an unknown one is answered as /404).
    const arrived = request.url ?? '/';
    response.on('finish', () => runtime?.metrics?.countRequest(pathOf(arrived), response.statusCode));
    // `/` from elsewhere, in a browser that prefers another of the page's languages: sent there.
    const hint = runtime && (request.method === 'GET' || request.method === 'HEAD') ? languageHint(runtime.content.page, pathOf(arrived), request.headers) : null;
    // Most requests on a busy day: a cached page, or an address that does not exist.
    if (!hint && runtime && answerFromMemory(runtime, request, response)) return;
    // Before anything can throw: every answer carries the security headers and
    // is never stored unless a route says otherwise (the middleware does).
    for (const [name, value] of baselineHeaders) response.setHeader(name, value);
    response.setHeader('Cache-Control', 'no-store');
    if (arrivedOverHttps(request, config.trustProxy)) response.setHeader('Strict-Transport-Security', strictTransportSecurity);
    if (draining) response.setHeader('Connection', 'close');
    if (hint) return writeLanguageHint(hint, response);
    if (forbiddenMethods.has(request.method ?? '')) {
      response.writeHead(405, { Allow: 'GET, HEAD, POST, PATCH', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${request.method} is not allowed.`);
      return;
    }
    // A write (a staff post, a confirmation) changes what pages show: the version is read afresh after it.
    if (runtime && request.method !== 'GET' && request.method !== 'HEAD') {
      const db = runtime.db;
      response.once('finish', () => forgetContentVersion(db));
    }
    if (runtime) answer(runtime, request, response);
    else ready.then((r) => answer(r, request, response), () => response.destroy());
  });
  // Requests Node cannot parse, or whose body stops before its Content-Length:
  // a short, plain answer with the security headers, never a stack trace.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = 'The request was incomplete or malformed.\n';
    const headers = baselineHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nCache-Control: no-store\r\n${headers}Connection: close\r\n\r\n${body}`);
  });
  server.keepAliveTimeout = keepAliveMs;
  server.headersTimeout = keepAliveMs + 1000;

  /** Requests that arrive while the database opens wait for it. */
  let ready: Promise<Runtime> = new Promise(() => {});
  // The port first: a taken port must stop start-up before anything is created (the first owner's password).
  await listen(server, config);
  ready = startRuntime(config);
  runtime = await ready;

  /**
   * A public GET or HEAD answered from the render cache in one writeHead, with
   * the security headers and all (writeHit): a hit, or, for a path no route
   * or record has, the shared not-found answer, decided by an index lookup.
   * False, having written nothing, for everything else.
   */
  function answerFromMemory(runtime: Runtime, request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = pathOf(request.url ?? '/');
    // A private page: every answer waits for the reader check (src/middleware.ts), even "not found".
    if (!isSharedPublicPath(path) || isPrivatePage(runtime.content.page)) return false;
    const version = contentVersion(runtime.db);
    const hsts = arrivedOverHttps(request, config.trustProxy);
    const hit = runtime.renderCache.get(path, version);
    if (hit) {
      runtime.metrics?.countCache('hit');
      if (hit.status === 200) notFoundBudget.notePage();
      return writeHit(hit, request, response, hsts, draining);
    }
    if (staticFiles.has(path) || publicPathMayExist(runtime, path)) return false;
    const { page } = runtime.content;
    const notFound = runtime.renderCache.notFound(version, splitLocalePath(path, page.languages, page.default_language).locale);
    if (!notFound) return false;
    const client = config.trustProxy ? String(request.headers['x-forwarded-for'] ?? '') : (request.socket.remoteAddress ?? '');
    const pause = notFoundBudget.take(client);
    if (pause === 0) return writeHit(notFound, request, response, hsts, draining);
    setTimeout(() => response.destroyed || writeHit(notFound, request, response, hsts, draining), pause).unref();
    return true;
  }

  function answer(runtime: Runtime, request: IncomingMessage, response: ServerResponse): void {
    const path = pathOf(request.url ?? '/');
    const { page } = runtime.content;
    const language = splitLocalePath(path, page.languages, page.default_language);
    if (request.method === 'OPTIONS' && language.path.startsWith('/api/v2/') && publicPathMayExist(runtime, path)) return answerPreflight(request, response);
    if (path === '/metrics' && runtime.metrics) return void answerMetrics(runtime.metrics, config.metricsToken, request, response);
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (answerStaticFile(staticFiles, path, request, response)) return;
      const open = !isPrivatePage(page);
      if (open && answerHitFromMemory(runtime.renderCache, runtime.db, request, response)) return;
      if (!publicPathMayExist(runtime, path)) {
        const notFound = open ? runtime.renderCache.notFound(contentVersion(runtime.db), language.locale) : null;
        if (notFound) return writeCachedAnswer(notFound, request, response);
        // Rendered once, then kept (src/middleware.ts); on a private page, behind the reader check each time.
        if (open) request.url = '/404';
      }
    }
    // HEAD is answered like GET without the body: Astro renders (and the cache
    // keeps) the full GET answer, and Node leaves the body out because the
    // response was created for a HEAD request.
    if (request.method === 'HEAD') request.method = 'GET';
    // `/de/incidents/x` is `/incidents/x` read in German: Astro routes the plain path, the pages read the language.
    if (language.prefixed && request.url !== '/404') request.url = `${language.path}${(request.url ?? '').slice(path.length)}`;
    const locals = { herald: runtime, locale: language.locale, defaultLocale: page.default_language, siteUrl: config.siteUrl };
    // Paths no route matches: the "page not found" page, through the same middleware.
    const notFound = () => {
      request.url = '/404';
      void handler(request, response, () => response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.'), locals);
    };
    handler(request, response, notFound, locals).catch((error: Error) => {
      log.error(`${request.method} ${path}: ${error.stack ?? error.message}`);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Server error.');
      else response.destroy();
    });
  }

  log.info(`database ${config.databasePath}, serving ${config.siteUrl} (listening on ${config.host}:${config.port})`);
  startBackgroundWork(runtime, server);
  return server;
}

/**
 * MIRROR_DIR: `herald mirror` in a process of its own (with the built server
 * it renders with), so keeping the mirror fresh costs this event loop
 * nothing. Its lines go to this log; if it dies it starts again after 5 s.
 * Returns what stops it.
 */
function keepMirror(dir: string): () => Promise<void> {
  let child: ChildProcess | null = null;
  let stopping = false;
  const start = () => {
    const mirror = spawn(process.execPath, [cliScript, 'mirror', dir], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = mirror;
    createInterface({ input: mirror.stdout! }).on('line', (line) => log.info(line));
    createInterface({ input: mirror.stderr! }).on('line', (line) => log.error(`mirror: ${line}`));
    mirror.once('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      log.error(`the mirror of ${dir} stopped (code ${code}, signal ${signal}); starting it again in 5 s`);
      setTimeout(() => stopping || start(), 5_000).unref();
    });
  };
  start();
  return () =>
    new Promise<void>((done) => {
      stopping = true;
      if (!child) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

const forwardingAsArrived = (request: IncomingMessage) => ({
  forwardedFor: request.headers['x-forwarded-for']?.toString() ?? null,
  forwardedProto: request.headers['x-forwarded-proto']?.toString() ?? null,
});

/**
 * GET /healthz with the token `herald doctor` left in the database: what this
 * server saw of the request (src/lib/server/doctor/probe.ts). False, having
 * written nothing, for any other request, which is then answered as usual.
 */
function answerProbe(runtime: Runtime, arrived: ReturnType<typeof forwardingAsArrived>, request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' || pathOf(request.url ?? '/') !== '/healthz' || !isProbe(runtime.db, String(request.headers[probeHeader]))) return false;
  const https = arrivedOverHttps(request, runtime.config.trustProxy);
  const view: ProbeView = { peer: request.socket.remoteAddress ?? '', ...arrived, trustProxy: runtime.config.trustProxy, https, now: new Date().toISOString() };
  for (const [name, value] of baselineHeaders) response.setHeader(name, value);
  if (https) response.setHeader('Strict-Transport-Security', strictTransportSecurity);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ probe: view }));
  return true;
}

/** Loopback, as IPv4, IPv6 or IPv4 mapped into IPv6. */
const isLoopback = (address: string) => /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);

/**
 * GET /metrics for Prometheus: only to a client on this host (after
 * TRUST_PROXY, so a request the proxy forwards from outside is not one) or
 * one that sends METRICS_TOKEN. Others get a 404, as if there were none.
 */
async function answerMetrics(metrics: Metrics, token: string | null, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
  const client = String(request.headers['x-forwarded-for'] ?? request.socket.remoteAddress ?? '');
  const allowed = (token && bearer !== undefined && sameSecret(bearer, token)) || isLoopback(client);
  if (!allowed || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.');
    return;
  }
  const body = await metrics.scrape();
  response.writeHead(200, { 'Content-Type': metrics.contentType });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * CORS preflight for the public JSON API, which any origin may read: a browser
 * client that sends a header beyond the simple ones (an Authorization or
 * Cache-Control of its own, say) asks first. Reading is all there is to allow.
 */
function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  const asked = String(request.headers['access-control-request-headers'] ?? '');
  response.writeHead(204, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    // Only header names (tokens) are echoed back.
    ...(/^[\w\s,-]{1,512}$/.test(asked) ? { 'Access-Control-Allow-Headers': asked } : {}),
    'Access-Control-Max-Age': '86400',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    Allow: 'GET, HEAD, OPTIONS',
  });
  response.end();
}

/** Secrets sealed, backups and retention scheduled, the delivery worker started, and shutdown wired to all of them. */
function startBackgroundWork(runtime: Runtime, server: Server): void {
  const { config, db } = runtime;
  const secrets = sealStoredSecrets(db, config.secretsKey);
  if (secrets.sealed) log.info(`encrypted ${secrets.sealed} webhook secrets with SECRETS_KEY`);
  if (secrets.plain) log.warn(`${secrets.plain} webhook secrets are stored unencrypted; set SECRETS_KEY (docs/running.md: Configuration)`);
  const keys = sealTotpKeys(db, config.secretsKey);
  if (keys.sealed) log.info(`encrypted ${keys.sealed} authenticator keys with SECRETS_KEY`);
  if (keys.plain) log.warn(`${keys.plain} staff authenticator keys are stored unencrypted; set SECRETS_KEY (docs/running.md: Configuration)`);
  const stopBackups = scheduleBackups(db, config.backup);
  scheduleRetention(db, config.retention);
  // The content as served at each use: reloads swap it (runtime.ts reloadContent).
  const served = {
    get authored() {
      return runtime.authored;
    },
    get page() {
      return runtime.content.page;
    },
  };
  const worker = config.worker ? startDeliveryWorker(db, served, config, runtime.storage, runtime.metrics) : null;
  if (worker) log.info(`delivering notifications ${config.mail.smtpUrl ? 'over SMTP' : `as files in ${config.mail.dir}`}`);
  const stopReloading = reloadContentOnChange(runtime, config.contentWatch);
  // A private page is never written out for anyone to read: `herald export --include-private` does it when asked.
  const privatePage = isPrivatePage(runtime.content.page);
  if (config.mirrorDir && privatePage) log.error(`MIRROR_DIR: not kept, the page is private (content/page.yml visibility: private); unset MIRROR_DIR`);
  const stopMirror = config.mirrorDir && !privatePage ? keepMirror(config.mirrorDir) : async () => {};
  shutdownGracefully(db, () => Promise.all([stopBackups(), worker?.stop(), stopReloading(), stopMirror()]), server);
}
