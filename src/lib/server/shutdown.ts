// Graceful shutdown on SIGTERM or SIGINT: stop accepting connections, let the
// requests in flight finish, let the delivery worker finish the batch in hand,
// then checkpoint the WAL into the database file and close it. Whatever hangs,
// the process exits within 10 seconds.
import { Server as HttpServer } from 'node:http';
import { Server } from 'node:net';
import type { HeraldDb } from './db';

const servers = new Set<Server>();

/**
 * Remembers every server that starts listening in this process, and sets its
 * keep-alive timeout. The node adapter starts its HTTP server itself and does
 * not hand it out; boot.ts runs this before the adapter starts.
 */
export function trackListeningServers(): void {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    servers.add(this);
    if (this instanceof HttpServer) {
      // Idle connections are kept longer than clients and proxies keep theirs
      // (undici 4 s, nginx 60 s), so they close first: with Node's 5 s default
      // a request sent on a connection as the server closed it was lost.
      this.keepAliveTimeout = keepAliveMs;
      this.headersTimeout = keepAliveMs + 1000;
    }
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
}

const keepAliveMs = 65_000;

export const shutdownTimeoutMs = 10_000;

/** Installs the handlers; `stopWork` is what must finish before the database closes (the worker). */
export function shutdownGracefully(db: HeraldDb, stopWork: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => {
      console.error(`Herald: still busy ${shutdownTimeoutMs / 1000} s after ${signal}; exiting anyway`);
      process.exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    console.log(`Herald: ${signal}: finishing requests and deliveries in hand, then stopping`);
    await Promise.all(
      [...servers].map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
            // Keep-alive connections with no request in flight would hold close() open.
            (server as Server & { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      ),
    );
    await stopWork().catch((error: Error) => console.error(`Herald: stopping the worker: ${error.message}`));
    try {
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.close();
    } catch (error) {
      console.error(`Herald: closing the database: ${(error as Error).message}`);
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
