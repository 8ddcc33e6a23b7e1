// GET /healthz: {"status":"ok"} when the database answers; "degraded" (still
// 200: the page is serving) when the last backup was refused because the
// database failed its check, when the disk holding the database is full or
// nearly (writes fail), or when the content folder has a problem (the last
// good content is served meanwhile); 503 when the database does not answer.
// A private page's probe says the status alone: its details name files.
import type { APIRoute } from 'astro';
import { lastBackupStatus } from '../lib/server/storage';
import { describeContentProblem } from '../lib/server/publishing';
import { isPrivatePage } from '../lib/server/readers';
import { getRuntime } from '../lib/server/runtime';

export const GET: APIRoute = async () => {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  try {
    const { db, config, storage, contentProblem, content: served } = await getRuntime();
    db.$client.prepare('SELECT 1').get();
    const backup = lastBackupStatus(config.backup.dir);
    const disk = storage.problem();
    const degraded = disk !== null || (backup !== null && !backup.ok) || !!contentProblem;
    const content = contentProblem ? `not reloaded, serving the last good content: ${describeContentProblem(contentProblem)}` : 'ok';
    const body = { status: degraded ? 'degraded' : 'ok', database: 'ok', backup: backup?.message ?? null, storage: disk ?? 'ok', content };
    return new Response(JSON.stringify(isPrivatePage(served.page) ? { status: body.status } : body), { headers });
  } catch {
    return new Response(JSON.stringify({ status: 'error', database: 'unavailable' }), { status: 503, headers });
  }
};
