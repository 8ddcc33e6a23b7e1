// /metrics as an operator uses it: Debian's Prometheus, with the files of
// deploy/prometheus/, scrapes the built server on loopback, and what it
// stores follows a real send: the outbox
// depth rises while the mail server refuses for now (451) and falls to zero
// once it accepts. Only loopback clients, or a scraper with METRICS_TOKEN, are
// answered; nothing personal is in the text.
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startSmtpSink, type SinkOptions, type SmtpSink } from '../helpers/smtp-sink';
import { adapted } from './proxies';
import { freePort, herald, root, startServer, type RunningServer } from './server';

test.describe.configure({ mode: 'serial' });

const token = 'metrics-token-for-the-test-0123456789';
let sink: SmtpSink;
const sinkOptions: SinkOptions = { rejectWith: 451 };
let server: RunningServer;
let prometheus: ChildProcess;
let prometheusUrl: string;
let prometheusLog = '';

/** One instant value from Prometheus' HTTP API, or null while it has none. */
async function query(expression: string): Promise<number | null> {
  const answer = await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expression)}`)).json();
  const value = answer?.data?.result?.[0]?.value?.[1];
  return value === undefined ? null : Number(value);
}

test.beforeAll(async () => {
  sink = await startSmtpSink(sinkOptions);
  server = await startServer({ SMTP_URL: sink.url, MAIL_RETRY_MIN_SECONDS: '0.2', TRUST_PROXY: '1', METRICS_TOKEN: token, BACKUP_INTERVAL_HOURS: '0' });
  const db = new Database(server.db);
  const insert = db.prepare("INSERT INTO subscribers (kind, address, confirmed_at, created_at) VALUES ('email', ?, ?, ?)");
  for (const address of ['ops-a@example.com', 'ops-b@example.com', 'ops-c@example.com']) insert.run(address, Date.now(), Date.now());
  db.close();

  const folder = mkdtempSync(join(tmpdir(), 'herald-prometheus-'));
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  // The shipped files, scraping every second instead of every 15 s, at this test's Herald.
  const config = adapted('deploy/prometheus/prometheus.yml', [
    ['scrape_interval: 15s', 'scrape_interval: 1s'],
    ["targets: ['127.0.0.1:4321']", `targets: ['${new URL(server.url).host}']`],
  ]);
  writeFileSync(join(folder, 'prometheus.yml'), `global:\n  evaluation_interval: 1s\n${config}`);
  copyFileSync(join(root, 'deploy/prometheus/herald-alerts.yml'), join(folder, 'herald-alerts.yml'));
  const checked = spawnSync('promtool', ['check', 'config', join(folder, 'prometheus.yml')], { encoding: 'utf8' });
  expect(checked.status, checked.stdout + checked.stderr).toBe(0);
  prometheus = spawn('prometheus', [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prometheus.stdout!.on('data', (chunk) => (prometheusLog += chunk));
  prometheus.stderr!.on('data', (chunk) => (prometheusLog += chunk));
  await expect
    .poll(async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => null))?.status ?? 0, { timeout: 20_000, message: prometheusLog })
    .toBe(200);
});

test.afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await server?.stop();
  await sink?.close();
});

test('loopback and the token get the metrics; a client the proxy forwards from outside does not', async () => {
  const direct = await fetch(`${server.url}/metrics`);
  expect(direct.status).toBe(200);
  expect(direct.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(direct.headers.get('cache-control')).toBe('no-store');
  const text = await direct.text();
  for (const name of ['herald_http_requests_total', 'herald_render_cache_requests_total', 'herald_outbox_queued', 'herald_outbox_oldest_queued_age_seconds', 'herald_deliveries_total', 'herald_last_verified_backup_age_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']) {
    expect(text, name).toContain(`# TYPE ${name} `);
  }
  // Kinds of route, never a path or an address.
  expect(text).not.toContain('example.com');
  expect(text).not.toMatch(/route="\//);

  const outside = await fetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5' } });
  expect(outside.status).toBe(404);
  const withToken = await fetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5', Authorization: `Bearer ${token}` } });
  expect(withToken.status).toBe(200);
  const wrongToken = await fetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5', Authorization: `Bearer ${token}x` } });
  expect(wrongToken.status).toBe(404);
});

test("Prometheus loads the shipped alert rules, and none fires on a healthy Herald", async () => {
  const answer = await (await fetch(`${prometheusUrl}/api/v1/rules`)).json();
  const rules = answer.data.groups.flatMap((g: { rules: { name: string; health: string }[] }) => g.rules);
  expect(rules.map((r: { name: string }) => r.name).sort()).toEqual(['HeraldBackupStale', 'HeraldContentRefused', 'HeraldDown', 'HeraldNotificationsNotExpanding', 'HeraldOutboxStuck']);
  await expect.poll(() => query('up{job="herald"}'), { timeout: 20_000, message: prometheusLog }).toBe(1);
  await expect.poll(async () => (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()).data.groups[0].rules.every((r: { health: string }) => r.health === 'ok'), { timeout: 10_000 }).toBe(true);
  const firing = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()).data.alerts.filter((a: { labels: { alertname: string } }) => a.labels.alertname !== 'HeraldBackupStale');
  expect(firing).toEqual([]);
});

test('requests and render-cache hits and misses are counted by kind', async () => {
  for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/`)).text();
  await (await fetch(`${server.url}/incidents/no-such-thing`)).text();
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  expect(value(/herald_http_requests_total\{route="page",status="200"\} (\d+)/)).toBeGreaterThanOrEqual(3);
  expect(value(/herald_http_requests_total\{route="page",status="404"\} (\d+)/)).toBeGreaterThanOrEqual(1);
  expect(value(/herald_render_cache_requests_total\{result="hit"\} (\d+)/)).toBeGreaterThanOrEqual(1);
  expect(value(/herald_render_cache_requests_total\{result="miss"\} (\d+)/)).toBeGreaterThanOrEqual(1);
});

test('Prometheus scrapes Herald, and the outbox depth it stores rises with a send the mail server defers and falls once it accepts', async () => {
  test.slow();
  await expect.poll(() => query('up{job="herald"}'), { timeout: 20_000, message: prometheusLog }).toBe(1);
  await expect.poll(() => query('herald_outbox_queued{channel="email"}'), { timeout: 10_000 }).toBe(0);

  herald(server.db, 'incident', 'create', '--title', 'Webmail slow', '--impact', 'minor', '--message', 'We are looking into it.');
  // The mail server answers 451 for now: the three deliveries wait, and are retried.
  await expect.poll(() => query('herald_outbox_queued{channel="email"}'), { timeout: 20_000 }).toBe(3);
  await expect.poll(() => query('herald_deliveries_total{channel="email",result="retried"}'), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  expect(await query('herald_outbox_oldest_queued_age_seconds{channel="email"}')).toBeGreaterThan(0);

  sinkOptions.rejectWith = undefined;
  await sink.waitFor(3, 30_000);
  await expect.poll(() => query('herald_outbox_queued{channel="email"}'), { timeout: 20_000 }).toBe(0);
  await expect.poll(() => query('herald_deliveries_total{channel="email",result="sent"}'), { timeout: 20_000 }).toBe(3);
  expect(await query('herald_outbox_oldest_queued_age_seconds{channel="email"}')).toBe(0);
});
