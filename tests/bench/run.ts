// npm run bench: a benchmark of Herald's server, not of the load generator.
// Builds a page that has run for two years (30 components in 6 groups, about
// 1,000 incidents and 5,000 updates, 100,000 subscribers, one incident open
// now), starts the built server on it, and measures, each figure beside its
// target:
//   - nine public routes (/de/ the translated one), cache hits, under wrk (C; 50 connections, 2 threads,
//     Accept-Encoding: br, BENCH_SECONDS each, default 10), each beside a bare
//     node:http server answering the same bytes and headers in the same run;
//     for every run the server's CPU time (/proc/<pid>/stat) and wrk's own
//     (its rusage, through GNU time), so a reader sees who was the bottleneck;
//   - unknown incident ids, every request its own path, beside the bare server
//     answering the same 404 bytes;
//   - / while another wrk floods unknown paths, against / alone;
//   - the uncached render of every route (a write before each request changes
//     the content's version; the answer's X-Herald-Cache: miss proves it), on
//     the dataset and with 100 and 100,000 incidents in history, after warm-up
//     renders (BENCH_RENDER_WARMUPS, 10), with each route's very first apart;
//   - the time from an update posted through the HTTP API to its text on /,
//     with 100,000 and with 0 subscribers, and the API's own answer time;
//   - the compressed weight of /; BENCH_SOAK_SECONDS (default 30) of load on /
//     with an update every second; every server's peak memory (VmHWM);
//   - a whole `herald export` of the dataset, and how soon an update is in the
//     files of a running `herald mirror`.
// A benchmark, not a test: it prints, it asserts nothing. The load generator
// shares the machine's cores with the server, so only the ratios to the
// baseline travel between machines.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createApiToken } from '../../src/lib/server/accounts/api-tokens';
import { systemActor } from '../../src/lib/server/accounts/audit';
import { openDatabase } from '../../src/lib/server/db';
import { versionReuseMs } from '../../src/lib/server/http/render-cache';
import { root } from '../e2e/server';
import { benchComponentNames, buildDataset, buildHistoryOnly } from './dataset';
import {
  cpuSeconds,
  ensureLoadGenerator,
  load,
  median,
  memoryMb,
  send,
  serverEntry,
  startBaseline,
  startHerald,
  type Answer,
  type LoadResult,
  type Server,
} from './load';

const routeSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 30);
const renderSamples = Number(process.env.BENCH_RENDERS ?? 20);
const renderBudgetMs = Number(process.env.BENCH_RENDER_SECONDS ?? 10) * 1000;
// Renders of each route before the timed ones: a running server renders a page after every write and at
// least once a minute (the content version has the minute in it), so its render code has been compiled;
// the first render after start, before V8 has, is printed apart.
const renderWarmups = Number(process.env.BENCH_RENDER_WARMUPS ?? 10);
const connections = 50;
const threads = 2;
const targets = {
  ratio: 0.8,
  p99Ms: 20,
  unknownRatio: 0.5,
  sharedRatio: 0.7,
  renderMs: 10,
  renderRatio: 1.2,
  memoryMb: 200,
  apiMs: 50,
  visibleMs: 100,
  weightBytes: 40_000,
  exportSeconds: 15,
  mirrorSeconds: 5,
};
const acceptBr = { 'accept-encoding': 'br' };

ensureLoadGenerator();
if (!existsSync(serverEntry)) {
  console.log('npm run bench needs a build: run `npm run build` first.');
  process.exit(1);
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const n0 = (value: number) => Math.round(value).toLocaleString('en');
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
// A space at least, even when the text is wider than its column.
const pad = (text: string, width: number) => `${text.padEnd(width - 1)} `;
const lpad = (text: string, width: number) => ` ${text.padStart(width - 1)}`;
const since = (start: number) => performance.now() - start;
const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));
const summary: { what: string; figure: string; target: string; ok: boolean }[] = [];
const note = (what: string, figure: string, target: string, ok: boolean) => summary.push({ what, figure, target, ok });

function decode(answer: Answer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(answer.body).toString('utf8');
  return answer.body.toString('utf8');
}

