// What Herald mails, as plain data: subject, a plain-text and an HTML part,
// and the headers that thread one incident's updates together and let mail
// clients unsubscribe in one click (RFC 8058). No remote images, no scripts:
// the HTML is our sanitized markdown in a plain, inline-styled frame.
import { componentStatusLabels, isClosedStatus, updateStatusLabels, type ComponentStatus, type UpdateStatus } from '../../db/constants';
import { escapeHtml } from '../escape';
import { renderMarkdown } from '../markdown';
import type { Incident, IncidentUpdate, WindowMoment } from '../model';
import { formatDateTime, formatWindow, formatWithUtc } from '../time';

export interface MailSite {
  pageName: string;
  siteUrl: string;
  timeZone: string;
  /** Names the page shows for components, by id; a component missing here (not listed) shows its id, as on the page. */
  componentNames: ReadonlyMap<string, string>;
}

const nameOf = (site: MailSite, id: string) => site.componentNames.get(id) ?? id;
const statusWords = (status: ComponentStatus) => componentStatusLabels[status].toLowerCase();

/**
 * "Web interface: major outage, DNS: degraded performance": what customers
 * read on the page. Once an incident is over, the worst each component got.
 */
export function affectedLine(site: MailSite, incident: Incident, over: boolean): string {
  return incident.components
    .map((c) => (over ? `${nameOf(site, c.id)}: ${statusWords(c.peak)} at worst` : `${nameOf(site, c.id)}: ${statusWords(c.status)}`))
    .join(', ');
}

/** "Web interface: major outage → degraded performance": what this update changed. */
export function changesLine(site: MailSite, update: IncidentUpdate): string {
  return update.componentChanges.map((c) => `${nameOf(site, c.id)}: ${statusWords(c.from)} → ${statusWords(c.to)}`).join(', ');
}

/** The promise an update made, as customers read it; empty when it made none or the incident is over. */
export function promiseLine(site: MailSite, update: IncidentUpdate): string {
  return update.nextUpdateBy && !isClosedStatus(update.status) ? `Next update by ${formatWithUtc(update.nextUpdateBy, site.timeZone)}` : '';
}

/** A maintenance's window in the page's zone and UTC; empty for incidents. */
export function windowLine(site: MailSite, incident: Incident): string {
  return incident.kind === 'maintenance' && incident.scheduledFor && incident.scheduledUntil
    ? `When: ${formatWindow(incident.scheduledFor, incident.scheduledUntil, site.timeZone)}`
    : '';
}

/** An update's status as subscribers read it; a maintenance completed before its window never happened, so it reads as cancelled. */
export function updateLabel(incident: Incident, update: IncidentUpdate & { status: UpdateStatus }): string {
  const calledOff = incident.kind === 'maintenance' && update.status === 'completed' && !!incident.scheduledFor && update.at < incident.scheduledFor;
  return calledOff ? 'Cancelled' : updateStatusLabels[update.status];
}

/** What a maintenance window's moment is called, and the sentence that announces it. */
export const windowMomentWords: Record<WindowMoment, { label: string; line: string }> = {
  reminder: { label: 'Starts soon', line: 'Planned maintenance starts soon.' },
  started: { label: updateStatusLabels.in_progress, line: 'Planned maintenance has started.' },
  completed: { label: updateStatusLabels.completed, line: 'Planned maintenance ended as planned.' },
};

export interface MailLinks {
  manage: string;
  unsubscribe: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  headers: Record<string, string>;
}

/**
 * A subject line: `[Page status] text`, on one line. A title may hold a line
 * break (the API takes any text); in a header it would start a new header.
 */
function subject(site: MailSite, text: string): string {
  return `[${site.pageName} status] ${text}`.replace(/\s*[\r\n]+\s*/g, ' ');
}

function domain(site: MailSite): string {
  return new URL(site.siteUrl).hostname.replace(/^\[|\]$/g, '') || 'localhost';
}

/** The thread an incident's mails share for one subscriber: the first one's Message-ID. */
export function threadId(site: MailSite, incidentId: string, subscriberId: number): string {
  return `<incident.${incidentId}.${subscriberId}@${domain(site)}>`;
}

/** Mail clients fetch remote images; ours never ask them to. Images become their alt text. */
function withoutImages(html: string): string {
  return html.replace(/<img\b[^>]*?(?:\balt="([^"]*)")?[^>]*>/gi, (_, alt: string | undefined) => (alt ? `[${alt}]` : ''));
}

