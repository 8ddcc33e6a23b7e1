// npm run bench: Herald under incident traffic. Builds a page that has run for
// two years (30 components in 6 groups, about 1,000 incidents and 5,000
// updates, 100,000 subscribers, one incident open now), starts the built
// server on it, and measures, each figure beside its target:
//   - /, an incident page, /feed.xml and /api/v2/summary.json under autocannon
//     (100 connections, BENCH_SECONDS each, default 10), beside a bare node:http
//     server answering the same bytes and headers in the same run (the floor);
//   - the server's peak memory;
//   - the time from an update posted through the HTTP API to its text on /;
//   - the compressed weight of / and whether it needs JavaScript;
//   - BENCH_SOAK_SECONDS (default 60) of load on / with an update every second;
//   - one uncached render of / with 100 and with 100,000 incidents in history.
// A benchmark, not a test: it prints, it asserts nothing. The load generator
// shares the machine's cores with the server, so only the ratios to the
// baseline travel between machines.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createApiToken } from '../../src/lib/server/api-tokens';
import { systemActor } from '../../src/lib/server/audit';
import { openDatabase } from '../../src/lib/server/db';
import { benchComponentNames, buildDataset, buildHistoryOnly } from './dataset';
import { browserHeaders, load, median, memoryMb, send, serverEntry, startBaseline, startHerald, type Answer } from './load';

const routeSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const connections = 100;
const targets = { ratio: 0.8, p99Ms: 50, visibleMs: 100, weightBytes: 40_000, memoryMb: 250, renderRatio: 1.2 };

if (!existsSync(serverEntry)) {
  console.log('npm run bench needs a build: run `npm run build` first.');
  process.exit(1);
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const n0 = (value: number) => Math.round(value).toLocaleString('en');
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);
const since = (start: number) => performance.now() - start;
const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));
const summary: { what: string; figure: string; ok: boolean }[] = [];

function decode(answer: Answer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(answer.body).toString('utf8');
  return answer.body.toString('utf8');
}

const folder = mkdtempSync(join(tmpdir(), 'herald-bench-'));
const servers: { stop: () => Promise<void> }[] = [];
const benchStart = performance.now();

