// A private page's reader signs on with the company's provider (OIDC_*):
// the same flow as staff's (src/lib/server/accounts/sso.ts), for a reader;
// the callback signs in addresses of the page's reader domains. 404 where
// there is no provider, no private page or no reader domain.
import type { APIRoute } from 'astro';
import { ssoCookie, startSsoLogin } from '../../lib/server/accounts';
import { isPrivatePage, readerNext } from '../../lib/server/readers';
import { getRuntime } from '../../lib/server/runtime';
import { log } from '../../lib/server/log';

export const GET: APIRoute = async ({ url, cookies, redirect }) => {
  const { db, config, content } = await getRuntime();
  if (!config.sso || !isPrivatePage(content.page) || content.page.readers.email_domains.length === 0) {
    return new Response('Readers do not sign on here.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  try {
    const started = await startSsoLogin(db, config.sso, config.siteUrl, readerNext(url.searchParams.get('next'), '/'), new Date(), 'reader');
    const cookie = ssoCookie(config.siteUrl);
    cookies.set(cookie.name, started.cookie, cookie.options);
    return redirect(started.url, 303);
  } catch (error) {
    log.warn(`single sign-on: the provider ${config.sso.issuer} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
    return redirect('/reader/login?sso=refused', 303);
  }
};
