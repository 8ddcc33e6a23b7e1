// Who may do what in the console and the API: every admin route refuses the
// unauthenticated (the routes are read from src/pages, not listed by hand),
// editors are refused owner pages, cross-site posts are refused, brute force
// is throttled, and the session cookie carries the right flags.
import { admin, expect, logIn, test } from './fixtures';
import { routesUnder } from './routes';
import { startServer } from './server';

// The login page and single sign-on's two legs are for visitors without a session (their own specs test them).
const consoleRoutes = routesUnder('admin').filter((path) => path !== '/admin/login' && !path.startsWith('/admin/login/'));
const apiRoutes = routesUnder('api/admin');

test('the route lists are read from src/pages', () => {
  expect(consoleRoutes).toEqual(expect.arrayContaining(['/admin', '/admin/users', '/admin/incidents/new', '/admin/logout']));
  expect(consoleRoutes.length).toBeGreaterThanOrEqual(10);
  expect(apiRoutes).toEqual(expect.arrayContaining(['/api/admin/incidents', '/api/admin/incidents/1/updates', '/api/admin/components/1']));
});

test('every console route refuses a visitor without a session', async ({ request }) => {
  for (const path of consoleRoutes) {
    if (path === '/admin/logout') {
      // Logging out without a session only forgets the cookie.
      const out = await request.post(path, { maxRedirects: 0 });
      expect.soft(out.headers().location, path).toBe('/admin/login');
      continue;
    }
    const get = await request.get(path, { maxRedirects: 0 });
    expect.soft(get.status(), `GET ${path}`).toBe(303);
    expect.soft(get.headers().location, `GET ${path}`).toMatch(/^\/admin\/login\?next=/);
    const post = await request.post(path, { form: { message: 'Typed <b>before</b> the session ended' }, maxRedirects: 0 });
    expect.soft(post.status(), `POST ${path}`).toBe(401);
    // Refused, but what was typed comes back, escaped, so nothing is lost.
    expect.soft(await post.text(), `POST ${path}`).toContain('Typed &#60;b&#62;before&#60;/b&#62; the session ended');
  }
});

test('every API route refuses a request without a valid token', async ({ request }) => {
  for (const path of apiRoutes) {
    for (const method of ['GET', 'POST', 'PATCH'] as const) {
      const none = await request.fetch(path, { method, data: {} });
      expect.soft(none.status(), `${method} ${path}`).toBe(401);
      expect.soft(none.headers()['www-authenticate'], `${method} ${path}`).toContain('Bearer');
      const forged = await request.fetch(path, { method, data: {}, headers: { Authorization: 'Bearer herald_forged' } });
      expect.soft(forged.status(), `${method} ${path} with a forged token`).toBe(401);
    }
  }
});

