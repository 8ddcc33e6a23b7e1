// Where the provider sends the browser back: the answer is checked against
// the flow in this browser's cookie (sso.ts), and the account is logged in,
// or the login page says, in a fixed sentence, why not.
import type { APIRoute } from 'astro';
import { allowHit, auditedSsoRefusals, finishSsoLogin, issueDeviceToken, loggedInCookies, recordAudit, ssoCookie } from '../../../../lib/server/accounts';
import { getRuntime } from '../../../../lib/server/runtime';

export const GET: APIRoute = async ({ url, cookies, redirect, clientAddress }) => {
  const { db, config } = await getRuntime();
  if (!config.sso) return new Response('Single sign-on is not configured here.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const flow = ssoCookie(config.siteUrl);
  const result = await finishSsoLogin(db, config.sso, config.siteUrl, url, cookies.get(flow.name)?.value);
  // The flow is over once its own answer came back, good or not. An answer with another state (a link made
  // elsewhere) leaves it be: this browser's real answer may still arrive.
  if (result.ok || result.reason !== 'state') cookies.delete(flow.name, { path: '/', secure: flow.options.secure, httpOnly: true, sameSite: 'lax' });
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
