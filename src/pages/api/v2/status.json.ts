// GET /api/v2/status.json.ts: the page and its overall indicator (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.status());