const folder = mkdtempSync(join(tmpdir(), 'herald-bench-'));
const servers: Server[] = [];
const benchStart = performance.now();
/** Every server's peak memory, read before it stops: the benchmark's peak is the largest. */
const peaks: { what: string; mib: number }[] = [];
const recordPeak = (what: string, server: Server) => peaks.push({ what, mib: memoryMb(server.pid, 'VmHWM') });

/** A wrk run with the server's CPU seconds over it; cores = CPU seconds per wall second. */
interface Measured extends LoadResult {
  serverCores: number;
  generatorCores: number;
}
async function measure(server: Server, path: string, options: { unknownPaths?: boolean; seconds?: number } = {}): Promise<Measured> {
  const seconds = options.seconds ?? routeSeconds;
  const before = cpuSeconds(server.pid);
  const result = await load(server.url + path, seconds, { connections, threads, headers: acceptBr, unknownPaths: options.unknownPaths, folder });
  const serverCpu = cpuSeconds(server.pid) - before;
  return { ...result, serverCores: serverCpu / result.wall, generatorCores: result.generatorCpu / result.wall };
}
const cores = (value: number) => value.toFixed(2);

/** The database file behind a server, for writes that change the content's version. */
function invalidator(path: string) {
  const db = openDatabase(path);
  // The bench's own write need not wait for the disk: it is not what is timed.
  db.$client.pragma('synchronous = OFF');
  const insert = db.$client.prepare("INSERT INTO audit_log (at, actor, action, target) VALUES (?, 'bench', 'bench.invalidate', 'render cache')");
  return { bump: () => insert.run(Date.now()), close: () => db.$client.close() };
}

