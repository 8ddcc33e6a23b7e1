// The README's screenshots are made by a script from the built server; it runs
// here into a temporary folder, so it keeps working as the pages change.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { shots, takeScreenshots } from '../../scripts/screenshots';
import { expect, test } from './fixtures';

test('npm run screenshots takes every picture the README shows, at its size', async () => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'herald-shots-'));
  const files = await takeScreenshots(dir);
  expect(files.map((f) => basename(f))).toEqual(shots.map((s) => s.file));
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  for (const [n, file] of files.entries()) {
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString(), file).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([shots[n].width, shots[n].height]);
    expect(readme, `README shows ${shots[n].file}`).toContain(`docs/screenshots/${shots[n].file}`);
  }
});
