// GET /badge.svg: the page's overall status as a badge for READMEs and dashboards.
import type { APIRoute } from 'astro';
import { badgeSvg, indicatorBadge } from '../lib/badge';
import { etagResponse } from '../lib/server/http-cache';
import { badgeHeaders } from '../lib/server/statuspage-api';
import { getRuntime } from '../lib/server/runtime';
import { loadStatusPage } from '../lib/server/read-model';

export const GET: APIRoute = async () => {
  const view = loadStatusPage(await getRuntime(), new Date(), { recentDays: 90 });
  const { tone, message } = indicatorBadge[view.status.indicator];
  const svg = badgeSvg(view.page.name, message, tone, `${view.page.name} status: ${view.status.description}`);
  return etagResponse(svg, badgeHeaders);
};