/** Routes to load: a resolved incident, its month, a component, besides the fixed ones. */
function routesFor(path: string, incidentId?: string) {
  const db = openDatabase(path);
  const row = db.$client
    .prepare(incidentId ? 'SELECT id, started_at AS at FROM incidents WHERE id = ?' : "SELECT id, started_at AS at FROM incidents WHERE kind = 'incident' AND closed_at IS NOT NULL ORDER BY started_at DESC LIMIT 1")
    .get(...(incidentId ? [incidentId] : [])) as { id: string; at: number };
  db.$client.close();
  const month = new Date(row.at).toISOString().slice(0, 7);
  return ['/', '/de/', `/incidents/${row.id}`, `/history/${month}`, '/components/sign-in', '/feed.xml', '/api/v2/summary.json', '/api/v2/incidents.json', '/badge.svg'];
}
const label = (route: string) => route.replace(/^\/incidents\/.+/, '/incidents/<id>').replace(/^\/history\/.+/, '/history/<month>').replace(/^\/components\/.+/, '/components/<id>');

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
  const routes = routesFor(dbPath, data.sampleIncidentId);
  console.log(`routes    ${routes.join('  ')} (the incident is resolved, with a postmortem; updates go to the open ${data.openIncidentId})`);
  console.log(
    `load      wrk ${connections} connections, ${threads} threads, ${routeSeconds} s per run (BENCH_SECONDS) after 1 s of warm-up, Accept-Encoding: br; ` +
      `CPU columns are CPU seconds per wall second (1.00 = one core busy): the server is one Node process, wrk has ${threads} threads, the machine ${cpu.length} cores`,
  );

  const herald = await startHerald(dbPath, folder);
  servers.push(herald);
  const idleMb = memoryMb(herald.pid, 'VmRSS');

  // The dataset is what visitors see: all 30 components with their bars.
  const home = await send(`${herald.url}/`, { headers: { 'accept-encoding': 'identity' } });
  const html = home.body.toString('utf8');
  const shown = benchComponentNames.filter((name) => html.includes(`>${name}</a>`)).length;
  const bars = html.match(/class="component"/g)?.length ?? 0;
  console.log(`home      / shows ${shown} of ${benchComponentNames.length} benchmark components (${bars} components with bars in all)`);

  // Cache hits, route by route, each beside its baseline.
  console.log('');
  console.log(`cache hits; target: ratio >= ${targets.ratio} of the bare server, p99 < ${targets.p99Ms} ms, no errors`);
  const header =
    `${pad('route', 24)}${lpad('Herald req/s', 13)}${lpad('p50', 9)}${lpad('p99', 9)}${lpad('srv cpu', 9)}${lpad('wrk cpu', 9)}` +
    `${lpad('bare req/s', 12)}${lpad('p99', 9)}${lpad('srv cpu', 9)}${lpad('wrk cpu', 9)}${lpad('ratio', 7)}  verdict`;
  console.log(header);
  const row = (name: string, h: Measured, b: Measured, ratio: number, ok: boolean, extra = '') =>
    console.log(
      `${pad(name, 24)}${lpad(n0(h.rps), 13)}${lpad(ms(h.p50), 9)}${lpad(ms(h.p99), 9)}${lpad(cores(h.serverCores), 9)}${lpad(cores(h.generatorCores), 9)}` +
        `${lpad(n0(b.rps), 12)}${lpad(ms(b.p99), 9)}${lpad(cores(b.serverCores), 9)}${lpad(cores(b.generatorCores), 9)}${lpad(ratio.toFixed(2), 7)}  ${verdict(ok)}${extra}`,
    );
  let homeAlone: Measured | undefined;
  for (const [index, route] of routes.entries()) {
    await send(herald.url + route, { headers: acceptBr });
    const answer = await send(herald.url + route, { headers: acceptBr });
    if (answer.status !== 200) throw new Error(`${route} answered ${answer.status}`);
    const cache = answer.headers['x-herald-cache'];
    await load(herald.url + route, 1, { connections, threads, headers: acceptBr, folder }); // warm-up: JIT, caches
    const result = await measure(herald, route);
    if (route === '/') homeAlone = result;
    const baseline = await startBaseline(answer, folder, `baseline-${index}`);
    servers.push(baseline);
    await load(baseline.url + route, 1, { connections, threads, headers: acceptBr, folder });
    const base = await measure(baseline, route);
    await baseline.stop();
    const ratio = result.rps / base.rps;
    const faults = result.non2xx + result.errors + result.timeouts;
    const ok = ratio >= targets.ratio && result.p99 < targets.p99Ms && faults === 0;
    const extra =
      `  (${kb(answer.body.length)} ${answer.headers['content-encoding'] ?? 'uncompressed'}, X-Herald-Cache: ${cache ?? 'none'}` +
      (faults ? `; ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts` : '') +
      ')';
    row(label(route), result, base, ratio, ok, extra);
    note(`${label(route)} hit: ratio, p99`, `${ratio.toFixed(2)}, ${ms(result.p99)}`, `>= ${targets.ratio}, < ${targets.p99Ms} ms`, ok);
  }

  // Unknown incident ids: every request its own path, so nothing can be cached by path.
  const notFound = await send(`${herald.url}/incidents/x${randomBytes(4).toString('hex')}`, { headers: acceptBr });
  if (notFound.status !== 404) throw new Error(`an unknown incident answered ${notFound.status}`);
  await load(herald.url + '/', 1, { connections, threads, headers: acceptBr, unknownPaths: true, folder });
  const unknown = await measure(herald, '/', { unknownPaths: true });
  const notFoundBase = await startBaseline(notFound, folder, 'baseline-404');
  servers.push(notFoundBase);
  await load(notFoundBase.url + '/', 1, { connections, threads, headers: acceptBr, unknownPaths: true, folder });
  const unknownBase = await measure(notFoundBase, '/', { unknownPaths: true });
  await notFoundBase.stop();
  const unknownRatio = unknown.rps / unknownBase.rps;
  const unknownFaults = unknown.errors + unknown.timeouts + (unknown.requests - unknown.non2xx); // every answer must be the 404
  const unknownOk = unknownRatio >= targets.unknownRatio && unknownFaults === 0;
  row('/incidents/x<rnd>', unknown, unknownBase, unknownRatio, unknownOk, `  (404, ${kb(notFound.body.length)}; target ratio >= ${targets.unknownRatio})`);
  note('unknown ids (404): ratio', unknownRatio.toFixed(2), `>= ${targets.unknownRatio}`, unknownOk);

  // / while another wrk floods unknown paths at the same time.
  console.log('');
  const [shared, flood] = await Promise.all([
    (async () => {
      const before = cpuSeconds(herald.pid);
      const r = await load(herald.url + '/', routeSeconds, { connections, threads, headers: acceptBr, folder });
      return { ...r, serverCores: (cpuSeconds(herald.pid) - before) / r.wall, generatorCores: r.generatorCpu / r.wall };
    })(),
    load(herald.url + '/', routeSeconds, { connections, threads, headers: acceptBr, unknownPaths: true, folder }),
  ]);
  const sharedRatio = shared.rps / homeAlone!.rps;
  const sharedOk = sharedRatio >= targets.sharedRatio && shared.non2xx + shared.errors + shared.timeouts === 0;
  console.log(
    `/ under a flood       ${n0(shared.rps)} req/s (p99 ${ms(shared.p99)}) while a second wrk (${connections} connections) got ${n0(flood.rps)} unknown-path 404s/s (p99 ${ms(flood.p99)}); ` +
      `/ alone ${n0(homeAlone!.rps)}: ratio ${sharedRatio.toFixed(2)}; server ${cores(shared.serverCores)} cores, the two wrk ${cores(shared.generatorCores)} + ${cores(flood.generatorCpu / flood.wall)}; ` +
      `target >= ${targets.sharedRatio}: ${verdict(sharedOk)}`,
  );
  note('/ during an unknown-path flood', `${sharedRatio.toFixed(2)} of alone`, `>= ${targets.sharedRatio}`, sharedOk);

  // The weight of / as a browser gets it, and whether it works without JavaScript.
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
      `${scripts ? 'has <script> tags' : 'no <script>: works without JavaScript'}; target <= ${kb(targets.weightBytes)}: ${verdict(heaviest <= targets.weightBytes)}`,
  );
  note('/ compressed (gzip, brotli)', `${kb(sizes.gzip.bytes)}, ${kb(sizes.br.bytes)}`, `<= ${kb(targets.weightBytes)}, no JS`, heaviest <= targets.weightBytes && !scripts);

  // Uncached renders. Before each timed request a write to the database file
  // (an audit entry, as every staff write makes) changes the content's version,
  // so the request must render; its X-Herald-Cache: miss proves it did.
  async function renders(server: Server, path: string, routeList: string[]) {
    const writer = invalidator(path);
    const result = new Map<string, { median: number; first: number; times: number[]; misses: number }>();
    try {
      for (const route of routeList) {
        const times: number[] = [];
        let misses = 0;
        let first = 0;
        const began = performance.now();
        // The warm-ups, then at most BENCH_RENDER_SECONDS (10) per route with at least one sample: a render that takes seconds is answer enough.
        for (let round = -renderWarmups; round < renderSamples && !(round >= 1 && since(began) > renderBudgetMs); round++) {
          writer.bump();
          // A write from another process is seen once the server's last reading of the version has aged out.
          await sleep(versionReuseMs + 5);
          const t0 = performance.now();
          const answer = await send(server.url + route, { headers: acceptBr });
          const took = since(t0);
          if (answer.status !== 200) throw new Error(`${route} answered ${answer.status}`);
          if (round === -renderWarmups) first = took;
          if (round < 0) continue; // warm-up
          times.push(took);
          if (answer.headers['x-herald-cache'] === 'miss') misses++;
        }
        result.set(route, { median: median(times), first, times, misses });
      }
    } finally {
      writer.close();
    }
    return result;
  }
  console.log('');
  start = performance.now();
  const mainRenders = await renders(herald, dbPath, routes);
  console.log(`uncached renders on the dataset: ${renderSamples} per route, each after a write, in ${(since(start) / 1000).toFixed(1)} s (shown below with the history sizes)`);

  // From an update posted through the HTTP API to its text on /, polling / as fast as one client can.
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const updatesUrl = `${herald.url}/api/admin/incidents/${data.openIncidentId}/updates`;
  async function postUpdate(message: string, notify: boolean) {
    const answer = await send(updatesUrl, { method: 'POST', headers: auth, body: JSON.stringify({ status: 'identified', message, notify }) });
    if (answer.status !== 201) throw new Error(`posting an update answered ${answer.status}: ${answer.body.toString('utf8')}`);
  }
  async function visibility() {
    const marker = `Bench update ${randomBytes(6).toString('hex')}`;
    const t0 = performance.now();
    let postMs = 0;
    const posted = postUpdate(marker, true).then(() => (postMs = since(t0)));
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
  for (const subscriberCount of [data.subscribers, 0]) {
    if (subscriberCount === 0) {
      // Every subscriber gone (their subscriptions and queued mail go with them), and the page told so.
      const t0 = performance.now();
      const writer = openDatabase(dbPath);
      writer.$client.exec("DELETE FROM subscribers; UPDATE settings SET value = value + 1 WHERE key = 'subscribers-revision'");
      writer.$client.close();
      console.log(`                      (deleted the ${n0(data.subscribers)} subscribers in ${ms(since(t0))})`);
    }
    const runs = [];
    for (let t = 0; t < 5; t++) {
      runs.push(await visibility());
      await sleep(200);
    }
    const visible = median(runs.map((r) => r.visibleMs));
    const api = median(runs.map((r) => r.postMs));
    const apiOk = api < targets.apiMs;
    const visibleOk = visible < targets.visibleMs;
    const who = `${n0(subscriberCount)} subscribers`;
    console.log(
      `update, ${lpad(who, 19)}  visible on / after ${ms(visible)} (target < ${targets.visibleMs} ms: ${verdict(visibleOk)}); the API answered in ${ms(api)}` +
        (subscriberCount ? ` (target < ${targets.apiMs} ms: ${verdict(apiOk)})` : '') +
        `; medians of ${runs.length}, posted with notify`,
    );
    note(`update visible, ${who}`, ms(visible), `< ${targets.visibleMs} ms`, visibleOk);
    if (subscriberCount) note(`update API answer, ${who}`, ms(api), `< ${targets.apiMs} ms`, apiOk);
    else note(`update API answer, ${who}`, ms(api), '(for comparison)', true);
  }

  // The soak: load on / while an update is posted every second.
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
  const soak = await measure(herald, '/', { seconds: soakSeconds });
  clearInterval(poster);
  await sleep(500);
  const lastShown = lastMarker !== '' && (await send(`${herald.url}/`, { headers: { 'accept-encoding': 'identity' } })).body.includes(lastMarker);
  const soakErrors = soak.non2xx + soak.errors + soak.timeouts + postFailures;
  console.log('');
  console.log(
    `soak ${soakSeconds} s on /        ${n0(soak.requests)} requests, ${n0(soak.rps)} req/s, p50 ${ms(soak.p50)}, p99 ${ms(soak.p99)}, max ${ms(soak.max)}, server ${cores(soak.serverCores)} cores, wrk ${cores(soak.generatorCores)}; ` +
      `${postedOk} updates posted (median ${ms(median(postTimes))}), the last ${lastShown ? 'shown' : 'NOT shown'} on /; ` +
      `errors: ${soak.non2xx} non-2xx, ${soak.errors} connection, ${soak.timeouts} timeouts, ${postFailures} failed posts; target 0: ${verdict(soakErrors === 0 && lastShown)}`,
  );
  note(`errors in a ${soakSeconds} s soak`, String(soakErrors), '0', soakErrors === 0 && lastShown);
  recordPeak('the dataset server, after the soak', herald);
  await herald.stop();

  // The static mirror on the dataset: a whole export, and how soon a write is in a running mirror.
  console.log('');
  const exported = exportOnce(dbPath, join(folder, 'export'));
  const exportOk = exported.seconds < targets.exportSeconds;
  console.log(
    `export    herald export of the dataset: ${n0(exported.files)} files in ${exported.seconds.toFixed(1)} s, CLI and its server peaking at ${exported.peakMb.toFixed(0)} MB (GNU time, the larger); ` +
      `target < ${targets.exportSeconds} s: ${verdict(exportOk)}`,
  );
  note('full herald export of the dataset', `${exported.seconds.toFixed(1)} s, ${n0(exported.files)} files`, `< ${targets.exportSeconds} s`, exportOk);
  const fresh = await mirrorFreshness(dbPath, join(folder, 'mirror'), data.openIncidentId);
  const freshOk = fresh.median < targets.mirrorSeconds * 1000;
  console.log(
    `mirror    a running herald mirror: whole site in ${(fresh.fullMs / 1000).toFixed(1)} s at start; an update (CLI) on the mirror's / and incident page after ` +
      `${fresh.times.map((t) => ms(t)).join(', ')} (median ${ms(fresh.median)}; ${fresh.lastRun}); target < ${targets.mirrorSeconds} s: ${verdict(freshOk)}`,
  );
  note('update visible in a running mirror', ms(fresh.median), `< ${targets.mirrorSeconds} s`, freshOk);

  // The same renders with a small and a huge history (the same last 90 days),
  // one server after the other, each route warmed as on the dataset's server.
  const histories = [];
  for (const total of [100, 100_000]) {
    const path = join(folder, `history-${total}.db`);
    start = performance.now();
    const built = buildHistoryOnly(path, { total });
    const server = await startHerald(path, folder);
    servers.push(server);
    histories.push({ total, built, buildSeconds: since(start) / 1000, path, server, routes: routesFor(path) });
  }
  if (histories[0].routes.join() !== histories[1].routes.join()) throw new Error('the two histories do not share their recent incidents');
  const historyRenders = [];
  for (const h of histories) historyRenders.push(await renders(h.server, h.path, h.routes));
  for (const h of histories) {
    recordPeak(`history of ${n0(h.total)}`, h.server);
    await h.server.stop();
  }
  console.log('');
  console.log(
    `histories: ${histories.map((h) => `${n0(h.total)} incidents with ${n0(h.built.updates)} updates (built in ${h.buildSeconds.toFixed(1)} s)`).join('; ')}; ` +
      `routes there: ${histories[0].routes.slice(2, 4).join(', ')}`,
  );
  console.log(
    `uncached render, median of ${renderSamples} after ${renderWarmups} warm-up renders (fewer where ${renderBudgetMs / 1000} s ran out, BENCH_RENDER_SECONDS); target < ${targets.renderMs} ms, and 100,000 / 100 incidents <= ${targets.renderRatio}; ` +
      `"misses" counts answers that said X-Herald-Cache: miss; "first" is each route's first render on the dataset's server (its code not yet compiled)`,
  );
  console.log(`${pad('route', 24)}${lpad('dataset', 10)}${lpad('100 inc.', 10)}${lpad('100,000', 10)}${lpad('ratio', 7)}${lpad('misses', 14)}${lpad('first', 9)}  verdict`);
  for (const [index, route] of routes.entries()) {
    const main = mainRenders.get(route)!;
    const small = historyRenders[0].get(histories[0].routes[index])!;
    const big = historyRenders[1].get(histories[1].routes[index])!;
    const ratio = big.median / small.median;
    const proven = main.misses + small.misses + big.misses;
    const all = main.times.length + small.times.length + big.times.length;
    const worst = Math.max(main.median, small.median, big.median);
    const ok = worst < targets.renderMs && ratio <= targets.renderRatio && proven === all;
    console.log(
      `${pad(label(route), 24)}${lpad(ms(main.median), 10)}${lpad(ms(small.median), 10)}${lpad(ms(big.median), 10)}${lpad(ratio.toFixed(2), 7)}${lpad(`${proven}/${all}`, 14)}${lpad(ms(main.first), 9)}  ${verdict(ok)}`,
    );
    note(`${label(route)} uncached (dataset; 100; 100,000)`, `${ms(main.median)}; ${ms(small.median)}; ${ms(big.median)}`, `< ${targets.renderMs} ms, ratio <= ${targets.renderRatio}`, ok);
  }

  console.log('');
  const peak = Math.max(...peaks.map((p) => p.mib));
  const memoryOk = peak * 1.048576 < targets.memoryMb;
  console.log(
    `server memory         ${idleMb.toFixed(0)} MiB after start; peak ${peak.toFixed(0)} MiB = ${(peak * 1.048576).toFixed(0)} MB (VmHWM: ${peaks.map((p) => `${p.what} ${p.mib.toFixed(0)}`).join(', ')}); ` +
      `target < ${targets.memoryMb} MB: ${verdict(memoryOk)}`,
  );
  note('peak server memory (VmHWM)', `${(peak * 1.048576).toFixed(0)} MB`, `< ${targets.memoryMb} MB`, memoryOk);

  console.log('');
  console.log(
    `targets (${summary.filter((s) => s.ok).length} of ${summary.length} met; the whole run took ${(since(benchStart) / 1000).toFixed(0)} s, load average ${loadavg()[0].toFixed(1)} at the end)`,
  );
  const what = Math.max(...summary.map((s) => s.what.length)) + 2;
  console.log(`  ${pad('what', what)}${pad('measured', 28)}${pad('target', 28)}verdict`);
  for (const s of summary) console.log(`  ${pad(s.what, what)}${pad(s.figure, 28)}${pad(s.target, 28)}${verdict(s.ok)}`);
} catch (error) {
  // A server that died says why: its own output, and how it exited.
  for (const server of servers) if (!existsSync(`/proc/${server.pid}`)) console.log(`server ${server.pid} is gone:\n${server.output().slice(-2000)}`);
  throw error;
} finally {
  for (const server of servers) await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
process.exit(0);

/** `herald export` of a database, timed, with its peak memory (GNU time's maximum resident set, the larger of the CLI and its server). */
function exportOnce(db: string, dir: string): { seconds: number; files: number; peakMb: number } {
  const start = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'bin/herald.mjs'), 'export', dir], { encoding: 'utf8', env: { ...process.env, HERALD_DB: db } });
  const seconds = since(start) / 1000;
  if (run.status !== 0) throw new Error(`herald export failed: ${run.stderr}`);
  const files = Number(/Exported (\d+) files/.exec(run.stdout)?.[1] ?? 0);
  const peakKb = Number(run.stderr.trim().split('\n').at(-1));
  return { seconds, files, peakMb: (peakKb * 1024) / 1e6 };
}