test('an editor is refused user and token management', async ({ page, browser }) => {
  // The owner adds an editor; the generated password is shown once.
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/users');
  await page.getByLabel('Email').fill('editor@example.com');
  await page.getByLabel('Name (optional)').fill('Eddie Editor');
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Create account' }).click();
  const password = (await page.locator('.secret').textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(20);

  const editor = await (await browser.newContext()).newPage();
  await logIn(editor, 'editor@example.com', password);
  await expect(editor.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  await expect(editor.getByRole('link', { name: 'Users' })).toHaveCount(0);
  for (const path of ['/admin/users', '/admin/tokens', '/admin/users/', '/admin//users', '/admin/%75sers', '/%61dmin/tokens']) {
    const response = await editor.goto(path);
    expect(response!.status(), path).toBe(403);
    await expect(editor.getByRole('heading', { level: 1 }), path).toHaveText('Not allowed');
  }
  // Posting to the owner page with a valid CSRF token is refused too.
  const csrf = await editor.locator('input[name="csrf"]').first().inputValue();
  const post = await editor.request.post('/admin/users', {
    form: { csrf, intent: 'create', email: 'sneaky@example.com', role: 'owner' },
    headers: { Origin: new URL(editor.url()).origin },
  });
  expect(post.status()).toBe(403);
  await page.goto('/admin/users');
  await expect(page.locator('body')).not.toContainText('sneaky@example.com');
});

test('cross-site and token-less form posts are refused', async ({ page }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/incidents/new');
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const origin = new URL(page.url()).origin;
  const form = { csrf, intent: 'create', title: 'Forged', impact: 'critical', message: 'x' };
  const crossSite = await page.request.post('/admin/incidents/new', { form, headers: { Origin: 'https://evil.example' } });
  expect(crossSite.status()).toBe(403);
  const fetchSite = await page.request.post('/admin/incidents/new', { form, headers: { Origin: origin, 'Sec-Fetch-Site': 'cross-site' } });
  expect(fetchSite.status()).toBe(403);
  const noToken = await page.request.post('/admin/incidents/new', { form: { ...form, csrf: 'guess' }, headers: { Origin: origin } });
  expect(noToken.status()).toBe(403);
  const loginFromElsewhere = await page.request.post('/admin/login', {
    form: { email: admin.email, password: admin.password() },
    headers: { Origin: 'https://evil.example' },
  });
  expect(loginFromElsewhere.status()).toBe(403);
  await page.goto('/');
  await expect(page.locator('body')).not.toContainText('Forged');
});

test('the session cookie is HttpOnly and SameSite=Lax, and logging out ends it', async ({ page, context }) => {
  await logIn(page, admin.email, admin.password());
  const [cookie] = (await context.cookies()).filter((c) => c.name.includes('herald_session'));
  expect(cookie).toMatchObject({ name: 'herald_session', httpOnly: true, sameSite: 'Lax', path: '/' });
  // Over plain HTTP (this test server) it cannot be Secure; see the HTTPS test below.
  expect(cookie.secure).toBe(false);
  expect(cookie.value.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
  const response = await page.goto('/admin');
  expect(response!.headers()['cache-control']).toBe('no-store');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  // The old cookie value is dead on the server, not just forgotten by the browser.
  await context.addCookies([{ ...cookie }]);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/login\?next=/);
});

test('over HTTPS the cookie is __Host- prefixed and Secure', async ({ request }) => {
  const server = await startServer({ SITE_URL: 'https://status.example.com' });
  try {
    const password = /password:\s+(\S+)/.exec(server.output())?.[1] ?? '';
    const response = await request.post(`${server.url}/admin/login`, {
      form: { email: admin.email, password },
      headers: { Origin: 'https://status.example.com' },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(303);
    const setCookie = response.headers()['set-cookie'];
    expect(setCookie).toMatch(/^__Host-herald_session=[\w-]{43};/);
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Domain=');
  } finally {
    await server.stop();
  }
});

test('a brute force is throttled: after 10 failures even the right password waits', async ({ page }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/users');
  await page.getByLabel('Email').fill('target@example.com');
  await page.getByRole('button', { name: 'Create account' }).click();
  const password = (await page.locator('.secret').textContent())!.trim();

  const attacker = page.context().request;
  const origin = new URL(page.url()).origin;
  const attempt = (email: string, pw: string) =>
    attacker.post('/admin/login', { form: { email, password: pw }, headers: { Origin: origin }, maxRedirects: 0 });
  // An unknown email and a wrong password get the very same answer.
  const unknown = await attempt('nobody@example.com', 'wrong-password-0');
  const wrong = await attempt('target@example.com', 'wrong-password-0');
  expect(unknown.status()).toBe(401);
  expect(wrong.status()).toBe(401);
  const message = (r: Awaited<typeof unknown>) => r.text().then((html) => /class="notice notice-error"[^>]*>([^<]*)</.exec(html)?.[1]);
  expect(await message(unknown)).toBe(await message(wrong));

  for (let n = 1; n < 10; n++) expect((await attempt('target@example.com', `wrong-password-${n}`)).status()).toBe(401);
  const locked = await attempt('target@example.com', password);
  expect(locked.status()).toBe(429);
  expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
  expect(await locked.text()).toContain('Too many failed attempts');
  // Other accounts are not locked out by it.
  expect((await attempt(admin.email, admin.password())).status()).toBe(303);
});

test('a token created in the console writes through the API until it is revoked', async ({ page, request }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/tokens');
  await page.getByLabel('Name').fill('deploy-bot');
  await page.getByLabel('Scope').selectOption('write');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').textContent())!.trim();
  expect(secret).toMatch(/^herald_[\w-]{43}$/);
  // Shown once: reloading the page does not show it again.
  await page.goto('/admin/tokens');
  await expect(page.locator('body')).not.toContainText(secret);

  const auth = { Authorization: `Bearer ${secret}` };
  const created = await request.post('/api/admin/incidents', {
    headers: auth,
    data: { title: 'Deploy bot test', impact: 'minor', message: 'Posted by a script.' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.goto('/');
  await expect(page.locator('section[aria-labelledby="active-incidents"]')).toContainText('Deploy bot test');
  const resolved = await request.patch(`/api/admin/incidents/${id}`, { headers: auth, data: { status: 'resolved', message: 'Done.' } });
  expect(resolved.status()).toBe(200);

  await page.goto('/admin/tokens');
  const row = page.locator('tr', { hasText: 'deploy-bot' });
  await expect(row).not.toContainText('never');
  await row.getByRole('button', { name: 'Revoke deploy-bot' }).click();
  await expect(page.getByRole('status')).toContainText('Token revoked');
  const refused = await request.get('/api/admin/incidents', { headers: auth });
  expect(refused.status()).toBe(401);

  await page.goto('/admin/audit');
  await expect(page.locator('tr', { hasText: 'token.revoke' }).first()).toContainText(admin.email);
  await expect(page.locator('tr', { hasText: 'incident.create' }).filter({ hasText: 'token deploy-bot' }).first()).toBeVisible();
});

test('a form from an earlier session is refused, with what was typed shown back', async ({ page, browser }) => {
  await logIn(page, admin.email, admin.password());
  await page.goto('/admin/incidents/new');
  await page.getByLabel('Title').fill('Typed in an old tab');
  await page.getByLabel('First update').fill('Half an hour of careful writing.');
  // Meanwhile the session ends elsewhere (a password change, say) and a new one begins.
  const other = await (await browser.newContext()).newPage();
  await logIn(other, admin.email, admin.password());
  await page.context().clearCookies();
  await page.context().addCookies(await other.context().cookies());
  const response = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Post incident' }).click();
  expect((await response).status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This form has expired');
  await expect(page.getByLabel('title')).toHaveValue('Typed in an old tab');
  await expect(page.getByLabel('message')).toHaveValue('Half an hour of careful writing.');
  await expect(page.getByLabel('impact')).toHaveValue('minor');
  await page.goto('/');
  await expect(page.locator('body')).not.toContainText('Typed in an old tab');
});

test('an oversized form is refused before it is read', async ({ request }) => {
  const response = await request.post('/admin/incidents/new', { form: { message: 'x'.repeat(300 * 1024) } });
  expect(response.status()).toBe(413);
  const login = await request.post('/admin/login', { form: { email: 'a@b.c', password: 'x'.repeat(300 * 1024) } });
  expect(login.status()).toBe(413);
});

test('a forged X-Forwarded-For does not reset the per-address throttle', async ({ request }) => {
  // Its own server, so locking this test's address does not lock the others out.
  const server = await startServer();
  try {
    const attempt = (n: number) =>
      request.post(`${server.url}/admin/login`, {
        form: { email: `guess${n}@example.com`, password: 'not the password' },
        headers: { 'X-Forwarded-For': `203.0.113.${n}` },
        maxRedirects: 0,
      });
    for (let n = 0; n < 50; n++) expect((await attempt(n)).status(), `attempt ${n}`).toBe(401);
    expect((await attempt(50)).status()).toBe(429);
  } finally {
    await server.stop();
  }
});
