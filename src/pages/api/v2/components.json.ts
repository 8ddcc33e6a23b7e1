// GET /api/v2/components.json.ts: every component and group, flat, in display order (Statuspage v2).
import { statuspageRoute } from '../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.components());
