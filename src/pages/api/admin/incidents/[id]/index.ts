// GET /api/admin/incidents/:id: one incident (maintenance has its own path).
// PATCH: {title?, impact?} edits a live incident; {status, message, components?, notify?}
// posts an update (status "resolved" resolves). Both at once happen together or not at all.
import { incidentEndpoints } from '../../../../../lib/server/http';

export const GET = incidentEndpoints.one.GET;
export const PATCH = incidentEndpoints.one.PATCH;
export const ALL = incidentEndpoints.one.ALL;
