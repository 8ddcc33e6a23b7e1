// GET /history/YYYY-MM/uptime.csv: the month's uptime report as CSV, one row per component and one for the page.
import type { APIRoute } from 'astro';
import { etagResponse, publicApiHeaders } from '../../../lib/server/http';
import { readMonthUptime } from '../../../lib/server/read-model';
import { getRuntime } from '../../../lib/server/runtime';
import { isMonth } from '../../../lib/time';
import { monthReportCsv } from '../../../lib/uptime';

export const GET: APIRoute = async ({ params, rewrite }) => {
  const month = params.month ?? '';
  const report = isMonth(month) ? readMonthUptime(await getRuntime(), month) : null;
  if (!report) return rewrite('/404');
  return etagResponse(monthReportCsv(report), {
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="uptime-${month}.csv"`,
    ...publicApiHeaders,
  });
};
