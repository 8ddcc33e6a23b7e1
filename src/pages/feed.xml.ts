// GET /feed.xml: the newest updates of all incidents and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { feedAnswer } from '../lib/server/http';
import { getRuntime } from '../lib/server/runtime';
import { reader } from '../lib/i18n/reader';

export const GET: APIRoute = async ({ locals }) => feedAnswer(await getRuntime(), reader(locals).locale);
