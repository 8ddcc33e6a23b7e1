// What the benchmark needs around the server: start the built server on a
// database, exact HTTP requests (raw bytes, no decompression), the baseline
// server, autocannon, and the server's memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, root } from '../e2e/server';

export const serverEntry = join(root, 'scripts/serve.mjs');

/** What a browser sends: the benchmark asks for the same bytes a visitor gets. */
export const browserHeaders = { 'accept-encoding': 'br, gzip', accept: 'text/html,application/xhtml+xml,*/*' };

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** As sent, still compressed if the server compressed it. */
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One request, the answer's bytes as they came over the wire. */
export function send(url: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Server {
  url: string;
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${output()}`);
    try {
      if ((await send(`${url}/healthz`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the server did not start within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

/** The built server on a free loopback port, with neither the delivery worker nor backups (they would compete for the cores). */
export async function startHerald(db: string, folder: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverEntry], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      HERALD_DB: db,
      MAIL_DIR: join(folder, 'mail'),
      HERALD_WORKER: '0',
      BACKUP_INTERVAL_HOURS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child, () => output);
  return { url, pid: child.pid!, output: () => output, stop: stopper(child) };
}

/**
 * The floor: a bare node:http server in its own process, answering every
 * request with exactly `answer`'s status, headers and bytes. Like Herald, one
 * process on one core, so the two compare like for like.
 */
export async function startBaseline(answer: Answer, folder: string, name: string): Promise<Server> {
  const bodyFile = join(folder, `${name}.body`);
  const headFile = join(folder, `${name}.json`);
  writeFileSync(bodyFile, answer.body);
  // Hop-by-hop and per-response headers are the server's business; the rest is copied as is.
  const skip = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);
  const headers = Object.entries(answer.headers).filter(([key]) => !skip.has(key));
  writeFileSync(headFile, JSON.stringify({ status: answer.status, headers }));
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', baselineSource, headFile, bodyFile, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!output.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the baseline server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, pid: child.pid!, output: () => output, stop: stopper(child) };
}

const baselineSource = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const [headFile, bodyFile, port] = process.argv.slice(1);
const { status, headers } = JSON.parse(readFileSync(headFile, 'utf8'));
const body = readFileSync(bodyFile);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(status, [...headers, ['content-length', String(body.length)]].flat(2));
  res.end(body);
});
server.keepAliveTimeout = 10_000;
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** autocannon against one URL for `seconds`, with the headers a browser sends. */
export async function load(url: string, seconds: number, connections = 100, headers: Record<string, string> = browserHeaders): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** A value from /proc/<pid>/status in MiB: VmRSS now, VmHWM the peak so far. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return NaN;
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'))?.[1]);
  return kb / 1024;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
