// Ends this session (POST only, CSRF-checked by the middleware) and forgets the cookie.
import type { APIRoute } from 'astro';
import { getRuntime } from '../../lib/server/runtime';
import { endSession, sessionCookie } from '../../lib/server/accounts';

export const POST: APIRoute = async ({ locals, cookies, redirect }) => {
  const { db, config } = await getRuntime();
  if (locals.session) endSession(db, locals.session.tokenHash);
  const cookie = sessionCookie(config.siteUrl);
  cookies.delete(cookie.name, { path: '/', secure: cookie.options.secure, httpOnly: true, sameSite: 'lax' });
  return redirect('/admin/login', 303);
};
