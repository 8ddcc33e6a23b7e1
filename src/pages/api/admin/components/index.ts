// GET /api/admin/components: every listed component with the status it shows now.
import { actingRuntime } from '../../../../lib/server/accounts';
import { componentJson, handle, jsonResponse, otherMethods } from '../../../../lib/server/http';
import { readComponents, readCurrentTimeline } from '../../../../lib/server/read-model';
import { currentComponentStatuses } from '../../../../lib/status';

export const GET = handle(async ({ locals }) => {
  const runtime = await actingRuntime(locals);
  const components = currentComponentStatuses(readComponents(runtime.db), readCurrentTimeline(runtime));
  return jsonResponse(200, { components: components.map(componentJson) });
});

export const ALL = otherMethods({ GET });
