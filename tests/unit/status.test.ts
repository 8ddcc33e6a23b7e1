import { describe, expect, it } from 'vitest';
import { currentComponentStatuses, pageStatus } from '../../src/lib/status';
import { component, incident } from '../helpers/factories';

describe('status roll-up', () => {
  const web = component({ id: 'web' });
  const imap = component({ id: 'imap' });

  it('is all operational with nothing open', () => {
    expect(pageStatus([web, imap], [])).toEqual({ indicator: 'none', headline: 'all_operational', description: 'All Systems Operational' });
  });

  it('lets an open incident impose its component status, and forgets it once resolved', () => {
    const open = incident({ impact: 'major', components: [{ id: 'web', status: 'partial_outage' }] });
    const shown = currentComponentStatuses([web, imap], [open]);
    expect(shown.map((c) => c.status)).toEqual(['partial_outage', 'operational']);
    expect(pageStatus(shown, [open])).toEqual({ indicator: 'major', headline: 'major_outage', description: 'Major Service Outage' });

    const resolved = { ...open, status: 'resolved' as const };
    const after = currentComponentStatuses([web, imap], [resolved]);
    expect(pageStatus(after, [resolved]).indicator).toBe('none');
  });

  it('takes the worst of live status, incidents and impacts', () => {
    const degradedLive = component({ id: 'web', status: 'degraded_performance' });
    const minor = incident({ impact: 'minor', components: [{ id: 'imap', status: 'partial_outage' }] });
    const shown = currentComponentStatuses([degradedLive, imap], [minor]);
    expect(pageStatus(shown, [minor])).toEqual({ indicator: 'minor', headline: 'partial_outage', description: 'Partial System Outage' });

    const critical = incident({ impact: 'critical' });
    expect(pageStatus(shown, [minor, critical]).indicator).toBe('critical');
    // A major outage on a component outranks a minor incident.
    const down = component({ id: 'web', status: 'major_outage' });
    expect(pageStatus([down], [minor]).indicator).toBe('major');
    expect(pageStatus([degradedLive], []).description).toBe('Partially Degraded Service');
  });

  it('shows maintenance only when nothing is worse', () => {
    const running = incident({ kind: 'maintenance', impact: 'none', status: 'in_progress', components: [{ id: 'web', status: 'under_maintenance' }] });
    const shown = currentComponentStatuses([web, imap], [running]);
    expect(shown[0].status).toBe('under_maintenance');
    expect(pageStatus(shown, [running])).toEqual({ indicator: 'maintenance', headline: 'under_maintenance', description: 'Service Under Maintenance' });
    const broken = incident({ impact: 'minor', components: [{ id: 'imap', status: 'degraded_performance' }] });
    expect(pageStatus(currentComponentStatuses([web, imap], [running, broken]), [running, broken]).indicator).toBe('minor');
    // An incident's outage outranks maintenance on the same component.
    const outage = incident({ impact: 'major', components: [{ id: 'web', status: 'major_outage' }] });
    expect(currentComponentStatuses([web], [running, outage])[0].status).toBe('major_outage');
  });
});
