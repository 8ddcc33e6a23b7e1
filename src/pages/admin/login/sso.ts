// Starts a single sign-on: the browser goes to the provider with a fresh
// state, nonce and PKCE challenge, and keeps the flow in a signed cookie until
// it comes back (callback.ts). 404 when no provider is configured.
import type { APIRoute } from 'astro';
import { safeNext } from '../../../lib/server/http';
import { ssoCookie, startSsoLogin } from '../../../lib/server/accounts';
import { getRuntime } from '../../../lib/server/runtime';
import { log } from '../../../lib/server/log';

export const GET: APIRoute = async ({ url, cookies, redirect }) => {
  const { db, config } = await getRuntime();
  if (!config.sso) return new Response('Single sign-on is not configured here.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  try {
    const started = await startSsoLogin(db, config.sso, config.siteUrl, safeNext(url.searchParams.get('next')));
    const cookie = ssoCookie(config.siteUrl);
    cookies.set(cookie.name, started.cookie, cookie.options);
    return redirect(started.url, 303);
  } catch (error) {
    log.warn(`single sign-on: the provider ${config.sso.issuer} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
    return redirect('/admin/login?sso=unavailable', 303);
  }
};
