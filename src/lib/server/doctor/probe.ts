// How `herald doctor` learns what the server sees of a request that came in
// through SITE_URL (the proxy's forwarding headers before TRUST_PROXY has its
// say, the address the connection came from): the CLI, which shares the
// database, leaves a short-lived token in it and sends it with one request;
// the server answers a request carrying that token with what it saw. Without
// the token (anyone else) the request is an ordinary /healthz.
import { readSetting, writeSetting, type HeraldDb } from '../db';
import { randomSecret, sameSecret } from '../secrets';

/** The request header that carries the token. */
export const probeHeader = 'x-herald-probe';

const probeKey = 'doctor-probe';
const probeLifetimeMs = 2 * 60_000;

/** What the server saw of the doctor's request, as it answers it. */
export interface ProbeView {
  /** The address the connection came from: the proxy, when there is one. */
  peer: string;
  /** X-Forwarded-For and X-Forwarded-Proto as they arrived, before TRUST_PROXY had its say. */
  forwardedFor: string | null;
  forwardedProto: string | null;
  trustProxy: boolean;
  /** Whether Herald took the request for HTTPS, and so sent HSTS and secure cookies. */
  https: boolean;
  /** The server's clock. */
  now: string;
}

/** A token good for one doctor run (two minutes), kept where the server will look for it. */
export function issueProbe(db: HeraldDb, now = Date.now()): string {
  const token = randomSecret(24);
  writeSetting(db, probeKey, JSON.stringify({ token, until: now + probeLifetimeMs }));
  return token;
}

/** Whether `token` is the doctor's current one. */
export function isProbe(db: HeraldDb, token: string, now = Date.now()): boolean {
  const stored = readSetting(db, probeKey);
  if (!stored || !token) return false;
  try {
    const { token: expected, until } = JSON.parse(stored) as { token: string; until: number };
    return now < until && sameSecret(token, expected);
  } catch {
    return false;
  }
}
