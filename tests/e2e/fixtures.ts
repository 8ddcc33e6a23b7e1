// Tests reach the server that global-setup.ts started; its address and database
// arrive through the environment, read when a test runs.
import { test as base, expect } from '@playwright/test';

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.HERALD_E2E_URL);
  },
});

/** The server's database file, for the CLI. */
export const database = () => process.env.HERALD_E2E_DB!;

export { expect };
