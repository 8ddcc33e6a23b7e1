// Tests reach the server that global-setup.ts started; its address and database
// arrive through the environment, read when a test runs.
import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.HERALD_E2E_URL);
  },
});

/** The server's database file, for the CLI. */
export const database = () => process.env.HERALD_E2E_DB!;

export { expect };

export const admin = { email: 'admin@example.com', password: () => process.env.HERALD_E2E_ADMIN_PASSWORD! };

/** Logs in through the form, as staff do. */
export async function logIn(page: Page, email: string, password: string) {
  await page.goto('/admin/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
