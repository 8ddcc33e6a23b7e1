// GET /feed.xml: the newest updates of all incidents and maintenance (src/lib/feed.ts).
import type { APIRoute } from 'astro';
import { feedAnswer } from '../lib/server/http';
import { getRuntime } from '../lib/server/runtime';

export const GET: APIRoute = async () => feedAnswer(await getRuntime());
