// PUT /api/admin/incidents/:id/translations/:locale {title?, updates?: [{id, message}]}:
// the incident's words in one of the page's other languages, afterwards; a blank one removes it.
import { incidentEndpoints } from '../../../../../../lib/server/http';

export const PUT = incidentEndpoints.translation.PUT;
export const ALL = incidentEndpoints.translation.ALL;
