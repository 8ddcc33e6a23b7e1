// GET /healthz: {"status":"ok"} when the database answers, 503 otherwise.
import type { APIRoute } from 'astro';
import { getRuntime } from '../lib/server/runtime';

export const GET: APIRoute = async () => {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  try {
    const { db } = await getRuntime();
    db.$client.prepare('SELECT 1').get();
    return new Response(JSON.stringify({ status: 'ok', database: 'ok' }), { headers });
  } catch {
    return new Response(JSON.stringify({ status: 'error', database: 'unavailable' }), { status: 503, headers });
  }
};
