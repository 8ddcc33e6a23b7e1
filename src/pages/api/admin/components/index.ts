// GET /api/admin/components: every listed component with the status it shows now.
import { actingRuntime } from '../../../../lib/server/acting';
import { componentJson, handle, jsonResponse, otherMethods, readTimeline } from '../../../../lib/server/api-json';
import { readComponents } from '../../../../lib/server/read-model';
import { currentComponentStatuses } from '../../../../lib/status';

export const GET = handle(async ({ locals }) => {
  const runtime = await actingRuntime(locals);
  const components = currentComponentStatuses(readComponents(runtime.db), readTimeline(runtime, new Date()));
  return jsonResponse(200, { components: components.map(componentJson) });
});

export const ALL = otherMethods({ GET });
