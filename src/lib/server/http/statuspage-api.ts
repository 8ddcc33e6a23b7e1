// The routes of /api/v2/*: each picks one document from statuspageDocuments.
// Readable from any origin (CORS *, CORP cross-origin), cached like the pages
// (publicCachePolicy), so as fresh as the HTML, with ETag and 304.
import type { APIRoute } from 'astro';
import { statuspageDocuments, type StatuspageDocuments } from '../../statuspage';
import { badgeCachePolicy, etagResponse } from './http-cache';
import { getRuntime } from '../runtime';
import { loadApiView, statuspageSource } from '../read-model';

/** How many incidents and maintenance windows incidents.json and scheduled-maintenances.json list (as Statuspage does). */
const apiListLength = 50;

export const publicApiHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
} as const;

/**
 * A route answering one document. `reads` says what it shows: `now` (the
 * open incidents and maintenance, the components) or `lists` (the newest 50
 * incidents or maintenance windows too), so each reads no more than that.
 */
export function statuspageRoute(reads: 'now' | 'lists', pick: (documents: StatuspageDocuments) => unknown): APIRoute {
  return async ({ locals }) => {
    const runtime = await getRuntime();
    const { page } = runtime.content;
    const language = { locale: locals.locale ?? page.default_language, fallback: page.default_language };
    const documents = statuspageDocuments(statuspageSource(loadApiView(runtime, new Date(), reads === 'lists' ? apiListLength : 0)), language);
    return etagResponse(JSON.stringify(pick(documents)), { 'Content-Type': 'application/json; charset=utf-8', ...publicApiHeaders });
  };
}

/** Badges are embedded on other sites' pages. */
export const badgeHeaders = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': badgeCachePolicy,
} as const;
