// GET /api/v2/scheduled-maintenances.json.ts: the 50 most recent maintenance windows (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/http';

export const GET = statuspageRoute('lists', (api) => api.scheduledMaintenances());
