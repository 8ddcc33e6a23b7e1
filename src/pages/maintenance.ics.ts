// GET /maintenance.ics: every maintenance window, for calendar apps (src/lib/icalendar.ts).
import type { APIRoute } from 'astro';
import { maintenanceCalendar } from '../lib/icalendar';
import { etagResponse, publicApiHeaders } from '../lib/server/http';
import { getRuntime } from '../lib/server/runtime';
import { readAllMaintenance, readMaintenanceSeries } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const runtime = await getRuntime();
  const maintenance = readAllMaintenance(runtime);
  // DTSTAMP is the last change, not the request time, so unchanged calendars keep their ETag.
  const lastChange = new Date(Math.max(0, ...maintenance.map((i) => i.updatedAt.getTime())));
  const ics = maintenanceCalendar({ pageName: runtime.content.page.name, siteUrl: runtime.config.siteUrl }, maintenance, lastChange, readMaintenanceSeries(runtime));
  return etagResponse(ics, { 'Content-Type': 'text/calendar; charset=utf-8', ...publicApiHeaders });
};
