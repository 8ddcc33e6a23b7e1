// Templates through the publishing domain on a real SQLite file: an incident
// and a maintenance opened from the example templates, every placeholder
// filled, later messages suggested, placeholders never stored raw, and
// templates saved, changed and deleted in the console, audited.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema';
import { readContentFolder, type Content } from '../../src/lib/content/index';
import { contentFolder } from '../../src/lib/server/paths';
import { createIncident, editIncident, postUpdate, resolveIncident, scheduleMaintenance } from '../../src/lib/server/publishing/staff-actions';
import { deleteTemplate, editTemplate, findTemplate, listTemplates, saveTemplate } from '../../src/lib/server/publishing/templates';
import { readIncident } from '../../src/lib/server/read-model';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';

const content: Content = readContentFolder(contentFolder);
const t0 = new Date('2026-12-02T14:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const setup = () => {
  const ctx = freshContext();
  return { ...ctx, content: { page: { ...content.page, name: 'Example Mail', time_zone: 'Europe/Berlin' }, templates: content.templates } };
};

function refusal(act: () => unknown): ActionError {
  try {
    act();
  } catch (error) {
    if (error instanceof ActionError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('templates', () => {
  it('opens an incident from a template with every field filled, and suggests its later messages', () => {
    const ctx = setup();
    const id = createIncident(ctx, { template: 'webmail-outage' }, t0);
    let incident = readIncident(ctx, id, at(1))!.incident;
    expect(incident).toMatchObject({ title: 'Web interface: logins failing', impact: 'major', status: 'investigating', templateId: 'webmail-outage' });
    expect(incident.components).toEqual([{ id: 'webmail', status: 'major_outage', peak: 'major_outage' }]);
    expect(incident.nextUpdateBy).toEqual(at(30));
    expect(incident.updates[0].body).toBe(
      'We are investigating reports that Web interface does not let customers log in.\nMail is still delivered and nothing is lost. Next update by 2 Dec 2026, 15:30 CET (14:30 UTC).',
    );
    // A later update without a message takes the template's text for its status, and its promise.
    postUpdate(ctx, id, { status: 'identified' }, at(20));
    incident = readIncident(ctx, id, at(21))!.incident;
    expect(incident.updates[0].body).toBe('We have found the cause of the failing logins to Web interface and are fixing it.\nNext update by 2 Dec 2026, 15:50 CET (14:50 UTC).');
    expect(incident.nextUpdateBy).toEqual(at(50));
    resolveIncident(ctx, id, undefined, at(40));
    incident = readIncident(ctx, id, at(41))!.incident;
    expect(incident.updates[0].body).toMatch(/^Logins to Web interface work normally again\./);
    expect(incident.nextUpdateBy).toBeNull();
    // What is given wins over the template.
    const mine = { template: 'webmail-outage', title: 'Logins failing for some', impact: 'minor', components: [{ id: 'imap-pop', status: 'degraded_performance' as const }], nextUpdate: '' };
    // No promise, but the template's text says {{next_update}}: refused, not posted with a hole.
    expect(refusal(() => createIncident(ctx, mine, t0)).field).toBe('message');
    const own = createIncident(ctx, { ...mine, message: 'We are looking at {{component}}.' }, t0);
    expect(readIncident(ctx, own, at(1))!.incident).toMatchObject({ title: 'Logins failing for some', impact: 'minor', nextUpdateBy: null, components: [{ id: 'imap-pop', status: 'degraded_performance' }] });
    expect(readIncident(ctx, own, at(1))!.incident.updates[0].body).toBe('We are looking at IMAP and POP.');
  });

  it('schedules a maintenance from a template: its window from the duration, {{start}} and {{end}} filled', () => {
    const ctx = setup();
    const id = scheduleMaintenance(ctx, { template: 'kernel-upgrade', scheduledFor: '2026-12-06T02:00:00+01:00' }, t0);
    const maintenance = readIncident(ctx, id, at(1))!.incident;
    expect(maintenance).toMatchObject({ title: 'Kernel upgrade on Inbound delivery and Outbound queue', scheduledUntil: new Date('2026-12-06T03:00:00Z'), templateId: 'kernel-upgrade' });
    expect(maintenance.updates[0].body).toBe(
      'We are upgrading the servers behind Inbound delivery and Outbound queue from 6 Dec 2026, 02:00 CET (01:00 UTC) to 6 Dec 2026, 04:00 CET (03:00 UTC).\nMail may arrive a few minutes late; nothing is lost.',
    );
    expect(refusal(() => createIncident(ctx, { template: 'kernel-upgrade' }, t0))).toMatchObject({ field: 'template', message: 'template "kernel-upgrade" is for maintenance' });
    expect(refusal(() => createIncident(ctx, { template: 'nosuch' }, t0))).toMatchObject({ field: 'template', reason: 'not_found' });
  });

  it('never stores a placeholder raw: unknown or unfillable ones are refused, naming the field', () => {
    const ctx = setup();
    const base = { title: 'Down', impact: 'major', message: 'Looking.' };
    expect(refusal(() => createIncident(ctx, { ...base, title: 'Hello {{customer}}' }, t0)).field).toBe('title');
    expect(refusal(() => createIncident(ctx, { ...base, message: '{{component}} is down' }, t0)).message).toMatch(/choose at least one/);
    expect(refusal(() => createIncident(ctx, { ...base, message: 'Next by {{next_update}}' }, t0)).message).toMatch(/choose when it is due/);
    expect(refusal(() => createIncident(ctx, { ...base, message: 'From {{start}}' }, t0)).message).toMatch(/only maintenance has one/);
    const id = createIncident(ctx, { ...base, message: 'Set `{{component}}` in your config; {{page}} is on it.' }, t0);
    const [update] = readIncident(ctx, id, at(1))!.incident.updates;
    expect(update.body).toBe('Set `{{component}}` in your config; Example Mail is on it.');
    expect(refusal(() => postUpdate(ctx, id, { status: 'identified' }, at(5))).message).toBe('message is required');
    // Editing a title fills it, or refuses it, as posting does.
    const live = createIncident(ctx, { ...base, components: [{ id: 'webmail', status: 'major_outage' }] }, t0);
    editIncident(ctx, live, { title: '{{component}} down' }, at(1));
    expect(readIncident(ctx, live, at(2))!.incident.title).toBe('Web interface down');
    expect(refusal(() => editIncident(ctx, live, { title: '{{customer}} down' }, at(3))).field).toBe('title');
    // What a placeholder is filled with counts toward the length.
    expect(refusal(() => createIncident(ctx, { ...base, title: `${'x'.repeat(195)} {{page}}` }, t0)).message).toBe('title is longer than 200 characters');
  });

  it('saves, changes and deletes console templates beside those in git, audited', () => {
    const ctx = { ...setup(), actor: { label: 'jane@example.com', userId: null } };
    const input = {
      name: 'DNS trouble',
      kind: 'incident',
      title: '{{component}} slow',
      impact: 'minor',
      components: [{ id: 'dns', status: 'degraded_performance' }],
      nextUpdate: '1h',
      message: 'Lookups on {{component}} are slow.',
      followUps: { resolved: 'Fast again.', monitoring: '' },
    };
    const id = saveTemplate(ctx, input, t0);
    expect(id).toBe('dns-trouble');
    expect(listTemplates(ctx).map((t) => t.id)).toEqual(['kernel-upgrade', 'webmail-outage', 'dns-trouble']);
    expect(findTemplate(ctx, id)).toMatchObject({ source: 'console', followUps: { resolved: 'Fast again.' }, nextUpdate: '1h' });
    const incident = createIncident(ctx, { template: id }, t0);
    expect(readIncident(ctx, incident, at(1))!.incident.title).toBe('DNS and custom domains slow');

    expect(refusal(() => saveTemplate(ctx, { ...input, message: 'Hi {{who}}' }))).toMatchObject({ field: 'message' });
    expect(refusal(() => saveTemplate(ctx, { ...input, followUps: { fixed: 'x' } }))).toMatchObject({ field: 'followUp.fixed' });
    expect(refusal(() => saveTemplate(ctx, { ...input, nextUpdate: 'later' }))).toMatchObject({ field: 'nextUpdate' });
    expect(refusal(() => editTemplate(ctx, 'webmail-outage', input))).toMatchObject({ reason: 'conflict' });

    editTemplate(ctx, id, { ...input, title: 'Slow {{component}}' }, at(1));
    expect(findTemplate(ctx, id).title).toBe('Slow {{component}}');
    deleteTemplate(ctx, id, at(2));
    expect(refusal(() => findTemplate(ctx, id)).reason).toBe('not_found');
    const actions = ctx.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.target, id)).all().map((r) => r.action);
    expect(actions).toEqual(['template.create', 'template.edit', 'template.delete']);
  });
});
