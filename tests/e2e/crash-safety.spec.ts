// Durability against the built server. SIGKILL in the middle of a burst of
// writes through the API and the CLI: after a restart every write that was
// acknowledged to its client is there, with its notify job. SIGTERM: the
// server stops accepting, finishes the request in flight, checkpoints and
// closes the database, and exits 0 within 10 s.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { openDatabase } from '../../src/lib/server/db';
import { expect, test } from './fixtures';
import { root, startServer } from './server';

const subscriberCount = 50;

function prepare(db: string) {
  const herald = openDatabase(db);
  const token = createApiToken(herald, { label: 'crash-test', userId: null }, { name: 'burst', scope: 'write' });
  herald.$client.close();
  const raw = new Database(db);
  const insert = raw.prepare("INSERT INTO subscribers (kind, address, confirmed_at, created_at) VALUES ('email', ?, ?, ?)");
  for (let n = 0; n < subscriberCount; n++) insert.run(`s${n}@example.com`, Date.now(), Date.now());
  raw.close();
  return token.secret;
}

/** One CLI write as its own process; resolves to the slug it printed, or null if it was not acknowledged. */
function cliWrite(db: string, title: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/herald.mjs'), 'incident', 'create', '--title', title, '--impact', 'minor', '--message', 'Burst.'], {
      env: { ...process.env, HERALD_DB: db },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => resolve(code === 0 ? out.split('\n')[0].trim() : null));
  });
}

test('SIGKILL during a burst of API and CLI writes loses no acknowledged write and no notify job', async () => {
  test.setTimeout(90_000);
  const first = await startServer({ HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
  const db = first.db;
  await first.stop();
  const secret = prepare(db);
  const server = await startServer({ HERALD_DB: db, HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });

  const acknowledged: string[] = [];
  let killed = false;
  const apiLoop = async (lane: number) => {
    for (let n = 0; !killed; n++) {
      try {
        const response = await fetch(`${server.url}/api/admin/incidents`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ title: `API burst ${lane}-${n}`, impact: 'minor', message: 'Burst.' }),
        });
        if (response.status === 201) acknowledged.push((await response.json()).id);
      } catch {
        return; // the server is gone: this write was never acknowledged
      }
    }
  };
  const cliLoop = async (lane: number) => {
    for (let n = 0; !killed || n < 3; n++) {
      const slug = await cliWrite(db, `CLI burst ${lane}-${n}`);
      if (slug) acknowledged.push(slug);
      if (killed) return;
    }
  };
  const loops = [...[1, 2, 3, 4, 5, 6].map(apiLoop), ...[1, 2].map(cliLoop)];
  await new Promise((r) => setTimeout(r, 2000));
  server.process.kill('SIGKILL');
  killed = true;
  await Promise.all(loops);
  expect(acknowledged.length).toBeGreaterThan(20);

  const restarted = await startServer({ HERALD_DB: db, HERALD_WORKER: '0', BACKUP_INTERVAL_HOURS: '0' });
  try {
    const check = new Database(db, { readonly: true });
    const present = new Set((check.prepare('SELECT id FROM incidents').all() as { id: string }[]).map((r) => r.id));
    const missing = acknowledged.filter((id) => !present.has(id));
    expect(missing).toEqual([]);
    // One notify job per acknowledged incident, bounded to cover every subscriber (the worker expands it).
    const jobs = check.prepare('SELECT incident_id, count(*) AS n, max(last_subscriber_id) AS last FROM notify_jobs GROUP BY incident_id').all() as {
      incident_id: string;
      n: number;
      last: number;
    }[];
    const lastSubscriber = (check.prepare('SELECT max(id) AS id FROM subscribers').get() as { id: number }).id;
    const rows = new Map(jobs.map((r) => [r.incident_id, r]));
    expect(acknowledged.filter((id) => rows.get(id)?.n !== 1 || rows.get(id)?.last !== lastSubscriber)).toEqual([]);
    expect((check.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    check.close();
    // And the page shows them.
    const page = await (await fetch(`${restarted.url}/api/v2/incidents/unresolved.json`)).json();
    expect(page.incidents.length).toBe(present.size);
  } finally {
    await restarted.stop();
  }
});

test('SIGTERM finishes the request in flight, checkpoints and closes the database, and exits 0 within 10 s', async () => {
  const first = await startServer({ BACKUP_INTERVAL_HOURS: '0' });
  const db = first.db;
  await first.stop();
  const secret = prepare(db);
  const server = await startServer({ HERALD_DB: db, BACKUP_INTERVAL_HOURS: '0' });

  // A write whose body is still arriving when the signal comes.
  const body = JSON.stringify({ title: 'In flight at shutdown', impact: 'minor', message: 'Sent slowly.' });
  const { port } = new URL(server.url);
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/admin/incidents', method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => req.end(body.slice(10)), 1500);
  });
  await new Promise((r) => setTimeout(r, 300));
  const signalled = Date.now();
  const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
  server.process.kill('SIGTERM');

  // New connections are refused at once.
  await new Promise((r) => setTimeout(r, 300));
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

  const answer = await answered;
  expect(answer.status, answer.body).toBe(201);
  expect(await exited).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(10_000);
  expect(server.output()).toContain('SIGTERM: finishing requests and deliveries in hand');
  // Checkpointed and closed: nothing left in the WAL.
  const wal = `${db}-wal`;
  expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  const check = new Database(db, { readonly: true });
  expect(check.prepare("SELECT count(*) AS n FROM incidents WHERE title = 'In flight at shutdown'").get()).toEqual({ n: 1 });
  check.close();
});
