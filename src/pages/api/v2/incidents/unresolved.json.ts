// GET /api/v2/incidents/unresolved.json.ts: incidents not yet resolved (Statuspage v2).
import { statuspageRoute } from '../../../../lib/server/statuspage-api';

export const GET = statuspageRoute('now', (api) => api.unresolvedIncidents());
