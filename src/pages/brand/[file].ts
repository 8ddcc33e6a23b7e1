// GET /brand/<kind>-<hash>.<ext>: the page's logo, favicon and brand stylesheet
// from content/ (src/lib/content/brand.ts). The name changes with the content,
// so each may be kept for good; any other name is a 404.
import type { APIRoute } from 'astro';
import { brandFile } from '../../lib/content/brand';
import { getRuntime } from '../../lib/server/runtime';

export const GET: APIRoute = async ({ params, rewrite }) => {
  const { brand } = (await getRuntime()).content;
  const file = brandFile(brand, params.file);
  if (!file) return rewrite('/404');
  return new Response(new Uint8Array(file.body), {
    headers: {
      'Content-Type': file.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: `"${file.name}"`,
    },
  });
};
