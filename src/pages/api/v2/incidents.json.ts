// GET /api/v2/incidents.json.ts: the 50 most recent incidents, maintenance excluded (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/statuspage-api';

export const GET = statuspageRoute('lists', (api) => api.incidents());
