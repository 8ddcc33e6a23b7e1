// reloadContent (runtime.ts) on a content folder of its own: a change is taken
// in whole and audited, an unchanged folder is not, and a broken file keeps
// the last good content with the file and field recorded for the CLI.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../src/lib/server/paths';
import { tempDir } from '../helpers/temp-db';

const folder = join(tempDir(), 'content');
cpSync(join(projectRoot, 'content'), folder, { recursive: true });
vi.stubEnv('CONTENT_DIR', folder);
vi.stubEnv('HERALD_DB', join(tempDir(), 'herald.db'));

describe('reloading the content folder', () => {
  it('takes a change in, leaves an unchanged folder alone, and keeps the last good content when a file breaks', async () => {
    // paths.ts reads CONTENT_DIR when first loaded: load the server's modules afresh, with it set.
    vi.resetModules();
    const { startRuntime, reloadContent } = await import('../../src/lib/server/runtime');
    const { describeContentProblem, readContentProblem } = await import('../../src/lib/server/publishing');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const runtime = await startRuntime();
    const audits = () => runtime.db.$client.prepare("SELECT count(*) FROM audit_log WHERE action = 'content.reload'").pluck().get();
    expect(reloadContent(runtime, 'test').outcome).toBe('unchanged');
    expect(audits()).toBe(0);

    const file = join(folder, 'incidents', '2026-11-20-reloaded.md');
    writeFileSync(file, '---\ntitle: Reloaded\nimpact: minor\nstarted: 2026-11-20T09:00:00Z\n---\n\n## 2026-11-20T09:10:00Z investigating\nLooking.\n');
    const before = runtime.content;
    expect(reloadContent(runtime, 'test').outcome).toBe('reloaded');
    expect(runtime.content).not.toBe(before);
    expect(runtime.authored.some((a) => a.id === '2026-11-20-reloaded')).toBe(true);
    expect(audits()).toBe(1);

    writeFileSync(file, '---\ntitle: Reloaded\nimpact: enormous\nstarted: 2026-11-20T09:00:00Z\n---\n\n## 2026-11-20T09:10:00Z investigating\nLooking.\n');
    const good = runtime.content;
    const result = reloadContent(runtime, 'test');
    expect(result.outcome).toBe('kept');
    expect(runtime.content).toBe(good);
    const problem = readContentProblem(runtime.db)!;
    expect(problem.file).toBe('content/incidents/2026-11-20-reloaded.md');
    expect(problem.field).toBe('impact');
    expect(describeContentProblem(problem)).toMatch(/^content\/incidents\/2026-11-20-reloaded\.md: impact: /);
    expect(runtime.contentProblem).toEqual(problem);

    writeFileSync(file, '---\ntitle: Reloaded again\nimpact: minor\nstarted: 2026-11-20T09:00:00Z\n---\n\n## 2026-11-20T09:10:00Z investigating\nLooking.\n');
    expect(reloadContent(runtime, 'test').outcome).toBe('reloaded');
    expect(readContentProblem(runtime.db)).toBeNull();
    expect(runtime.contentProblem).toBeNull();
  });
});
