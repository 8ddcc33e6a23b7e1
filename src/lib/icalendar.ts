// Maintenance windows as an iCalendar feed (RFC 5545) that calendar apps
// subscribe to. Each window is one VEVENT whose UID derives from the
// maintenance's stable id, so an edited window updates the same event
// (SEQUENCE counts its updates), and a cancelled one shows as cancelled.
import type { Incident } from './model';
import { compactUtc } from './time';

/** A maintenance completed before its window began was called off. */
export function isCancelledMaintenance(m: Incident): boolean {
  return m.kind === 'maintenance' && m.status === 'completed' && !!m.resolvedAt && !!m.scheduledFor && m.resolvedAt < m.scheduledFor;
}

/**
 * TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks
 * escaped. A lone CR counts as a line break too: some readers end a line there,
 * so a title could otherwise start a property of its own.
 */
const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');

/** Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (octets + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function maintenanceCalendar(site: { pageName: string; siteUrl: string }, incidents: Incident[], now: Date): string {
  const host = new URL(site.siteUrl).hostname.replace(/^\[|\]$/g, '') || 'localhost';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Herald//Status page maintenance//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`${site.pageName} maintenance`)}`,
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const m of incidents) {
    if (m.kind !== 'maintenance' || !m.scheduledFor || !m.scheduledUntil) continue;
    const url = `${site.siteUrl}/incidents/${m.id}`;
    const latest = m.updates[0];
    const cancelled = isCancelledMaintenance(m);
    lines.push(
      'BEGIN:VEVENT',
      `UID:maintenance-${m.id}@${host}`,
      `DTSTAMP:${compactUtc(now)}`,
      `LAST-MODIFIED:${compactUtc(m.updatedAt)}`,
      `SEQUENCE:${Math.max(0, m.updates.length - 1)}`,
      `DTSTART:${compactUtc(m.scheduledFor)}`,
      `DTEND:${compactUtc(m.scheduledUntil)}`,
      `SUMMARY:${escapeText(cancelled ? `Cancelled: ${m.title}` : m.title)}`,
      `DESCRIPTION:${escapeText(`${latest ? `${latest.body}\n\n` : ''}${url}`)}`,
      `URL:${url}`,
      `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
