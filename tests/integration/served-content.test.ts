// The content the page shows is what the server read from content/ when it
// started (publishing/content-sync.ts keeps it in the database): the CLI acts
// on that, not on files the server has not read, and a markdown file cannot
// take the id of an incident made live.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentFromJson, contentToJson, readContentFolder, type Content } from '../../src/lib/content/index';
import { openDatabase } from '../../src/lib/server/db';
import { servedContent, syncContent } from '../../src/lib/server/publishing';
import { readIncident } from '../../src/lib/server/read-model';
import { contentFolder, projectRoot } from '../../src/lib/server/paths';
import { tempDir } from '../helpers/temp-db';

function herald(db: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin/herald.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, HERALD_DB: db } });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

const folder = () => readContentFolder(contentFolder);

describe('the content the server read', () => {
  it('survives the trip through the database unchanged, dates and all', () => {
    const content = folder();
    expect(content.authored.length).toBeGreaterThan(1);
    expect(contentFromJson(contentToJson(content))).toEqual(content);
  });

  it('is what the CLI acts on: a file the server has not read is refused, one it read and that left the folder still takes updates', () => {
    const path = join(tempDir(), 'herald.db');
    const db = openDatabase(path);
    const [kept, notRead] = folder().authored;
    // The server started before `notRead` was written, and with a file since deleted from content/.
    const gone = { ...kept, id: '2026-10-01-since-deleted', title: 'Since deleted', filePath: 'content/incidents/2026-10-01-since-deleted.md' };
    const served: Content = { ...folder(), authored: [...folder().authored.filter((a) => a.id !== notRead.id), gone] };
    syncContent(db, served);
    db.$client.close();

    const refused = herald(path, 'incident', 'update', notRead.id, '--status', 'monitoring', '--message', 'Watching.');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`content/incidents/${notRead.id}.md is not on the page yet`);

    const posted = herald(path, 'incident', 'update', gone.id, '--status', 'monitoring', '--message', 'Still shown, still updated.');
    expect(posted.code, posted.err).toBe(0);
    const reader = openDatabase(path);
    const shown = readIncident({ db: reader, authored: servedContent(reader)!.authored }, gone.id)!;
    expect(shown.incident.updates[0].body).toBe('Still shown, still updated.');
    expect(servedContent(reader)).toEqual(served); // the CLI did not replace it with the folder
  });

  it('before any server has run, is content/ itself, taken in as the server would', () => {
    const path = join(tempDir(), 'herald.db');
    expect(herald(path, 'incident', 'list').code).toBe(0);
    expect(servedContent(openDatabase(path))).toEqual(folder());
  });

  it('refuses, naming the file, a markdown incident whose id a live incident already has', () => {
    const path = join(tempDir(), 'herald.db');
    const db = openDatabase(path);
    const [file] = folder().authored;
    db.$client.prepare("INSERT INTO incidents (id, kind, title, impact, started_at, created_at) VALUES (?, 'incident', 'Live one', 'minor', ?, ?)").run(file.id, Date.now(), Date.now());
    expect(() => syncContent(db, folder())).toThrow(`${file.filePath}: id: "${file.id}" is already the id of an incident made in the console, the API or the CLI; rename the file`);
    expect(servedContent(db)).toBeNull();
  });

  it('refuses, naming the file, a template file whose id a console template already has', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    const [template] = folder().templates;
    db.$client
      .prepare("INSERT INTO incident_templates (id, name, kind, title, impact, status, components, message, follow_ups, created_at, updated_at) VALUES (?, 'Mine', 'incident', 'x', 'minor', 'investigating', '[]', 'x', '{}', 0, 0)")
      .run(template.id);
    expect(() => syncContent(db, folder())).toThrow(`${template.filePath}: id: "${template.id}" is already the id of a template saved in the console; rename the file (or delete that template)`);
    expect(servedContent(db)).toBeNull();
  });
});
