import { describe, expect, it } from 'vitest';
import { readContentFolder } from '../../src/lib/content/index';
import { parseCatalogFile } from '../../src/lib/content/catalog';
import { parseIncidentFile } from '../../src/lib/content/incident-file';
import { contentFolder } from '../../src/lib/server/paths';

const known = new Set(['webmail', 'dns']);
const file = (frontmatter: string, body: string) => `---\n${frontmatter}\n---\n\n${body}`;
const good = file(
  'title: Slow webmail\nimpact: minor\ncomponents:\n  webmail: degraded_performance',
  '## 2026-09-14T08:20:00Z investigating\nLooking.\n\n### A sub-heading\n\n```\n## not a heading in code\n```\n\n## 2026-09-14T09:00:00+02:00 resolved\nFixed.',
);
const parse = (text: string) => parseIncidentFile('2026-09-14-slow', 'content/incidents/2026-09-14-slow.md', text, known);

describe('markdown incidents', () => {
  it('loads the example content', () => {
    const content = readContentFolder(contentFolder);
    expect(content.page.name).toBe('Example Mail');
    expect(content.catalog.components.length).toBeGreaterThanOrEqual(8);
    expect(content.authored.length).toBeGreaterThanOrEqual(10);
    expect(content.authored.filter((a) => a.kind === 'maintenance')).toHaveLength(1);
  });

  it('parses frontmatter and timed updates, skipping headings inside code', () => {
    const incident = parse(good);
    expect(incident).toMatchObject({ id: '2026-09-14-slow', title: 'Slow webmail', impact: 'minor', kind: 'incident' });
    expect(incident.components).toEqual([{ id: 'webmail', status: 'degraded_performance' }]);
    // 09:00+02:00 is 07:00Z: updates are ordered by time, not by position in the file.
    expect(incident.updates.map((u) => [u.at.toISOString(), u.status])).toEqual([
      ['2026-09-14T07:00:00.000Z', 'resolved'],
      ['2026-09-14T08:20:00.000Z', 'investigating'],
    ]);
    expect(incident.updates[1].body).toContain('## not a heading in code');
    expect(incident.startedAt.toISOString()).toBe('2026-09-14T07:00:00.000Z');
  });

  it.each([
    ['missing title', file('impact: minor', '## 2026-09-14T08:20:00Z investigating\nx'), 'title'],
    ['bad impact', file('title: T\nimpact: huge', '## 2026-09-14T08:20:00Z investigating\nx'), 'impact'],
    ['unknown status', file('title: T\nimpact: minor', '## 2026-09-14T08:20:00Z fixing\nx'), 'updates.0.status'],
    ['time without zone', file('title: T\nimpact: minor', '## 2026-09-14T08:20:00 resolved\nx'), 'updates.0.at'],
    ['bad heading', file('title: T\nimpact: minor', '## Update at noon\nx'), 'updates (line 6)'],
    ['text before updates', file('title: T\nimpact: minor', 'Intro\n## 2026-09-14T08:20:00Z resolved\nx'), 'updates (line 6)'],
    ['no updates', file('title: T\nimpact: minor', ''), 'updates'],
    ['unknown component', file('title: T\nimpact: minor\ncomponents:\n  nope: major_outage', '## 2026-09-14T08:20:00Z resolved\nx'), 'components.nope'],
    ['unknown field', file('title: T\nimpact: minor\nseverity: high', '## 2026-09-14T08:20:00Z resolved\nx'), '(file)'],
    ['broken YAML', file('title: "unclosed\nimpact: minor', '## 2026-09-14T08:20:00Z resolved\nx'), 'frontmatter'],
    // Lines: 1 ---, 2-3 frontmatter, 4 ---, 5 blank, 6 the first heading.
    ['code fence never closed', file('title: T\nimpact: minor', '## 2026-09-14T08:20:00Z investigating\nLogs:\n```\nerror 42\n\n## 2026-09-14T09:00:00Z resolved\nFixed.'), 'updates (line 11)'],
    ['unclosed fence at end of file', file('title: T\nimpact: minor', '## 2026-09-14T08:20:00Z resolved\n~~~\nx'), 'updates (line 7)'],
    ['maintenance without window', file('title: T\nkind: maintenance', '## 2026-09-14T08:20:00Z scheduled\nx'), 'scheduled_for'],
  ])('rejects a file with %s, naming the file and field', (_name, text, field) => {
    expect(() => parse(text)).toThrowError(`content/incidents/2026-09-14-slow.md: ${field}: `);
  });

  it('rejects duplicate component ids in the catalog', () => {
    const yaml = 'components:\n  - id: a\n    name: A\n  - id: a\n    name: B\n';
    expect(() => parseCatalogFile('content/components.yml', yaml)).toThrowError('content/components.yml: components.1.id: duplicate id "a"');
  });
});
