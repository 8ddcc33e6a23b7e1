// GET /api/admin/maintenance/:id: one maintenance window.
// PATCH {title?, scheduled_for?, scheduled_until?} changes it; {status, message, notify?}
// posts an update (in_progress, verifying, completed). Both at once happen together or not at all.
import { maintenanceEndpoints } from '../../../../lib/server/http';

export const GET = maintenanceEndpoints.one.GET;
export const PATCH = maintenanceEndpoints.one.PATCH;
export const ALL = maintenanceEndpoints.one.ALL;
