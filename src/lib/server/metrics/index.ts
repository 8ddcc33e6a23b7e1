// What operators watch, in Prometheus' text format at /metrics (prom-client
// writes the format): requests by route kind and status, render-cache hits and
// misses, the event loop's delay (prom-client's Node metrics), the outbox's
// depth and the age of its oldest queued message, deliveries by channel and
// result, seconds since the last verified backup. Nothing personal: no
// address, no path beyond its kind. Counting is a map increment on the
// request path; prom-client's label handling runs only when scraped.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HeraldDb } from '../db';
import { subscriberKinds } from '../../../db/constants';

/** What a path is, for counting: a handful of kinds, never the path itself. */
export function routeKind(path: string): string {
  if (path.startsWith('/api/admin')) return 'admin_api';
  if (path.startsWith('/admin')) return 'console';
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/_astro/') || path.startsWith('/brand/') || path === '/favicon.svg') return 'static';
  if (path.startsWith('/img/')) return 'image';
  if (path.startsWith('/subscribe') || path.startsWith('/unsubscribe')) return 'subscribe';
  if (path === '/healthz' || path === '/metrics') return 'health';
  if (path.endsWith('.xml')) return 'feed';
  if (path.endsWith('.svg')) return 'badge';
  if (path.endsWith('.ics')) return 'calendar';
  return 'page';
}

export type DeliveryResult = 'sent' | 'failed' | 'retried';

export interface MetricSources {
  db: HeraldDb;
  /** When the last backup was verified and kept (last-backup.json), if ever. */
  lastVerifiedBackup: () => Date | null;
  contentProblem: () => boolean;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly deliveries = new Map<string, number>();
  private readonly cache = { hit: 0, miss: 0 };
  private readonly registry = new Registry();

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const { requests, deliveries, cache } = this;
    const registers = [this.registry];
    new Counter({
      name: 'herald_http_requests_total',
      help: 'HTTP requests answered, by route kind and status',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [key, value] of requests) {
          const [route, status] = key.split(' ');
          this.inc({ route, status }, value);
        }
      },
    });
    new Counter({
      name: 'herald_render_cache_requests_total',
      help: 'Public answers from the render cache (hit) or rendered (miss)',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'hit' }, cache.hit);
        this.inc({ result: 'miss' }, cache.miss);
      },
    });
    new Counter({
      name: 'herald_deliveries_total',
      help: 'Deliveries this process attempted, by channel and result (retried: a temporary failure, tried again later)',
      labelNames: ['channel', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [key, value] of deliveries) {
          const [channel, result] = key.split(' ');
          this.inc({ channel, result }, value);
        }
      },
    });
    const queued = sources.db.$client.prepare(
      "SELECT s.kind AS channel, count(*) AS depth, min(o.created_at) AS oldest FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE o.status = 'queued' GROUP BY s.kind",
    );
    const pendingJobs = sources.db.$client.prepare('SELECT count(*) FROM notify_jobs WHERE expanded_at IS NULL AND dropped_at IS NULL').pluck();
    let outbox: { channel: string; depth: number; oldest: number }[] = [];
    new Gauge({
      name: 'herald_outbox_queued',
      help: 'Deliveries waiting in the outbox, by channel',
      labelNames: ['channel'],
      registers,
      collect() {
        outbox = queued.all() as typeof outbox;
        this.reset();
        for (const channel of subscriberKinds) this.set({ channel }, outbox.find((o) => o.channel === channel)?.depth ?? 0);
      },
    });
    new Gauge({
      name: 'herald_outbox_oldest_queued_age_seconds',
      help: 'How long the oldest waiting delivery has waited, by channel (0 when none waits)',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const channel of subscriberKinds) {
          const oldest = outbox.find((o) => o.channel === channel)?.oldest;
          this.set({ channel }, oldest ? (now - oldest) / 1000 : 0);
        }
      },
    });
    new Gauge({
      name: 'herald_notify_jobs_pending',
      help: 'Notifications not yet turned into deliveries for every subscriber',
      registers,
      collect() {
        this.set(pendingJobs.get() as number);
      },
    });
    new Gauge({
      name: 'herald_last_verified_backup_age_seconds',
      help: 'Seconds since the last backup that was verified and kept (NaN before the first)',
      registers,
      collect() {
        const at = sources.lastVerifiedBackup();
        this.set(at ? (Date.now() - at.getTime()) / 1000 : Number.NaN);
      },
    });
    new Gauge({
      name: 'herald_content_problem',
      help: '1 while content/ has a problem and the last good content is served',
      registers,
      collect() {
        this.set(sources.contentProblem() ? 1 : 0);
      },
    });
  }

  countRequest(path: string, status: number): void {
    const key = `${routeKind(path)} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  countCache(result: 'hit' | 'miss'): void {
    this.cache[result]++;
  }

  countDelivery(channel: string, result: DeliveryResult): void {
    const key = `${channel} ${result}`;
    this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, read at the moment of the scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
