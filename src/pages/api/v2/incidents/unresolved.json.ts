// GET /api/v2/incidents/unresolved.json.ts: incidents not yet resolved (Statuspage v2).
import { statuspageRoute } from '../../../../lib/server/http';

export const GET = statuspageRoute('now', (api) => api.unresolvedIncidents());
