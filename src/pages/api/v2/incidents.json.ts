// GET /api/v2/incidents.json.ts: the 50 most recent incidents, maintenance excluded (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/http';

export const GET = statuspageRoute('lists', (api) => api.incidents());
