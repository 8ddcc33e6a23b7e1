// GET /api/v2/scheduled-maintenances/active.json.ts: maintenance in progress or being verified (Statuspage v2).
import { statuspageRoute } from '../../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.activeMaintenances());
