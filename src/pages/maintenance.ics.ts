// GET /maintenance.ics: every maintenance window, for calendar apps (src/lib/icalendar.ts).
import type { APIRoute } from 'astro';
import { maintenanceCalendar } from '../lib/icalendar';
import { etagResponse } from '../lib/server/http-cache';
import { publicApiHeaders } from '../lib/server/statuspage-api';
import { getRuntime } from '../lib/server/runtime';
import { loadStatusPage } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const view = loadStatusPage(await getRuntime());
  // DTSTAMP is the last change, not the request time, so unchanged calendars keep their ETag.
  const lastChange = new Date(Math.max(0, ...view.incidents.filter((i) => i.kind === 'maintenance').map((i) => i.updatedAt.getTime())));
  const ics = maintenanceCalendar({ pageName: view.page.name, siteUrl: view.siteUrl }, view.incidents, lastChange);
  return etagResponse(ics, { 'Content-Type': 'text/calendar; charset=utf-8', ...publicApiHeaders });
};
