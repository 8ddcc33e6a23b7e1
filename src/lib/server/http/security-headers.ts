// The security headers every response carries, in one list. The middleware
// sets them on what Astro renders; forwarded.ts sets the same list as a
// baseline on every response of the Node server, so static files (CSS,
// favicon), which the adapter serves before any middleware runs, carry them too.

/** Only our own scripts, styles and images; no inline script, no plugins, no framing, forms post only to us. */
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

/** RFC 6797: sent only on responses that arrived over HTTPS. Two years, subdomains included. */
export const strictTransportSecurity = 'max-age=63072000; includeSubDomains';

export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Badges and the public JSON API set `cross-origin` themselves: they are meant to be embedded and read elsewhere.
  'Cross-Origin-Resource-Policy': 'same-origin',
};
