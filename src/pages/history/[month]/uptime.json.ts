// GET /history/YYYY-MM/uptime.json: a calendar month's uptime per component and for the page (lib/uptime.ts monthlyUptime).
import type { APIRoute } from 'astro';
import { etagResponse, publicApiHeaders } from '../../../lib/server/http';
import { readMonthUptime } from '../../../lib/server/read-model';
import { getRuntime } from '../../../lib/server/runtime';
import { isMonth } from '../../../lib/time';

export const GET: APIRoute = async ({ params, rewrite }) => {
  const month = params.month ?? '';
  const report = isMonth(month) ? readMonthUptime(await getRuntime(), month) : null;
  if (!report) return rewrite('/404');
  const body = {
    month: report.month,
    time_zone: report.timeZone,
    uptime_percent: report.percent,
    components: report.components.map((c) => ({
      id: c.id,
      name: c.name,
      uptime_percent: c.percent,
      downtime_minutes: Math.round(c.downtimeMs / 60_000),
      watched_minutes: Math.round(c.observedMs / 60_000),
      minutes_by_status: Object.fromEntries(Object.entries(c.msByStatus).map(([status, ms]) => [status, Math.round(ms! / 60_000)])),
      corrected_days: c.correctedDays,
    })),
  };
  return etagResponse(JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8', ...publicApiHeaders });
};
