// PUT /api/admin/maintenance/:id/translations/:locale {title?, updates?: [{id, message}]}:
// the maintenance's words in one of the page's other languages, afterwards; a blank one removes it.
import { maintenanceEndpoints } from '../../../../../../lib/server/http';

export const PUT = maintenanceEndpoints.translation.PUT;
export const ALL = maintenanceEndpoints.translation.ALL;
