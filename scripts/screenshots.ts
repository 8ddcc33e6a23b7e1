// `npm run screenshots [DIR]` (after `npm run build`): the README's pictures,
// taken from the built server on a fresh database with the example content
// and one open incident, in Debian's Chromium. DIR defaults to
// docs/screenshots; the test suite takes them into a temporary folder, so the
// script keeps working as the pages change.
import { chromium, type Page } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/lib/server/export/free-port';
import { serverNodeFlags } from './server-flags.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The pictures, by file name: what each shows and how. */
export const shots = [
  { file: 'status-light.png', path: '/', colorScheme: 'light', width: 1280, height: 1000 },
  { file: 'status-dark.png', path: '/', colorScheme: 'dark', width: 1280, height: 1000 },
  { file: 'status-phone.png', path: '/', colorScheme: 'light', width: 360, height: 780 },
  { file: 'incident.png', path: 'incident', colorScheme: 'light', width: 1280, height: 900 },
  { file: 'console.png', path: '/admin', colorScheme: 'light', width: 1280, height: 800 },
] as const;

function herald(db: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, HERALD_DB: db } });
  if (run.status !== 0) throw new Error(`herald ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

/** Takes every picture into `dir`; returns the files written. */
export async function takeScreenshots(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), 'herald-screenshots-'));
  const db = join(data, 'herald.db');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [...serverNodeFlags, join(root, 'scripts/serve.mjs')], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), HERALD_DB: db, MAIL_DIR: join(data, 'mail'), BACKUP_INTERVAL_HOURS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (chunk) => (output += chunk));
  server.stderr!.on('data', (chunk) => (output += chunk));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    for (let tries = 0; !/password:\s+\S+/.test(output); tries++) {
      if (server.exitCode !== null || tries > 200) throw new Error(`the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [incident] = herald(db, 'incident', 'create', '--title', 'Webmail logins failing for some accounts', '--impact', 'major', '--component', 'webmail:partial_outage', '--status', 'identified', '--next-update', '30m', '--message', 'A certificate on one of the login servers expired. We are replacing it; other servers take the load meanwhile.').split('\n');
    const password = /password:\s+(\S+)/.exec(output)![1];
    const written: string[] = [];
    for (const shot of shots) {
      const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, colorScheme: shot.colorScheme, deviceScaleFactor: 1 });
      const page: Page = await context.newPage();
      if (shot.path === '/admin') {
        await page.goto(`${url}/admin/login`);
        await page.getByLabel('Email').fill('admin@example.com');
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForURL(/\/admin$/);
      } else {
        await page.goto(`${url}${shot.path === 'incident' ? `/incidents/${incident}` : shot.path}`);
      }
      const file = join(dir, shot.file);
      await page.screenshot({ path: file });
      written.push(file);
      await context.close();
    }
    return written;
  } finally {
    await browser.close();
    await new Promise<void>((done) => {
      if (server.exitCode !== null) return done();
      server.once('exit', () => done());
      server.kill('SIGTERM');
    });
    rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(root, 'docs/screenshots'));
  for (const file of await takeScreenshots(dir)) console.log(file);
}
