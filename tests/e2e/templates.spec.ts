// Templates through the built server: staff start an incident from a
// template in git, post it with its placeholders filled, take the template's
// text for a later status, save a template of their own (a refused one keeps
// what was typed), and the HTTP API and CLI start from templates too.
import { expect, test } from '@playwright/test';
import { herald, logInAsOwner, startServer, type RunningServer } from './server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
});
test.afterAll(async () => server.stop());

test('the console starts an incident from a template, fills its placeholders and suggests later text', async ({ page }) => {
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/admin/incidents/new`);
  await page.getByRole('navigation', { name: 'Start from a template' }).getByRole('link', { name: 'Web interface down' }).click();
  await expect(page.getByLabel('Title')).toHaveValue('{{component}}: logins failing');
  await expect(page.getByLabel('Impact')).toHaveValue('major');
  await expect(page.getByLabel('Web interface')).toHaveValue('major_outage');
  await expect(page.getByLabel('Next update')).toHaveValue('30m');
  await page.getByRole('button', { name: 'Post incident' }).click();
  await expect(page.getByRole('status')).toHaveText('Posted. It is on the public page now.');
  const slug = new URL(page.url()).pathname.split('/').at(-1)!;
  expect(slug).toMatch(/web-interface-logins-failing$/);

  const publicPage = await (await fetch(`${server.url}/incidents/${slug}`)).text();
  expect(publicPage).toContain('Web interface: logins failing');
  expect(publicPage).toContain('We are investigating reports that Web interface does not let customers log in.');
  expect(publicPage).not.toContain('{{');

  await page.getByRole('link', { name: 'Resolved', exact: true }).click();
  await expect(page.getByLabel('Status')).toHaveValue('resolved');
  await expect(page.getByLabel('Message')).toHaveValue(/^Logins to \{\{component\}\} work normally again\./);
  await page.getByRole('button', { name: 'Post update' }).click();
  await expect(page.getByRole('status')).toHaveText('Update posted.');
  expect(await (await fetch(`${server.url}/incidents/${slug}`)).text()).toContain('Logins to Web interface work normally again.');
});

test('staff save a template of their own; a refused one keeps what was typed, with the error beside the field', async ({ page }) => {
  await logInAsOwner(page, server);
  await page.goto(`${server.url}/admin/templates`);
  await page.getByRole('link', { name: 'New incident template' }).click();
  await page.getByLabel('Template name').fill('DNS trouble');
  await page.getByLabel('Title').fill('{{component}} slow for {{customer}}');
  await page.getByLabel('DNS and custom domains').selectOption('degraded_performance');
  await page.getByLabel('First update').fill('Lookups are slow.');
  await page.getByRole('button', { name: 'Save template' }).click();
  const title = page.locator('.field', { has: page.getByLabel('Title') });
  await expect(title.locator('.field-error')).toContainText('{{customer}} is not a placeholder');
  await expect(page.getByLabel('Template name')).toHaveValue('DNS trouble');
  await expect(page.getByLabel('First update')).toHaveValue('Lookups are slow.');
  await page.getByLabel('Title').fill('{{component}} slow');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status')).toHaveText('Template saved.');
  await page.getByRole('link', { name: 'DNS trouble' }).click();
  await expect(page.getByLabel('DNS and custom domains')).toHaveValue('degraded_performance');
  await page.goto(`${server.url}/admin/incidents/new?template=dns-trouble`);
  await expect(page.getByLabel('First update')).toHaveValue('Lookups are slow.');
});

test('the HTTP API and the CLI start from a template too', async () => {
  const token = herald(server.db, 'token', 'create', '--name', 'bot', '--scope', 'write');
  const response = await fetch(`${server.url}/api/admin/maintenance`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: 'kernel-upgrade', scheduled_for: '2027-01-10T02:00:00Z' }),
  });
  expect(response.status).toBe(201);
  const maintenance = await response.json();
  expect(maintenance).toMatchObject({ name: 'Kernel upgrade on Inbound delivery and Outbound queue', scheduled_until: '2027-01-10T04:00:00.000Z' });
  const unknown = await fetch(`${server.url}/api/admin/incidents`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: 'nosuch' }),
  });
  expect(unknown.status).toBe(422); // a body naming what does not exist, as for components
  expect((await unknown.json()).error.field).toBe('template');

  expect(herald(server.db, 'template', 'list')).toContain('webmail-outage\tincident\tcontent/templates/webmail-outage.md\tWeb interface down');
  const [slug] = herald(server.db, 'incident', 'create', '--template', 'webmail-outage', '--component', 'imap-pop:partial_outage').split('\n');
  const api = await (await fetch(`${server.url}/api/v2/incidents/unresolved.json`)).json();
  const created = api.incidents.find((i: { id: string }) => i.id === slug);
  expect(created.name).toBe('IMAP and POP: logins failing');
  expect(created.incident_updates[0].body).toMatch(/^We are investigating reports that IMAP and POP does not let/);
  herald(server.db, 'incident', 'update', slug, '--status', 'identified');
  const after = await (await fetch(`${server.url}/api/v2/incidents/unresolved.json`)).json();
  expect(after.incidents.find((i: { id: string }) => i.id === slug).incident_updates[0].body).toMatch(/^We have found the cause of the failing logins to IMAP and POP/);
});
