// GET /api/v2/scheduled-maintenances/active.json.ts: maintenance in progress or being verified (Statuspage v2).
import { statuspageRoute } from '../../../../lib/server/statuspage-api';

export const GET = statuspageRoute('now', (api) => api.activeMaintenances());
