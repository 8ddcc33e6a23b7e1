// Starts the built server (scripts/serve.mjs) on a free port with a fresh database.
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/lib/server/export/free-port';
import { serverNodeFlags } from '../../scripts/server-flags.mjs';

export { freePort };

export const root = resolve(import.meta.dirname, '../..');

export interface RunningServer {
  url: string;
  db: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  // PORT in `env` when the caller needs the address first (a SITE_URL naming it).
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  // HERALD_DB in `env` restarts on an existing database.
  const db = env.HERALD_DB ?? join(folder, 'herald.db');
  const child = spawn(process.execPath, [...serverNodeFlags, join(root, 'scripts/serve.mjs')], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), HERALD_DB: db, MAIL_DIR: join(folder, 'mail'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    db,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Resolves once the delivery worker has nothing left to do: every notify job
 * expanded (or dropped) and no delivery still queued. What a test counts then
 * is all that will ever arrive, with no guess at how long the worker takes.
 */
export async function outboxSettled(db: string, timeoutMs = 20_000): Promise<void> {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const pending = reader
      .prepare("SELECT (SELECT count(*) FROM notify_jobs WHERE expanded_at IS NULL AND dropped_at IS NULL) + (SELECT count(*) FROM outbox WHERE status = 'queued')")
      .pluck();
    for (const deadline = Date.now() + timeoutMs; (pending.get() as number) > 0; ) {
      if (Date.now() > deadline) throw new Error(`the outbox of ${db} still had work after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    reader.close();
  }
}

/** Runs the herald CLI against a database, as staff would on the server's host. */
export function herald(db: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HERALD_DB: db },
  });
  if (result.status !== 0) throw new Error(`herald ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Logs in to a server this spec started, as the first owner with the password it printed. */
export async function logInAsOwner(page: import('@playwright/test').Page, server: RunningServer): Promise<void> {
  const password = /password:\s+(\S+)/.exec(server.output())![1];
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/admin$/);
}
