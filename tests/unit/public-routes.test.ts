// The server answers "page not found" for addresses no page can answer, before
// Astro; it must never say so for one a page does answer. Every file under
// src/pages is checked, so a new page cannot be forgotten in the table.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config';
import { readContentFolder } from '../../src/lib/content/index';
import { contentFolder, projectRoot } from '../../src/lib/server/paths';
import { publicPathMayExist } from '../../src/lib/server/http/public-routes';
import { RenderCache } from '../../src/lib/server/http/render-cache';
import { StorageHealth } from '../../src/lib/server/storage/storage-health';
import type { Runtime } from '../../src/lib/server/runtime';
import { createIncident } from '../../src/lib/server/publishing/staff-actions';
import { trashIncident } from '../../src/lib/server/storage/trash';
import { freshContext } from '../helpers/temp-db';

const brandLogo = 'logo-0123456789ab.svg';

function runtime(): Runtime {
  const ctx = freshContext();
  // With a brand's logo, as content/page.yml may name one (src/lib/content/brand.ts).
  const content = { ...readContentFolder(contentFolder), brand: { logo: { name: brandLogo, type: 'image/svg+xml', body: Buffer.from('<svg/>') }, favicon: null, stylesheet: null } };
  return { ...ctx, config: loadConfig({ HERALD_DB: ctx.path }), content, renderCache: new RenderCache(), storage: new StorageHealth(ctx.path) };
}

/** A real example for each parameter a page takes. */
const examples: Record<string, string> = {
  slug: '2026-09-19-database-corruption-outage',
  month: '2026-11',
  id: 'webmail',
  '...path': 'sig/aHR0cHM6Ly9leGFtcGxlLmNvbS9hLnBuZw',
  '...rest': 'anything/here',
  file: brandLogo,
};

const pagesFolder = join(projectRoot, 'src/pages');
const pagePaths = readdirSync(pagesFolder, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.(astro|ts)$/.test(entry.name))
  .map((entry) => `/${relative(pagesFolder, join(entry.parentPath, entry.name))}`)
  .map((file) =>
    file
      .replace(/\.(astro|ts)$/, '')
      .replace(/\/index$/, '')
      .replace(/\[([^\]]+)\]/g, (_, name: string) => examples[name] ?? name) || '/',
  );

describe('publicPathMayExist', () => {
  const r = runtime();

  it.each(pagePaths)('lets a page answer %s', (path) => {
    expect(publicPathMayExist(r, path)).toBe(true);
    expect(publicPathMayExist(r, `${path}/`.replace('//', '/'))).toBe(true);
  });

  it('knows the brand files by their names, and no other', () => {
    expect(publicPathMayExist(r, `/brand/${brandLogo}`)).toBe(true);
    for (const path of ['/brand/logo-000000000000.svg', '/brand', '/brand/a/b']) expect(publicPathMayExist(r, path), path).toBe(false);
  });

  it('lets every page be asked with escapes a browser may send', () => {
    expect(publicPathMayExist(r, '/incidents/2026-09-19-database-corruption%2Doutage')).toBe(true);
    expect(publicPathMayExist(r, '/%E0%A4%A')).toBe(true); // malformed: Astro answers 400
  });

  it('knows a live incident by its id, and forgets it once it is in the trash', () => {
    const id = createIncident(r, { title: 'Live one', impact: 'minor', message: 'Looking.' });
    expect(publicPathMayExist(r, `/incidents/${id}`)).toBe(true);
    trashIncident(r, id);
    expect(publicPathMayExist(r, `/incidents/${id}`)).toBe(false);
  });

  it.each([
    '/nothing-here',
    '/incidents/no-such-incident',
    '/incidents/2026-09-19-database-corruption-outage/extra',
    '/components/no-such-component',
    '/components/no-such-component/feed.xml',
    '/components/webmail/other.xml',
    '/history/2026-13',
    '/history/last-year',
    '/api/v2/nothing.json',
    '/wp-login.php',
    '/a/b/c/d/e',
  ])('refuses %s', (path) => {
    expect(publicPathMayExist(r, path)).toBe(false);
  });
});
