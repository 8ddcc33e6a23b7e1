// /metrics' text (metrics/index.ts) from a real database: counts by kind,
// the outbox read from its rows, the backup's age, nothing personal.
import { describe, expect, it } from 'vitest';
import { Metrics, routeKind } from '../../src/lib/server/metrics';
import { freshContext } from '../helpers/temp-db';

describe('the metrics Prometheus scrapes', () => {
  it('names route kinds, never paths', () => {
    expect(routeKind('/')).toBe('page');
    expect(routeKind('/incidents/x')).toBe('page');
    expect(routeKind('/admin/incidents')).toBe('console');
    expect(routeKind('/api/admin/incidents')).toBe('admin_api');
    expect(routeKind('/api/v2/summary.json')).toBe('api');
    expect(routeKind('/feed.xml')).toBe('feed');
    expect(routeKind('/components/web/badge.svg')).toBe('badge');
    expect(routeKind('/maintenance.ics')).toBe('calendar');
    expect(routeKind('/_astro/a.css')).toBe('static');
    expect(routeKind('/img/abc/def')).toBe('image');
    expect(routeKind('/subscribe/confirm')).toBe('subscribe');
    expect(routeKind('/healthz')).toBe('health');
  });

  it('reports what was counted and what the database holds', async () => {
    const { db } = freshContext();
    let problem = false;
    const metrics = new Metrics({ db, lastVerifiedBackup: () => new Date(Date.now() - 60_000), contentProblem: () => problem });
    metrics.countRequest('/incidents/secret-slug', 200);
    metrics.countRequest('/', 200);
    metrics.countRequest('/nope', 404);
    metrics.countCache('hit');
    metrics.countCache('miss');
    metrics.countCache('hit');
    metrics.countDelivery('email', 'sent');
    metrics.countDelivery('email', 'retried');
    const now = Date.now();
    const subscriber = db.$client.prepare("INSERT INTO subscribers (kind, address, confirmed_at, created_at) VALUES ('email', 'a@example.com', ?, ?)").run(now, now).lastInsertRowid;
    db.$client.prepare("INSERT INTO outbox (subscriber_id, event, status, next_attempt_at, created_at) VALUES (?, 'confirm:1', 'queued', ?, ?)").run(subscriber, now, now - 30_000);
    problem = true;
    const text = await metrics.scrape();
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(text).toContain('herald_http_requests_total{route="page",status="200"} 2');
    expect(text).toContain('herald_http_requests_total{route="page",status="404"} 1');
    expect(text).toContain('herald_render_cache_requests_total{result="hit"} 2');
    expect(text).toContain('herald_render_cache_requests_total{result="miss"} 1');
    expect(text).toContain('herald_deliveries_total{channel="email",result="sent"} 1');
    expect(text).toContain('herald_outbox_queued{channel="email"} 1');
    expect(text).toContain('herald_outbox_queued{channel="webhook"} 0');
    expect(Number(/herald_outbox_oldest_queued_age_seconds\{channel="email"\} ([\d.]+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(30);
    expect(Number(/herald_last_verified_backup_age_seconds ([\d.]+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(60);
    expect(text).toContain('herald_content_problem 1');
    expect(text).toContain('herald_notify_jobs_pending 0');
    expect(text).not.toContain('secret-slug');
    expect(text).not.toContain('example.com');
  });
});
