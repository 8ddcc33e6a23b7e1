// Every response passes through here: security headers on all of them, and
// caching that never lets an error page be stored by a proxy.
import { defineMiddleware, sequence } from 'astro:middleware';

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

const caching = defineMiddleware(async (_context, next) => {
  const response = await next();
  // A proxy must never keep serving an error (the seeds' stale "server down" page).
  if (response.status >= 400) response.headers.set('Cache-Control', 'no-store');
  // Pages change with every staff write: revalidate every time until a cache exists.
  else if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'no-cache');
  return response;
});

export const onRequest = sequence(securityHeaders, caching);
