// The real reverse proxies of deploy/ (Debian's nginx and Caddy) on loopback,
// with a self-signed certificate, in front of a Herald the spec started. The
// shipped files are used as they are, but for the lines an operator changes
// anyway (addresses, ports, certificate and cache paths): each such change
// must match exactly once, so a file that drifts from its test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { root } from './server';

export interface Proxy {
  httpsPort: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** A certificate for 127.0.0.1, good for two days. */
export function selfSignedCertificate(folder: string): { cert: string; key: string } {
  const cert = join(folder, 'cert.pem');
  const key = join(folder, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { cert, key };
}

/** The shipped file with each [from, to] applied; every `from` must occur exactly once. */
export function adapted(path: string, changes: [string, string][]): string {
  let text = readFileSync(join(root, path), 'utf8');
  for (const [from, to] of changes) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${path}: expected "${from}" once, found it ${count} times`);
    text = text.replace(from, to);
  }
  return text;
}

/** Where a proxy under test listens, what it proxies to, and its folders. */
export interface ProxySetup {
  folder: string;
  httpPort: number;
  httpsPort: number;
  upstreamPort: number;
  mirror: string;
  cert: string;
  key: string;
}

/** deploy/nginx/herald.conf, pointed at this test's ports and folders. */
export function nginxSiteConfig(s: ProxySetup): string {
  return adapted('deploy/nginx/herald.conf', [
    ['/var/cache/nginx/herald ', `${join(s.folder, 'cache')} `],
    ['server 127.0.0.1:4321;', `server 127.0.0.1:${s.upstreamPort};`],
    ['    listen 80;\n    listen [::]:80;\n', `    listen 127.0.0.1:${s.httpPort};\n`],
    ['    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n', `    listen 127.0.0.1:${s.httpsPort} ssl http2;\n`],
    ['/etc/letsencrypt/live/status.example.com/fullchain.pem', s.cert],
    ['/etc/letsencrypt/live/status.example.com/privkey.pem', s.key],
    ['root /var/www/herald/mirror;', `root ${s.mirror};`],
  ]);
}

/** A main nginx.conf as Debian's includes conf.d/*.conf, with this test's own paths. */
function nginxMainConfig(folder: string): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? 'user root root;\n' : ''}worker_processes 1;
pid ${join(folder, 'nginx.pid')};
error_log ${join(folder, 'error.log')} warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${join(folder, 'access.log')};
    client_body_temp_path ${join(folder, 'client_temp')};
    proxy_temp_path ${join(folder, 'proxy_temp')};
    fastcgi_temp_path ${join(folder, 'fastcgi_temp')};
    uwsgi_temp_path ${join(folder, 'uwsgi_temp')};
    scgi_temp_path ${join(folder, 'scgi_temp')};
    include ${join(folder, 'conf.d')}/*.conf;
}
`;
}

/** Writes the configuration, checks it with `nginx -t` (whose output is returned), and starts nginx. */
export async function startNginx(s: ProxySetup): Promise<Proxy & { test: string }> {
  mkdirSync(join(s.folder, 'conf.d'), { recursive: true });
  writeFileSync(join(s.folder, 'conf.d', 'herald.conf'), nginxSiteConfig(s));
  const main = join(s.folder, 'nginx.conf');
  writeFileSync(main, nginxMainConfig(s.folder));
  const args = ['-p', s.folder, '-c', main];
  const checked = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
  const test = checked.stdout + checked.stderr;
  if (checked.status !== 0) throw new Error(`nginx -t failed:\n${test}`);
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { ...(await running(child, s.httpsPort, () => readLog(join(s.folder, 'error.log')))), test };
}

/** deploy/caddy/Caddyfile, on this test's ports with its certificate, and Caddy's state in the test's folder. */
export function caddyConfig(s: ProxySetup): string {
  const site = adapted('deploy/caddy/Caddyfile', [
    ['status.example.com {\n', `https://127.0.0.1:${s.httpsPort} {\n\ttls ${s.cert} ${s.key}\n`],
    ['reverse_proxy 127.0.0.1:4321 {', `reverse_proxy 127.0.0.1:${s.upstreamPort} {`],
    ['root * /var/www/herald/mirror', `root * ${s.mirror}`],
  ]);
  return `{\n\tadmin off\n\thttp_port ${s.httpPort}\n\thttps_port ${s.httpsPort}\n\tstorage file_system ${join(s.folder, 'caddy-data')}\n\tskip_install_trust\n}\n\n${site}`;
}

const caddyEnv = (folder: string) => ({ ...process.env, HOME: folder, XDG_DATA_HOME: join(folder, 'data'), XDG_CONFIG_HOME: join(folder, 'config') });

/** Writes the Caddyfile, checks it with `caddy validate` (whose output is returned), and starts Caddy. */
export async function startCaddy(s: ProxySetup): Promise<Proxy & { validate: string }> {
  const file = join(s.folder, 'Caddyfile');
  writeFileSync(file, caddyConfig(s));
  const args = ['--config', file, '--adapter', 'caddyfile'];
  const checked = spawnSync('caddy', ['validate', ...args], { encoding: 'utf8', env: caddyEnv(s.folder) });
  const validate = checked.stdout + checked.stderr;
  if (checked.status !== 0) throw new Error(`caddy validate failed:\n${validate}`);
  const child = spawn('caddy', ['run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: caddyEnv(s.folder) });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { ...(await running(child, s.httpsPort, () => output)), validate };
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function running(child: ChildProcess, httpsPort: number, output: () => string): Promise<Proxy> {
  let exited = '';
  child.on('exit', (code, signal) => (exited = `exited: code ${code}, signal ${signal}`));
  for (const deadline = Date.now() + 15_000; ; ) {
    if (exited) throw new Error(`the proxy ${exited}\n${output()}`);
    try {
      await get(httpsPort, '/favicon.svg');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the proxy did not answer on ${httpsPort}\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    httpsPort,
    output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGQUIT');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface RawAnswer {
  status: number;
  /** Every header line as sent, names in lower case: duplicates stay visible. */
  headers: [string, string][];
  body: Buffer;
  header: (name: string) => string | undefined;
  count: (name: string) => number;
}

/** One HTTPS request to 127.0.0.1 (the certificate is the test's own), optionally from another loopback address. */
export function get(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, rejectUnauthorized: false, localAddress: options.from, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const raw = response.rawHeaders;
          const headers: [string, string][] = [];
          for (let i = 0; i < raw.length; i += 2) headers.push([raw[i].toLowerCase(), raw[i + 1]]);
          resolve({
            status: response.statusCode!,
            headers,
            body: Buffer.concat(chunks),
            header: (name) => headers.find(([n]) => n === name)?.[1],
            count: (name) => headers.filter(([n]) => n === name).length,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`no answer to ${path} in 10 s`)));
    request.end(options.body);
  });
}
