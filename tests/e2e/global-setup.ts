// One built server for the whole run; tests read its address from the environment.
import { startServer } from './server';

export default async function globalSetup() {
  const server = await startServer();
  process.env.HERALD_E2E_URL = server.url;
  process.env.HERALD_E2E_DB = server.db;
  // The first owner's password, printed once at the first start, as a newcomer reads it.
  let printed = /password:\s+(\S+)/.exec(server.output());
  for (let tries = 0; !printed && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 100)); // stdout may trail the first answer
    printed = /password:\s+(\S+)/.exec(server.output());
  }
  if (!printed) throw new Error(`the server did not print the first owner's password:\n${server.output()}`);
  process.env.HERALD_E2E_ADMIN_PASSWORD = printed[1];
  return async () => {
    await server.stop();
  };
}
