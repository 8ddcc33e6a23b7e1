// Graceful shutdown on SIGTERM or SIGINT: stop accepting connections, answer
// the requests in flight (each with `Connection: close`, so kept-alive clients
// and a proxy's pooled connections go away), let the delivery worker finish
// the batch in hand, then checkpoint the WAL into the database file and close
// it. Whatever hangs, the process exits within 10 seconds.
import type { Server } from 'node:http';
import type { HeraldDb } from '../db';
import { log } from '../log';

export const shutdownTimeoutMs = 10_000;

/** Whether a signal has asked this process to stop; the server then closes each connection after its answer. */
export let draining = false;

/** Stops `server` (if any) from taking new connections and resolves once every connection it had is gone. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Connections with no request in flight would hold close() open until their keep-alive ends.
    server.closeIdleConnections();
    // One that goes idle without another request after this point is closed by its answer's `Connection: close`;
    // one that stays silent is closed here.
    const sweep = setInterval(() => server.closeIdleConnections(), 250);
    server.once('close', () => clearInterval(sweep));
  });
}

/** Installs the handlers; `stopWork` is what must finish before the database closes (the worker, a backup). */
export function shutdownGracefully(db: HeraldDb, stopWork: () => Promise<unknown> = async () => {}, server?: Server): void {
  const stop = async (signal: string) => {
    if (draining) return;
    draining = true;
    const timer = setTimeout(() => {
      log.error(`still busy ${shutdownTimeoutMs / 1000} s after ${signal}; exiting anyway`);
      process.exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    log.info(`${signal}: finishing requests and deliveries in hand, then stopping`);
    if (server) await closeServer(server);
    await stopWork().catch((error: Error) => log.error(`stopping the worker: ${error.message}`));
    try {
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.close();
    } catch (error) {
      log.error(`closing the database: ${(error as Error).message}`);
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
