// GET /api/v2/scheduled-maintenances/upcoming.json.ts: maintenance that has not started (Statuspage v2).
import { statuspageRoute } from '../../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.upcomingMaintenances());
