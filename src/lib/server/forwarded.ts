// Who sent a request, and over what. Astro's Node adapter believes the first
// X-Forwarded-For value (which any client can write) for Astro.clientAddress,
// and X-Forwarded-Proto for the URL's scheme. Herald decides instead, with
// TRUST_PROXY: off, those headers are dropped and the socket's address counts;
// on (behind one TLS-terminating proxy), the address the proxy itself appended,
// the last X-Forwarded-For entry, is the only one kept.
import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { securityHeaders, strictTransportSecurity } from './security-headers';

const forwardedHeaders = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port'];

/** Rewrites the forwarding headers of an incoming request in place, as TRUST_PROXY says. */
export function applyProxyTrust(headers: http.IncomingHttpHeaders, trustProxy: boolean): void {
  if (!trustProxy) {
    for (const name of forwardedHeaders) delete headers[name];
    return;
  }
  const chain = String(headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (chain.length) headers['x-forwarded-for'] = chain[chain.length - 1];
  const proto = String(headers['x-forwarded-proto'] ?? '').split(',').pop()?.trim();
  if (proto) headers['x-forwarded-proto'] = proto;
  // The public host comes from SITE_URL, never from a header.
  delete headers['x-forwarded-host'];
  delete headers['x-forwarded-port'];
}

let installed = false;
let answerEarly: ((request: http.IncomingMessage, response: http.ServerResponse) => boolean) | null = null;

/** Lets boot.ts answer some requests (cache hits) before the adapter sees them; `answer` returns whether it did. */
export function answerBeforeTheAdapter(answer: (request: http.IncomingMessage, response: http.ServerResponse) => boolean): void {
  answerEarly = answer;
}

/** Methods a fetch Request refuses to carry; answered 405 before the adapter sees them. */
const forbiddenMethods = new Set(['TRACE', 'TRACK']);

/** Whether a request reached us over HTTPS: directly over TLS, or, with TRUST_PROXY, as the proxy says. */
export function arrivedOverHttps(request: http.IncomingMessage, trustProxy: boolean): boolean {
  if ((request.socket as TLSSocket).encrypted) return true;
  return trustProxy && request.headers['x-forwarded-proto'] === 'https';
}

/**
 * Applies applyProxyTrust to every request any HTTP server in this process
 * receives, before the adapter reads it, and gives every response the security
 * headers as a baseline (static files never reach the middleware). Called once
 * at boot, before the standalone server starts; the adapter offers no hook of
 * its own for this.
 */
export function installProxyTrust(trustProxy: boolean): void {
  if (installed) return;
  installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
      applyProxyTrust(request.headers, trustProxy);
      for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
      // What nothing else marks cacheable (Astro's own 400 for a malformed path, say) is never stored.
      response.setHeader('Cache-Control', 'no-store');
      if (arrivedOverHttps(request, trustProxy)) response.setHeader('Strict-Transport-Security', strictTransportSecurity);
      // The adapter turns each request into a fetch Request, which cannot hold
      // TRACE or TRACK (the Fetch standard forbids them): it would throw, a 500.
      if (forbiddenMethods.has(request.method ?? '')) {
        response.writeHead(405, { Allow: 'GET, HEAD, POST, PATCH', 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        response.end(`${request.method} is not allowed.`);
        return true;
      }
      if (answerEarly?.(request, response)) return true;
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
}
