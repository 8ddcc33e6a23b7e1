// A broken markdown file must fail `astro build` naming the file and the field.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/server/paths';
import { tempDir } from '../helpers/temp-db';

function projectCopy(): string {
  const dir = tempDir();
  for (const entry of ['package.json', 'astro.config.mjs', 'tsconfig.json', 'src', 'scripts', 'content', 'public']) {
    cpSync(join(projectRoot, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('astro build with broken content', () => {
  it('fails naming the file and the field', () => {
    const dir = projectCopy();
    writeFileSync(
      join(dir, 'content/incidents/2026-10-01-broken.md'),
      '---\ntitle: Broken\nimpact: minor\n---\n\n## 2026-10-01T10:00:00Z fixing\nThis status does not exist.\n',
    );
    const build = spawnSync(process.execPath, [join(dir, 'node_modules/astro/astro.js'), 'build'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    expect(build.status).not.toBe(0);
    expect(build.stdout + build.stderr).toContain('content/incidents/2026-10-01-broken.md: updates.0.status: "fixing" is not one of');
  });

  it('fails on a brand accent that white text cannot be read on, naming the field', () => {
    const dir = projectCopy();
    appendFileSync(join(dir, 'content/page.yml'), 'brand:\n  accent: "#7fdbff"\n');
    const build = spawnSync(process.execPath, [join(dir, 'node_modules/astro/astro.js'), 'build'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    expect(build.status).not.toBe(0);
    expect(build.stdout + build.stderr).toMatch(/content\/page\.yml: brand\.accent: #7fdbff under white text has a contrast of 1\.\d\d:1; it needs 4\.5:1/);
  });
});
