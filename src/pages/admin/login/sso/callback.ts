// Where the provider sends the browser back: the answer is checked against
// the flow in this browser's cookie (sso.ts). Staff are logged in, or the
// login page says, in a fixed sentence, why not. A private page's reader is
// signed in as their address when it is of the page's reader domains, or
// sent back to the reader's sign-in.
import type { APIRoute } from 'astro';
import { allowHit, auditedSsoRefusals, finishSsoLogin, issueDeviceToken, loggedInCookies, recordAudit, ssoCookie } from '../../../../lib/server/accounts';
import { readerAddress, readerCookie, readerNext, readerSessionValue } from '../../../../lib/server/readers';
import { getRuntime } from '../../../../lib/server/runtime';

export const GET: APIRoute = async ({ url, cookies, redirect, clientAddress }) => {
  const { db, config, content } = await getRuntime();
  if (!config.sso) return new Response('Single sign-on is not configured here.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const flow = ssoCookie(config.siteUrl);
  const result = await finishSsoLogin(db, config.sso, config.siteUrl, url, cookies.get(flow.name)?.value);
  // The flow is over once its own answer came back, good or not. An answer with another state (a link made
  // elsewhere) leaves it be: this browser's real answer may still arrive.
  if (result.ok || result.reason !== 'state') cookies.delete(flow.name, { path: '/', secure: flow.options.secure, httpOnly: true, sameSite: 'lax' });
  if (result.for === 'reader') {
    const address = result.ok ? readerAddress(content.page.readers.email_domains, result.email) : null;
    if (!address) return redirect('/reader/login?sso=refused', 303);
    const cookie = readerCookie(config.siteUrl);
    cookies.set(cookie.name, readerSessionValue(db, { via: 'address', name: address }), cookie.options);
    return redirect(readerNext(result.ok ? result.next : null, '/'), 303);
  }
  if (!result.ok) {
    // Only what a real login at the provider leads to (anyone can make up the rest), and at most 20 an hour per
    // address: a provider open to anyone must not let them fill the log.
    if (auditedSsoRefusals.has(result.reason) && allowHit(db, `sso-refused:${clientAddress}`, 20, 3_600_000)) {
      recordAudit(db, { label: 'single sign-on', userId: null }, 'login.sso_refused', null, { reason: result.reason, address: clientAddress });
    }
    return redirect(`/admin/login?sso=${result.reason}`, 303);
  }
  for (const cookie of loggedInCookies(db, config.siteUrl, result.user.id, issueDeviceToken(db, result.user.id), 'sso')) cookies.set(cookie.name, cookie.value, cookie.options);
  return redirect(result.next, 303);
};
