// GET /api/v2/summary.json.ts: page, components, unresolved incidents, upcoming and active maintenance, status (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.summary());
