// The layout's rules, checked on every import in src/ (README: Project structure; docs/contributors.md: Architecture):
// views present what they are given, pages never reach the database's tables,
// the plain-TypeScript domain knows nothing of the server, and other modules
// reach a server domain only through its index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');
const server = join(src, 'lib/server');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ts|mjs|astro)$/.test(name) ? [path] : [];
  });
}

interface Import {
  file: string;
  /** As written. */
  spec: string;
  /** Absolute, for relative specifiers (without extension resolution). */
  target: string | null;
}

const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((m) => ({ file, spec: m[2], target: m[2].startsWith('.') ? resolve(dirname(file), m[2]) : null }));
}

const all = filesUnder(src).flatMap(importsOf);
const rel = (path: string) => relative(root, path);
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
const shown = (list: Import[]) => list.map((i) => `${rel(i.file)} imports ${i.spec}`);

/** The server's domain folders: each has an index.ts, its public face. */
const domains = readdirSync(server).filter((name) => statSync(join(server, name)).isDirectory());
/** The few cross-cutting modules that stand beside the domains. */
const looseFiles = ['db.ts', 'log.ts', 'paths.ts', 'public-address.ts', 'runtime.ts', 'secrets.ts', 'site-secrets.ts', 'validate.ts'];

describe('the layout', () => {
  it('keeps server code in domain folders, each with its index.ts, beside a few cross-cutting modules', () => {
    expect(domains.sort()).toEqual(['accounts', 'doctor', 'export', 'http', 'images', 'metrics', 'publishing', 'read-model', 'readers', 'storage', 'subscribers']);
    for (const domain of domains) expect(statSync(join(server, domain, 'index.ts')).isFile(), domain).toBe(true);
    const loose = readdirSync(server).filter((name) => !domains.includes(name));
    expect(loose.sort()).toEqual(looseFiles);
  });

  it('components and layouts never import server code: they present what they are given', () => {
    const views = all.filter((i) => (inside(i.file, join(src, 'components')) || inside(i.file, join(src, 'layouts'))) && i.target && inside(i.target, server));
    expect(shown(views)).toEqual([]);
  });

  it('pages never import drizzle or the schema: every read and write is a function of the server domain', () => {
    const pages = all.filter((i) => inside(i.file, join(src, 'pages')) && (i.spec.startsWith('drizzle-orm') || (i.target && inside(i.target, join(src, 'db/schema')))));
    expect(shown(pages)).toEqual([]);
  });

  it('the domain in src/lib knows nothing of the server', () => {
    const lib = all.filter((i) => inside(i.file, join(src, 'lib')) && !inside(i.file, server) && i.target && inside(i.target, server));
    expect(shown(lib)).toEqual([]);
  });

  it('modules outside a server domain reach it through its index.ts only', () => {
    const around = all.filter((i) => {
      if (!i.target || !inside(i.target, server)) return false;
      const domain = domains.find((d) => inside(i.target!, join(server, d)));
      if (!domain || inside(i.file, join(server, domain))) return false;
      return i.target !== join(server, domain) && i.target !== join(server, domain, 'index');
    });
    expect(shown(around)).toEqual([]);
  });

  it('finds the imports it checks (so the checks above cannot pass on nothing)', () => {
    expect(all.length).toBeGreaterThan(500);
    expect(all.some((i) => i.target && inside(i.target, join(server, 'read-model')) && inside(i.file, join(src, 'pages')))).toBe(true);
  });
});
