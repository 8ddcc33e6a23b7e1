// The routes of /api/v2/*: each picks one document from statuspageDocuments.
// Readable from any origin (CORS *, CORP cross-origin), revalidated on every
// use so they are as fresh as the HTML after a staff write, with ETag and 304.
import type { APIRoute } from 'astro';
import { statuspageDocuments, type StatuspageDocuments } from '../statuspage';
import { etagResponse } from './etag-response';
import { getRuntime } from './runtime';
import { loadStatusPage, type StatusPage } from './status-page';

export function statuspageSource(view: StatusPage) {
  return {
    pageName: view.page.name,
    siteUrl: view.siteUrl,
    timeZone: view.page.time_zone,
    sections: view.sections,
    components: view.components,
    incidents: view.incidents,
    status: view.status,
    statusLog: view.statusLog,
  };
}

export const publicApiHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'public, no-cache',
} as const;

export function statuspageRoute(pick: (documents: StatuspageDocuments) => unknown): APIRoute {
  return async ({ request }) => {
    const documents = statuspageDocuments(statuspageSource(loadStatusPage(await getRuntime())));
    return etagResponse(request, JSON.stringify(pick(documents)), { 'Content-Type': 'application/json; charset=utf-8', ...publicApiHeaders });
  };
}

/** Badges are embedded on other sites' pages and may be cached for a minute. */
export const badgeHeaders = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'public, max-age=60, stale-while-revalidate=60',
} as const;
