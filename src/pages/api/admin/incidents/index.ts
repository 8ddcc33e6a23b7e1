// GET /api/admin/incidents: open incidents (?all=1: every incident, newest first, at most 100).
// POST: opens one → 201 with the incident and its Location.
import { incidentEndpoints } from '../../../../lib/server/http';

export const GET = incidentEndpoints.list.GET;
export const POST = incidentEndpoints.list.POST;
export const ALL = incidentEndpoints.list.ALL;
