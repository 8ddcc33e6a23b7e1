// GET /api/admin/maintenance: running and upcoming maintenance (?all=1: every one, newest first, at most 100).
// POST {title, scheduled_for, scheduled_until, message, components?, notify?}: schedules one → 201.
import { maintenanceEndpoints } from '../../../../lib/server/http';

export const GET = maintenanceEndpoints.list.GET;
export const POST = maintenanceEndpoints.list.POST;
export const ALL = maintenanceEndpoints.list.ALL;
