// Any other path under /api/admin: a JSON 404 rather than the public HTML page.
import { jsonResponse } from '../../../lib/server/http';
import type { APIRoute } from 'astro';

export const ALL: APIRoute = ({ url }) =>
  jsonResponse(404, { error: { message: `no API endpoint at ${url.pathname}; see /api/admin/incidents, /api/admin/maintenance, /api/admin/components` } });
