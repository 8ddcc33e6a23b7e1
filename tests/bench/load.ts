// What the benchmark needs around the server: start the built server on a
// database, exact HTTP requests (raw bytes, no decompression), the baseline
// server, wrk (the load generator, under GNU time for its own CPU time), and
// the server's CPU time and memory from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { freePort, root } from '../e2e/server';
import { serverNodeFlags } from '../../scripts/server-flags.mjs';

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

/** content/ with German beside English, in the bench's folder (made once). */
function benchContent(folder: string): string {
  const content = join(folder, 'content');
  if (!existsSync(content)) {
    cpSync(join(root, 'content'), content, { recursive: true });
    appendFileSync(join(content, 'page.yml'), 'languages: [en, de]\ndefault_language: en\n');
  }
  return content;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

/**
 * The built server on a free loopback port, with neither the delivery worker
 * nor backups (they would compete for the cores); its content is the
 * example's, offered in English and German (so one route is a translated one).
 */
export async function startHerald(db: string, folder: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...serverNodeFlags, serverEntry], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      HERALD_DB: db,
      MAIL_DIR: join(folder, 'mail'),
      HERALD_WORKER: '0',
      BACKUP_INTERVAL_HOURS: '0',
      CONTENT_DIR: benchContent(folder),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  child.on('exit', (code, signal) => (output += `\n[the server exited: code ${code}, signal ${signal}]`));
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
  /** Answers with a status outside 2xx and 3xx. */
  non2xx: number;
  /** Connect, read and write errors. */
  errors: number;
  timeouts: number;
  /** CPU seconds (user + system) the load generator itself used. */
  generatorCpu: number;
  /** Wall seconds the generator ran. */
  wall: number;
}

export const wrkPath = '/usr/bin/wrk';
const timePath = '/usr/bin/time';

/**
 * wrk (C, Debian's package) must be there: installed with apt-get when missing
 * and running as root, otherwise a line saying how, and exit. GNU time (which
 * reads the generator's own rusage) likewise.
 */
export function ensureLoadGenerator(): void {
  const missing = [
    ['wrk', wrkPath],
    ['time', timePath],
  ].filter(([, path]) => !existsSync(path));
  if (missing.length === 0) return;
  const packages = missing.map(([name]) => name).join(' ');
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`installing ${packages} with apt-get (the benchmark's load generator)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing.map(([name]) => name)], { stdio: 'inherit', env }) : update;
    if (install.status === 0 && missing.every(([, path]) => existsSync(path))) return;
    console.log(`npm run bench: installing ${packages} failed; install it with \`apt-get install -y ${packages}\` and run again.`);
    process.exit(1);
  }
  console.log(`npm run bench needs ${missing.map(([name, path]) => `${name} (${path})`).join(' and ')}: install with \`sudo apt-get install -y ${packages}\` and run again.`);
  process.exit(1);
}

/** Each thread its own random sequence, so no two requests share an unknown path. */
const unknownPathsScript = `
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("bench_thread", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + (bench_thread or 0) * 7919)
end
request = function() return wrk.format(nil, "/incidents/x" .. math.random(1e9)) end
`;

/** wrk's own summary as one JSON line (latencies in microseconds). */
const doneScript = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_WRK {"requests":%d,"duration":%d,"p50":%d,"p99":%d,"max":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
`;

let scriptCount = 0;

export interface LoadOptions {
  connections?: number;
  threads?: number;
  headers?: Record<string, string>;
  /** Each request its own unknown incident path (/incidents/x<random>) instead of `url`'s path. */
  unknownPaths?: boolean;
  /** Where the Lua script goes. */
  folder: string;
}

/**
 * wrk against `url` for `seconds`, as a child process under GNU time, so the
 * generator's own CPU time comes from its rusage (the kernel's account).
 */
export function load(url: string, seconds: number, { connections = 50, threads = 2, headers = { 'accept-encoding': 'br' }, unknownPaths = false, folder }: LoadOptions): Promise<LoadResult> {
  const script = join(folder, `wrk-${++scriptCount}.lua`);
  writeFileSync(script, (unknownPaths ? unknownPathsScript : '') + doneScript);
  const timeFile = join(folder, `wrk-${scriptCount}.time`);
  const args = ['-f', '%U %S %e', '-o', timeFile, wrkPath, '-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '-s', script];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(timePath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = /BENCH_WRK (\{.*\})/.exec(output)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk failed (exit ${code}):\n${output}`));
      const w = JSON.parse(line);
      const [user, system, wall] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
      resolve({
        rps: w.requests / (w.duration / 1e6),
        p50: w.p50 / 1000,
        p99: w.p99 / 1000,
        max: w.max / 1000,
        requests: w.requests,
        non2xx: w.status,
        errors: w.connect + w.read + w.write,
        timeouts: w.timeout,
        generatorCpu: user + system,
        wall,
      });
    });
  });
}

const ticks = 100; // USER_HZ: what /proc reports CPU time in, 100 on Linux

/** A process's CPU seconds so far (utime + stime from /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return NaN;
  const stat = readFileSync(file, 'utf8');
  // The command may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
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
