// GET /img/<signature>/<url>: an image from another host, served as this
// site's own (src/lib/server/images/proxy.ts).
import type { APIRoute } from 'astro';
import { imageProxy, imageResponse } from '../../lib/server/images';
import { getRuntime } from '../../lib/server/runtime';

export const GET: APIRoute = async ({ params }) => imageResponse(imageProxy(await getRuntime()), params.path ?? '');
