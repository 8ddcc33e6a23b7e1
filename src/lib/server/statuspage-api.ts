// The routes of /api/v2/*: each picks one document from statuspageDocuments.
// Readable from any origin (CORS *, CORP cross-origin), cached like the pages
// (publicCachePolicy), so as fresh as the HTML, with ETag and 304.
import type { APIRoute } from 'astro';
import { statuspageDocuments, type StatuspageDocuments } from '../statuspage';
import { badgeCachePolicy, etagResponse } from './http-cache';
import { getRuntime } from './runtime';
import { loadApiView, statuspageSource } from './read-model';

export const publicApiHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
} as const;

export function statuspageRoute(pick: (documents: StatuspageDocuments) => unknown): APIRoute {
  return async () => {
    const documents = statuspageDocuments(statuspageSource(loadApiView(await getRuntime())));
    return etagResponse(JSON.stringify(pick(documents)), { 'Content-Type': 'application/json; charset=utf-8', ...publicApiHeaders });
  };
}

/** Badges are embedded on other sites' pages. */
export const badgeHeaders = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': badgeCachePolicy,
} as const;
