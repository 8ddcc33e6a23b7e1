// Placeholders and the template file format: known placeholders filled, code
// left alone, unknown or unfillable ones refused; a broken template file
// fails naming file and field.
import { describe, expect, it } from 'vitest';
import { readContentFolder } from '../../src/lib/content/index';
import { parseTemplateFile } from '../../src/lib/content/template-file';
import { fillPlaceholders, listOfNames, placeholdersIn } from '../../src/lib/placeholders';
import { contentFolder } from '../../src/lib/server/paths';

const known = new Set(['webmail', 'dns', 'inbound']);
const file = (frontmatter: string, body = 'Something is wrong with {{component}}.') => `---\n${frontmatter}\n---\n${body}\n`;

describe('placeholders', () => {
  it('fills every known one outside code and leaves code as written', () => {
    const text = 'On {{page}}, {{ component }} is down until {{next_update}}; window {{start}} to {{end}}. `{{component}}` and\n```\n{{page}}\n```';
    expect(placeholdersIn(text)).toEqual(['page', 'component', 'next_update', 'start', 'end']);
    const result = fillPlaceholders(text, { page: 'Example Mail', component: 'Web interface', next_update: '15:30 UTC', start: '02:00', end: '04:00' });
    expect(result).toEqual({ text: 'On Example Mail, Web interface is down until 15:30 UTC; window 02:00 to 04:00. `{{component}}` and\n```\n{{page}}\n```' });
  });

  it('names the first unknown or unfillable one instead', () => {
    expect(fillPlaceholders('Hi {{customer}}', {})).toEqual({ unknown: 'customer' });
    expect(fillPlaceholders('Next by {{next_update}}', { component: 'x' })).toEqual({ unfilled: 'next_update' });
    expect(fillPlaceholders('No placeholders {here}', {})).toEqual({ text: 'No placeholders {here}' });
    // A title is plain text: backticks are characters, not code.
    expect(fillPlaceholders('`{{component}}` down', { component: 'Web' }, 'plain')).toEqual({ text: '`Web` down' });
    // An escaped backtick in markdown opens no code span.
    expect(fillPlaceholders('\\`{{component}}\\` down', { component: 'Web' })).toEqual({ text: '\\`Web\\` down' });
  });

  it('lists names as a sentence would', () => {
    expect(listOfNames(['A'])).toBe('A');
    expect(listOfNames(['A', 'B'])).toBe('A and B');
    expect(listOfNames(['A', 'B', 'C'])).toBe('A, B and C');
  });
});

describe('template files', () => {
  it('reads the example templates in content/templates/', () => {
    const { templates } = readContentFolder(contentFolder);
    expect(templates.map((t) => [t.id, t.kind])).toEqual([
      ['kernel-upgrade', 'maintenance'],
      ['webmail-outage', 'incident'],
    ]);
    const outage = templates.find((t) => t.id === 'webmail-outage')!;
    expect(outage).toMatchObject({ name: 'Web interface down', impact: 'major', status: 'investigating', nextUpdate: '30m', components: [{ id: 'webmail', status: 'major_outage' }] });
    expect(Object.keys(outage.followUps)).toEqual(['identified', 'monitoring', 'resolved']);
  });

  it.each([
    [file('title: x\nimpact: severe'), /^content\/templates\/t\.md: impact: /],
    [file('title: x', 'Hello {{customer}}.'), /^content\/templates\/t\.md: message: \{\{customer\}\} is not a placeholder/],
    [file('title: x', 'From {{start}}.'), /^content\/templates\/t\.md: message: \{\{start\}\} is a maintenance window's/],
    [file('title: x', 'First.\n\n## fixed\nDone.'), /^content\/templates\/t\.md: ## fixed: not a later status of an incident/],
    [file('title: x', 'First.\n\n## resolved\nOn {{pgae}}.'), /^content\/templates\/t\.md: ## resolved: \{\{pgae\}\} is not a placeholder/],
    [file('title: x\ncomponents:\n  nosuch: major_outage'), /^content\/templates\/t\.md: components\.nosuch: no such component/],
    [file('title: x\nnext_update: soon'), /^content\/templates\/t\.md: next_update: write a wait such as 30m/],
    [file('title: x\nduration: 2h'), /^content\/templates\/t\.md: duration: only maintenance has a window/],
    [file('kind: maintenance\ntitle: x\nimpact: major'), /^content\/templates\/t\.md: impact: maintenance has no impact/],
    [file('title: x', ''), /^content\/templates\/t\.md: message: write the first message/],
    [file('title: x\nmessage: hi'), /^content\/templates\/t\.md: message: write messages below the frontmatter/],
    [file('title: x', 'First.\n\n## resolved\nNext by {{next_update}}.'), /^content\/templates\/t\.md: ## resolved: \{\{next_update\}\} cannot be filled here: an update that closes/],
    [file('kind: maintenance\ntitle: x\nnext_update: 1h'), /^content\/templates\/t\.md: next_update: maintenance promises no next update/],
    [file('kind: maintenance\ntitle: x', 'Back by {{next_update}}.'), /^content\/templates\/t\.md: message: \{\{next_update\}\} cannot be filled here: maintenance/],
    [file('title: "`{{who}}` down"'), /^content\/templates\/t\.md: title: \{\{who\}\} is not a placeholder/],
  ])('refuses a broken file, naming file and field: %#', (text, error) => {
    expect(() => parseTemplateFile('t', 'content/templates/t.md', text, known)).toThrowError(error);
  });
});
