// One built server for the whole run; tests read its address from the environment.
import { startServer } from './server';

export default async function globalSetup() {
  const server = await startServer();
  process.env.HERALD_E2E_URL = server.url;
  process.env.HERALD_E2E_DB = server.db;
  return async () => {
    await server.stop();
  };
}
