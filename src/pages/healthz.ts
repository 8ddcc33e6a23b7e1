// GET /healthz: {"status":"ok"} when the database answers; "degraded" (still
// 200: the page is serving) when the last backup was refused because the
// database failed its check; 503 when the database does not answer.
import type { APIRoute } from 'astro';
import { lastBackupStatus } from '../lib/server/backup';
import { getRuntime } from '../lib/server/runtime';

export const GET: APIRoute = async () => {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  try {
    const { db, config } = await getRuntime();
    db.$client.prepare('SELECT 1').get();
    const backup = lastBackupStatus(config.backup.dir);
    const body = backup && !backup.ok ? { status: 'degraded', database: 'ok', backup: backup.message } : { status: 'ok', database: 'ok', backup: backup?.message ?? null };
    return new Response(JSON.stringify(body), { headers });
  } catch {
    return new Response(JSON.stringify({ status: 'error', database: 'unavailable' }), { status: 503, headers });
  }
};