/**
 * A `herald mirror` on the database: once its whole export is in, an update
 * is posted with the CLI three times, each timed from the CLI's return (the
 * write is committed) until its text is in the mirror's index.html and the
 * incident's page.
 */
async function mirrorFreshness(db: string, dir: string, incidentId: string): Promise<{ fullMs: number; times: number[]; median: number; lastRun: string }> {
  const env = { ...process.env, HERALD_DB: db };
  const mirror = spawn(process.execPath, [join(root, 'bin/herald.mjs'), 'mirror', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  mirror.stdout!.on('data', (chunk) => (output += chunk));
  mirror.stderr!.on('data', (chunk) => (output += chunk));
  const started = performance.now();
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  const waitFor = async (check: () => boolean, what: string) => {
    for (const deadline = performance.now() + 120_000; !check(); await new Promise((r) => setTimeout(r, 20))) {
      if (performance.now() > deadline || mirror.exitCode !== null) throw new Error(`the mirror never showed ${what}:\n${output}`);
    }
  };
  try {
    await waitFor(() => output.includes('mirror full:'), 'its first export');
    const fullMs = since(started);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const text = `Mirror check ${i} ${randomBytes(4).toString('hex')}`;
      const posted = spawnSync(process.execPath, [join(root, 'bin/herald.mjs'), 'incident', 'update', incidentId, '--status', 'monitoring', '--message', text, '--no-notify'], { encoding: 'utf8', env });
      if (posted.status !== 0) throw new Error(`herald incident update failed: ${posted.stderr}`);
      const at = performance.now();
      await waitFor(() => read('index.html').includes(text) && read(`incidents/${incidentId}/index.html`).includes(text), text);
      times.push(since(at));
    }
    const lastRun = output.trim().split('\n').filter((line) => line.startsWith('mirror update')).at(-1) ?? '';
    return { fullMs, times, median: median(times), lastRun: `its log: ${lastRun}` };
  } finally {
    if (mirror.exitCode === null) {
      const exited = new Promise((r) => mirror.once('exit', r));
      mirror.kill('SIGTERM');
      await exited;
    }
  }
}
