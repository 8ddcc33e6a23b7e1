// A reader signs out of a private page: the reader cookie goes.
import type { APIRoute } from 'astro';
import { readerCookie } from '../../lib/server/readers';
import { getRuntime } from '../../lib/server/runtime';

export const POST: APIRoute = async ({ cookies, redirect }) => {
  const { config } = await getRuntime();
  const cookie = readerCookie(config.siteUrl);
  cookies.delete(cookie.name, { path: '/', secure: cookie.options.secure, httpOnly: true, sameSite: 'lax' });
  return redirect('/reader/login', 303);
};
