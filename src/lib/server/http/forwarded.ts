// Who sent a request, and over what. Astro's Node adapter believes the first
// X-Forwarded-For value (which any client can write) for Astro.clientAddress,
// and X-Forwarded-Proto for the URL's scheme. Herald decides instead, with
// TRUST_PROXY: off, those headers are dropped and the socket's address counts;
// on (behind one TLS-terminating proxy), the address the proxy itself appended,
// the last X-Forwarded-For entry, is the only one kept. Herald's server
// (server.ts) applies this to every request before the adapter reads it.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';

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

/** Whether a request reached us over HTTPS: directly over TLS, or, with TRUST_PROXY, as the proxy says. */
export function arrivedOverHttps(request: http.IncomingMessage, trustProxy: boolean): boolean {
  if ((request.socket as TLSSocket).encrypted) return true;
  return trustProxy && request.headers['x-forwarded-proto'] === 'https';
}
