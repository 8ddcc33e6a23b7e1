// GET /badge.svg: the page's overall status as a badge for READMEs and dashboards.
import type { APIRoute } from 'astro';
import { badgeSvg, indicatorBadge } from '../lib/badge';
import { etagResponse, badgeHeaders } from '../lib/server/http';
import { getRuntime } from '../lib/server/runtime';
import { readCurrentStatus } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const runtime = await getRuntime();
  const { status } = readCurrentStatus(runtime);
  const { name } = runtime.content.page;
  const { tone, message } = indicatorBadge[status.indicator];
  const svg = badgeSvg(name, message, tone, `${name} status: ${status.description}`);
  return etagResponse(svg, badgeHeaders);
};
