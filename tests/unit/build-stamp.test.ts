import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIsCurrent, sourceFingerprint, writeBuildStamp } from '../../scripts/build-stamp.mjs';

function project() {
  const root = mkdtempSync(join(tmpdir(), 'herald-stamp-'));
  mkdirSync(join(root, 'src', 'pages'), { recursive: true });
  mkdirSync(join(root, 'dist', 'herald'), { recursive: true });
  writeFileSync(join(root, 'src', 'pages', 'index.astro'), '<h1>Status</h1>');
  writeFileSync(join(root, 'package-lock.json'), '{}');
  writeFileSync(join(root, 'dist', 'herald', 'server.mjs'), '');
  return root;
}

describe('the build stamp npm start reads', () => {
  it('is current only while every source is as the build found it', () => {
    const root = project();
    expect(buildIsCurrent(root)).toBe(false);
    writeBuildStamp(root, sourceFingerprint(root));
    expect(buildIsCurrent(root)).toBe(true);
    writeFileSync(join(root, 'src', 'pages', 'index.astro'), '<h1>Status page</h1>');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('sees a new file and a changed lock file, not content/', () => {
    const root = project();
    writeBuildStamp(root, sourceFingerprint(root));
    mkdirSync(join(root, 'content'));
    writeFileSync(join(root, 'content', 'page.yml'), 'name: Example');
    expect(buildIsCurrent(root)).toBe(true);
    writeFileSync(join(root, 'src', 'pages', 'new.astro'), '');
    expect(buildIsCurrent(root)).toBe(false);
    writeBuildStamp(root, sourceFingerprint(root));
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('is not current without a built server', () => {
    const root = project();
    writeBuildStamp(root, sourceFingerprint(root));
    writeFileSync(join(root, 'dist', 'herald', 'server.mjs'), '');
    expect(buildIsCurrent(root)).toBe(true);
    const other = project();
    writeBuildStamp(other, sourceFingerprint(other));
    rmSync(join(other, 'dist', 'herald', 'server.mjs'));
    expect(buildIsCurrent(other)).toBe(false);
  });
});