function renderedBody(update: IncidentUpdate, cache?: Map<string, unknown>): string {
  const key = `${update.id}\n${update.editedAt?.getTime() ?? ''}`;
  const cached = cache?.get(key);
  if (typeof cached === 'string') return cached;
  const html = withoutImages(renderMarkdown(update.body));
  cache?.set(key, html);
  return html;
}

function frame(site: MailSite, heading: string, bodyHtml: string, footerHtml: string): string {
  const font = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(heading)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#ffffff;color:#1f2328;${font}line-height:1.5">`,
    `<div style="max-width:600px;margin:0 auto">`,
    `<p style="margin:0 0 8px;color:#59636e;font-size:14px">${escapeHtml(site.pageName)} status</p>`,
    `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">${escapeHtml(heading)}</h1>`,
    bodyHtml,
    `<hr style="border:none;border-top:1px solid #d1d9e0;margin:24px 0 12px">`,
    `<p style="margin:0;color:#59636e;font-size:13px">${footerHtml}</p>`,
    '</div></body></html>',
  ].join('');
}

function listHeaders(links: MailLinks): Record<string, string> {
  return {
    'List-Unsubscribe': `<${links.unsubscribe}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

function footer(site: MailSite, links: MailLinks) {
  return {
    text: `You follow ${site.pageName} status.\nChoose what you get: ${links.manage}\nUnsubscribe: ${links.unsubscribe}`,
    html: `You follow ${escapeHtml(site.pageName)} status. <a href="${escapeHtml(links.manage)}" style="color:#0550ae">Choose what you get</a> · <a href="${escapeHtml(links.unsubscribe)}" style="color:#0550ae">Unsubscribe</a>`,
  };
}

/** A notification of one update (the first update of an incident announces it). */
export function updateMail(
  site: MailSite,
  incident: Incident,
  update: IncidentUpdate & { status: UpdateStatus },
  updateRowId: number,
  subscriber: { id: number; address: string },
  links: MailLinks,
  /** Optional cache of rendered bodies by update, for sending one update to many people. */
  renderedBodies?: Map<string, unknown>,
): Mail {
  const label = updateLabel(incident, update);
  const url = `${site.siteUrl}/incidents/${incident.id}`;
  const when = formatDateTime(update.at, site.timeZone);
  const affected = affectedLine(site, incident, incident.kind === 'incident' && isClosedStatus(update.status));
  const changed = changesLine(site, update);
  const window = windowLine(site, incident);
  const promise = promiseLine(site, update);
  const first = incident.updates.at(-1)?.id === update.id;
  const thread = threadId(site, incident.id, subscriber.id);
  const foot = footer(site, links);
  const kind = incident.kind === 'maintenance' ? 'Maintenance' : 'Incident';
  const text = [
    `${incident.title}`,
    `${kind} · ${label} · ${when}`,
    window,
    affected ? `Affected: ${affected}` : '',
    changed ? `Changed: ${changed}` : '',
    '',
    update.body,
    '',
    ...(promise ? [promise, ''] : []),
    `Follow it: ${url}`,
    '',
    '-- ',
    foot.text,
  ]
    .filter((line, i) => line !== '' || i > 4)
    .join('\n');
  const body = [
    `<p style="margin:0 0 16px"><strong>${escapeHtml(label)}</strong> · ${escapeHtml(when)}${window ? `<br><strong>${escapeHtml(window)}</strong>` : ''}${affected ? `<br><span style="color:#59636e">Affected: ${escapeHtml(affected)}</span>` : ''}${changed ? `<br><span style="color:#59636e">Changed: ${escapeHtml(changed)}</span>` : ''}</p>`,
    `<div>${renderedBody(update, renderedBodies)}</div>`,
    promise ? `<p style="margin:16px 0 0"><strong>${escapeHtml(promise)}</strong></p>` : '',
    `<p style="margin:16px 0 0"><a href="${escapeHtml(url)}" style="color:#0550ae">Follow it on the status page</a></p>`,
  ].join('');
  return {
    to: subscriber.address,
    subject: subject(site, `${incident.title} — ${label}`),
    text,
    html: frame(site, incident.title, body, foot.html),
    messageId: first ? thread : `<update.${updateRowId}.${subscriber.id}@${domain(site)}>`,
    ...(first ? {} : { inReplyTo: thread, references: thread }),
    headers: listHeaders(links),
  };
}

/** A maintenance that starts soon, has started or has ended by its window, in the maintenance's thread. */
export function windowMail(
  site: MailSite,
  maintenance: Incident,
  moment: WindowMoment,
  subscriber: { id: number; address: string },
  links: MailLinks,
): Mail {
  const url = `${site.siteUrl}/incidents/${maintenance.id}`;
  const thread = threadId(site, maintenance.id, subscriber.id);
  const foot = footer(site, links);
  const { label, line } = windowMomentWords[moment];
  const window = windowLine(site, maintenance);
  // Once it has ended, "under maintenance" would read as still going: the names alone.
  const affected = moment === 'completed' ? maintenance.components.map((c) => nameOf(site, c.id)).join(', ') : affectedLine(site, maintenance, false);
  const facts = [window, affected ? `Affected: ${affected}` : ''].filter(Boolean);
  return {
    to: subscriber.address,
    subject: subject(site, `${maintenance.title} — ${label}`),
    text: [maintenance.title, line, ...facts, '', `Details: ${url}`, '', '-- ', foot.text].join('\n'),
    html: frame(
      site,
      maintenance.title,
      `<p>${escapeHtml(line)}${facts.map((f) => `<br>${escapeHtml(f)}`).join('')}</p><p><a href="${escapeHtml(url)}" style="color:#0550ae">Details on the status page</a></p>`,
      foot.html,
    ),
    messageId: `<${moment}.${maintenance.id}.${subscriber.id}@${domain(site)}>`,
    inReplyTo: thread,
    references: thread,
    headers: listHeaders(links),
  };
}

/** Double opt-in: nothing is sent to this address until its owner follows the link. */
export function confirmationMail(site: MailSite, subscriber: { id: number; address: string }, confirm: string, sentAt: Date): Mail {
  const text = [
    `Someone (we hope you) asked to follow ${site.pageName} status at this address.`,
    '',
    `Confirm: ${confirm}`,
    '',
    `If it was not you, ignore this mail: the address is forgotten in 48 hours and you will get nothing else.`,
  ].join('\n');
  const body = [
    `<p>Someone (we hope you) asked to follow ${escapeHtml(site.pageName)} status at this address.</p>`,
    `<p><a href="${escapeHtml(confirm)}" style="display:inline-block;padding:10px 16px;background:#0550ae;color:#ffffff;text-decoration:none;border-radius:6px">Confirm the subscription</a></p>`,
    `<p style="color:#59636e">If it was not you, ignore this mail: the address is forgotten in 48 hours and you will get nothing else.</p>`,
  ].join('');
  return {
    to: subscriber.address,
    subject: subject(site, 'Confirm your subscription'),
    text,
    html: frame(site, 'Confirm your subscription', body, escapeHtml(`${site.pageName} status`)),
    messageId: `<confirm.${subscriber.id}.${sentAt.getTime()}@${domain(site)}>`,
    headers: {},
  };
}

/** Someone asked to subscribe an address that already is: tell its owner, not the form. */
export function alreadySubscribedMail(site: MailSite, subscriber: { id: number; address: string }, links: MailLinks, sentAt: Date): Mail {
  const foot = footer(site, links);
  return {
    to: subscriber.address,
    subject: subject(site, 'You are already subscribed'),
    text: `Someone asked to subscribe this address to ${site.pageName} status. It already is; nothing changed.\n\n-- \n${foot.text}`,
    html: frame(site, 'You are already subscribed', `<p>Someone asked to subscribe this address to ${escapeHtml(site.pageName)} status. It already is; nothing changed.</p>`, foot.html),
    messageId: `<already.${subscriber.id}.${sentAt.getTime()}@${domain(site)}>`,
    headers: listHeaders(links),
  };
}

/**
 * To staff, not subscribers: the next update promised to customers is
 * overdue. Customers still see the promise; this is the nudge to keep it.
 */
export function overdueMail(site: MailSite, incident: Incident, promisedBy: Date, updateRowId: number, to: string, recipientIndex: number): Mail {
  const console = `${site.siteUrl}/admin/incidents/${incident.id}#post-update`;
  const when = formatWithUtc(promisedBy, site.timeZone);
  const line = `The next update on "${incident.title}" was promised by ${when}, and none has been posted since.`;
  const advice = 'Customers still read that promise on the status page. Post an update (it can promise the next one), or resolve the incident.';
  return {
    to,
    subject: subject(site, `Overdue: the update promised by ${when} — ${incident.title}`),
    text: [line, '', advice, '', `Post it: ${console}`, '', '-- ', `${site.pageName} status, to its staff`].join('\n'),
    html: frame(
      site,
      'A promised update is overdue',
      `<p>${escapeHtml(line)}</p><p>${escapeHtml(advice)}</p><p><a href="${escapeHtml(console)}" style="color:#0550ae">Post the update</a></p>`,
      escapeHtml(`${site.pageName} status, to its staff`),
    ),
    messageId: `<overdue.${updateRowId}.${recipientIndex}@${domain(site)}>`,
    headers: {},
  };
}
