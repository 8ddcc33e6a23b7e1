// The manual is found from the README in one hop, and no relative link in it
// points at a file or heading that is not there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/server/paths';

const pages = ['README.md', 'SECURITY.md', ...readdirSync(join(projectRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const textOf = (page: string) => readFileSync(join(projectRoot, page), 'utf8');
/** GitHub's anchor for a heading: lower case, punctuation out, spaces as dashes. */
const anchor = (heading: string) => heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
const headingsOf = (page: string) => {
  let fence = false;
  return textOf(page).split('\n').flatMap((line) => {
    if (line.startsWith('```')) fence = !fence;
    return !fence && /^#{1,6} /.test(line) ? [anchor(line.replace(/^#+ /, '').trim())] : [];
  });
};

it('the README links every page of docs/', () => {
  const readme = textOf('README.md');
  for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(readme, page).toContain(`](${page}`);
});

it('every relative link in the README and docs/ reaches a file, and a heading where it names one', () => {
  const links = pages.flatMap((page) => [...textOf(page).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ page, target: m[1] })));
  const relative = links.filter((l) => !/^[a-z]+:/.test(l.target));
  expect(relative.length).toBeGreaterThan(10);
  for (const { page, target } of relative) {
    const [file, hash] = target.split('#');
    const path = file ? join(dirname(page), file) : page;
    expect(existsSync(join(projectRoot, path)), `${page} → ${target}`).toBe(true);
    if (hash && path.endsWith('.md')) expect(headingsOf(path), `${page} → ${target}`).toContain(hash);
  }
});
