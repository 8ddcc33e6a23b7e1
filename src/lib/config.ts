// Configuration comes from environment variables, validated once. A bad value
// stops start-up with one line naming the variable (README: Configuration).

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  host: string;
  port: number;
  /** SQLite file; created with its folder when missing. */
  databasePath: string;
  /** Public base URL, no trailing slash; used in links the CLI prints, feeds and mail. */
  siteUrl: string;
  /** Believe X-Forwarded-For/-Proto from a reverse proxy in front (src/lib/server/forwarded.ts). */
  trustProxy: boolean;
}

type Env = Record<string, string | undefined>;

function port(env: Env): number {
  const raw = env.PORT?.trim() || '4321';
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function host(env: Env): string {
  const raw = env.HOST?.trim() || 'localhost';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(raw)) throw new ConfigError('HOST', `is not a host name or address: "${raw}"`);
  return raw;
}

function siteUrl(env: Env, hostName: string, portNumber: number): string {
  const raw = env.SITE_URL?.trim();
  if (!raw) return `http://${hostName.includes(':') ? `[${hostName}]` : hostName}:${portNumber}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SITE_URL', `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('SITE_URL', `must start with https:// or http://, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

function databasePath(env: Env): string {
  const raw = env.HERALD_DB ?? './data/herald.db';
  if (raw.trim() === '') throw new ConfigError('HERALD_DB', 'is empty; name a file, e.g. ./data/herald.db');
  if (raw.includes('\0')) throw new ConfigError('HERALD_DB', 'contains a NUL byte');
  return raw;
}

function trustProxy(env: Env): boolean {
  const raw = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError('TRUST_PROXY', `must be 1/true or 0/false, got "${env.TRUST_PROXY}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const h = host(env);
  const p = port(env);
  return { host: h, port: p, databasePath: databasePath(env), siteUrl: siteUrl(env, h, p), trustProxy: trustProxy(env) };
}
