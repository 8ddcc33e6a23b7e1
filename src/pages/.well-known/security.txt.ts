// GET /.well-known/security.txt (RFC 9116): where to report a vulnerability.
// Contact and expiry come from SECURITY_CONTACT and SECURITY_TXT_EXPIRES.
import type { APIRoute } from 'astro';
import { getRuntime } from '../../lib/server/runtime';

export const GET: APIRoute = async () => {
  const { config } = await getRuntime();
  const expires = config.security.expires ?? new Date(Date.now() + 180 * 86_400_000);
  const body = [
    `Contact: ${config.security.contact}`,
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    'Preferred-Languages: en',
    `Canonical: ${config.siteUrl}/.well-known/security.txt`,
    '',
  ].join('\n');
  return new Response(body, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
};