try {
  const cpu = cpus();
  console.log(
    `machine   ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
      `load average ${loadavg()[0].toFixed(1)} before the run (anything else running shares the cores: compare ratios, not absolutes)`,
  );

  // The dataset, through the real schema, migrations and staff actions.
  const dbPath = join(folder, 'herald.db');
  let start = performance.now();
  const data = buildDataset(dbPath);
  const db = openDatabase(dbPath);
  const { secret: token } = createApiToken(db, systemActor, { name: 'bench', scope: 'write' });
  db.$client.close();
  console.log(
    `dataset   ${data.components} components in ${data.groups} groups (besides content/'s own), ${n0(data.incidents)} incidents and ` +
      `${n0(data.maintenance)} maintenance with ${n0(data.updates)} updates over 2 years, ${n0(data.statusChanges)} manual status changes, ` +
      `${n0(data.subscribers)} subscribers; ${(statSync(dbPath).size / 2 ** 20).toFixed(0)} MiB, built in ${(since(start) / 1000).toFixed(1)} s`,
  );
  console.log(`incident  /incidents/<slug> is /incidents/${data.sampleIncidentId} (resolved, with a postmortem); updates go to the open ${data.openIncidentId}`);
  console.log(`load      autocannon, ${connections} connections, ${routeSeconds} s per route (BENCH_SECONDS), Accept-Encoding: ${browserHeaders['accept-encoding']}`);

  const herald = await startHerald(dbPath, folder);
  servers.push(herald);
  const idleMb = memoryMb(herald.pid, 'VmRSS');

  // The dataset is what visitors see: all 30 components with their bars.
  const home = await send(`${herald.url}/`, { headers: { 'accept-encoding': 'identity' } });
  const html = home.body.toString('utf8');
  const shown = benchComponentNames.filter((name) => html.includes(`>${name}</a>`)).length;
  const bars = html.match(/class="component"/g)?.length ?? 0;
  console.log(`home      / shows ${shown} of ${benchComponentNames.length} benchmark components (${bars} components with bars in all)`);

  // Requests per second and latency, route by route, each beside its baseline.
  console.log('');
  const header = `${pad('route', 50)}${lpad('Herald req/s', 13)}${lpad('p50', 9)}${lpad('p99', 9)}${lpad('baseline req/s', 16)}${lpad('ratio', 7)}  target: ratio >= ${targets.ratio}, p99 < ${targets.p99Ms} ms`;
  console.log(header);
  const routes = ['/', `/incidents/${data.sampleIncidentId}`, '/feed.xml', '/api/v2/summary.json'];
  for (const [index, route] of routes.entries()) {
    const answer = await send(herald.url + route, { headers: browserHeaders });
    if (answer.status !== 200) throw new Error(`${route} answered ${answer.status}`);
    await load(herald.url + route, 1, connections); // warm-up: JIT, caches
    const result = await load(herald.url + route, routeSeconds, connections);
    const baseline = await startBaseline(answer, folder, `baseline-${index}`);
    servers.push(baseline);
    await load(baseline.url + route, 1, connections);
    const base = await load(baseline.url + route, routeSeconds, connections);
    await baseline.stop();
    const ratio = result.rps / base.rps;
    const ok = ratio >= targets.ratio && result.p99 < targets.p99Ms && result.non2xx === 0 && result.errors === 0;
    const errors = result.non2xx + result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : '';
    const shownRoute = route.startsWith('/incidents/') ? '/incidents/<slug>' : route;
    console.log(
      `${pad(shownRoute, 50)}${lpad(n0(result.rps), 13)}${lpad(ms(result.p50), 9)}${lpad(ms(result.p99), 9)}${lpad(n0(base.rps), 16)}${lpad(ratio.toFixed(2), 7)}  ${verdict(ok)}${errors}`,
    );
    const detail = `  ${kb(answer.body.length)} ${answer.headers['content-encoding'] ?? 'uncompressed'}, server peak so far ${memoryMb(herald.pid, 'VmHWM').toFixed(0)} MiB`;
    console.log(`${pad(detail, 50)}${lpad('', 13)}${lpad('', 9)}${lpad('', 9)}${lpad(`p99 ${ms(base.p99)}`, 16)}`);
    summary.push({ what: `${shownRoute} req/s ratio, p99`, figure: `${ratio.toFixed(2)}, ${ms(result.p99)}`, ok });
  }

  const peaks: string[] = [`after the route loads ${memoryMb(herald.pid, 'VmHWM').toFixed(0)}`];

  // The weight of / as a browser gets it, and whether it works without JavaScript.
  console.log('');
  const sizes: Record<'gzip' | 'br', { bytes: number; by: string }> = { gzip: { bytes: 0, by: '' }, br: { bytes: 0, by: '' } };
  for (const encoding of ['gzip', 'br'] as const) {
    const answer = await send(`${herald.url}/`, { headers: { 'accept-encoding': encoding } });
    const page = decode(answer);
    sizes[encoding] =
      answer.headers['content-encoding'] === encoding
        ? { bytes: answer.body.length, by: 'as served' }
        : { bytes: (encoding === 'gzip' ? gzipSync(page) : brotliCompressSync(page)).length, by: 'not compressed by the server; zlib defaults' };
  }
  const heaviest = Math.max(sizes.gzip.bytes, sizes.br.bytes);
  const scripts = /<script\b/i.test(html);
  console.log(
    `weight of /           ${kb(home.body.length)} uncompressed; gzip ${kb(sizes.gzip.bytes)} (${sizes.gzip.by}), brotli ${kb(sizes.br.bytes)} (${sizes.br.by}); ` +
      `target <= ${kb(targets.weightBytes)}: ${verdict(heaviest <= targets.weightBytes)}`,
  );
  console.log(`JavaScript on /       ${scripts ? 'has <script> tags' : 'none (no <script> tag): works without JavaScript'}`);
  summary.push({ what: '/ compressed (gzip, brotli)', figure: `${kb(sizes.gzip.bytes)}, ${kb(sizes.br.bytes)}`, ok: heaviest <= targets.weightBytes && !scripts });

  // From an update posted through the HTTP API to its text on /, polling / as fast as one client can.
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const updatesUrl = `${herald.url}/api/admin/incidents/${data.openIncidentId}/updates`;
  async function postUpdate(message: string, notify: boolean) {
    const answer = await send(updatesUrl, { method: 'POST', headers: auth, body: JSON.stringify({ status: 'identified', message, notify }) });
    if (answer.status !== 201) throw new Error(`posting an update answered ${answer.status}: ${answer.body.toString('utf8')}`);
  }
  async function visibility(notify: boolean) {
    const marker = `Bench update ${randomBytes(6).toString('hex')}`;
    const t0 = performance.now();
    let postMs = 0;
    const posted = postUpdate(marker, notify).then(() => (postMs = since(t0)));
    for (;;) {
      const page = await send(`${herald.url}/`, { headers: { 'accept-encoding': 'identity' } });
      if (page.body.includes(marker)) break;
      if (since(t0) > 30_000) throw new Error('a posted update did not appear on / within 30 s');
    }
    const visibleMs = since(t0);
    await posted;
    return { visibleMs, postMs };
  }
  console.log('');
  for (const [notify, trials] of [[false, 10], [true, 3]] as const) {
    const runs = [];
    for (let t = 0; t < trials; t++) {
      runs.push(await visibility(notify));
      await sleep(200);
    }
    const visible = median(runs.map((r) => r.visibleMs));
    const label = notify ? `with notify, ${n0(data.subscribers)} mails queued` : 'without notify';
    console.log(
      `update visible on /   ${ms(visible)} median of ${trials} (${label}; the API answered in ${ms(median(runs.map((r) => r.postMs)))}); ` +
        `target < ${targets.visibleMs} ms: ${verdict(visible < targets.visibleMs)}`,
    );
    summary.push({ what: `update visible on / (${notify ? 'notify' : 'no notify'})`, figure: ms(visible), ok: visible < targets.visibleMs });
  }

  peaks.push(`after the update trials ${memoryMb(herald.pid, 'VmHWM').toFixed(0)}`);

  // The soak: load on / while an update is posted every second.
  console.log('');
  let postedOk = 0;
  let postFailures = 0;
  let lastMarker = '';
  const postTimes: number[] = [];
  const poster = setInterval(() => {
    const marker = `Soak update ${randomBytes(6).toString('hex')}`;
    const t0 = performance.now();
    postUpdate(marker, false).then(
      () => {
        postedOk++;
        lastMarker = marker;
        postTimes.push(since(t0));
      },
      () => postFailures++,
    );
  }, 1000);
  const soak = await load(`${herald.url}/`, soakSeconds, connections);
  clearInterval(poster);
  await sleep(500);
  const lastShown = lastMarker !== '' && (await send(`${herald.url}/`, { headers: { 'accept-encoding': 'identity' } })).body.includes(lastMarker);
  const soakErrors = soak.non2xx + soak.errors + postFailures;
  console.log(
    `soak ${soakSeconds} s on /        ${n0(soak.requests)} requests, ${n0(soak.rps)} req/s, p50 ${ms(soak.p50)}, p99 ${ms(soak.p99)}, max ${ms(soak.max)}; ` +
      `${postedOk} updates posted (median ${ms(median(postTimes))}), the last ${lastShown ? 'shown' : 'NOT shown'} on /`,
  );
  console.log(
    `soak errors           ${soak.non2xx} non-2xx, ${soak.errors} connection errors (${soak.timeouts} timeouts), ${postFailures} failed posts; target 0: ${verdict(soakErrors === 0)}`,
  );
  summary.push({ what: `errors in a ${soakSeconds} s soak`, figure: String(soakErrors), ok: soakErrors === 0 });

  const peakMb = memoryMb(herald.pid, 'VmHWM');
  peaks.push(`after the soak ${peakMb.toFixed(0)}`);
  console.log(`server memory         ${idleMb.toFixed(0)} MiB after start, peak ${peakMb.toFixed(0)} MiB (VmHWM: ${peaks.join(', ')}); target < ${targets.memoryMb} MB: ${verdict(peakMb * 1.048576 < targets.memoryMb)}`);
  summary.push({ what: 'server peak memory', figure: `${peakMb.toFixed(0)} MiB`, ok: peakMb * 1.048576 < targets.memoryMb });
  await herald.stop();

  // One uncached render of / (a query string the page ignores makes each one
  // new), with a small and a huge history. Both servers run at once and take
  // turns, so whatever else the machine does falls on both alike.
  console.log('');
  const histories = [];
  for (const total of [100, 100_000]) {
    const path = join(folder, `history-${total}.db`);
    start = performance.now();
    const built = buildHistoryOnly(path, { total });
    histories.push({ total, built, buildSeconds: since(start) / 1000, path });
  }
  const historyServers = [];
  for (const h of histories) {
    const server = await startHerald(h.path, folder);
    servers.push(server);
    historyServers.push(server);
    for (let w = 0; w < 3; w++) await send(`${server.url}/?bench-warm=${w}`, { headers: browserHeaders });
  }
  const times: number[][] = histories.map(() => []);
  const began = performance.now();
  for (let round = 0; round < 5 || (round < 15 && since(began) < 20_000); round++) {
    for (const [i, server] of historyServers.entries()) {
      const t0 = performance.now();
      const answer = await send(`${server.url}/?bench-render=${round}`, { headers: browserHeaders });
      times[i].push(since(t0));
      if (answer.status !== 200) throw new Error(`/ answered ${answer.status} with ${histories[i].total} incidents`);
    }
  }
  const renders = histories.map((h, i) => ({ total: h.total, median: median(times[i]) }));
  for (const [i, h] of histories.entries()) {
    const peak = memoryMb(historyServers[i].pid, 'VmHWM');
    await historyServers[i].stop();
    console.log(
      `history of ${lpad(n0(h.total), 7)}      ${n0(h.built.updates)} updates (built in ${h.buildSeconds.toFixed(1)} s): render of / ${ms(renders[i].median)} median of ${times[i].length} ` +
        `(${ms(Math.min(...times[i]))} to ${ms(Math.max(...times[i]))}), server peak ${peak.toFixed(0)} MiB`,
    );
  }
  const renderRatio = renders[1].median / renders[0].median;
  console.log(`render ratio          ${renderRatio.toFixed(2)} (100,000 / 100 incidents); target: the same within noise (<= ${targets.renderRatio}): ${verdict(renderRatio <= targets.renderRatio)}`);
  summary.push({ what: 'render of /, 100,000 vs 100 incidents', figure: `${ms(renders[1].median)} vs ${ms(renders[0].median)}`, ok: renderRatio <= targets.renderRatio });

  console.log('');
  console.log(
    `targets (${summary.filter((s) => s.ok).length} of ${summary.length} met; the whole run took ${(since(benchStart) / 1000).toFixed(0)} s, load average ${loadavg()[0].toFixed(1)} at the end)`,
  );
  for (const s of summary) console.log(`  ${pad(s.what, 42)}${pad(s.figure, 22)}${verdict(s.ok)}`);
} finally {
  for (const server of servers) await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
process.exit(0);
