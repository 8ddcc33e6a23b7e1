// What Herald mails, as plain data: subject, a plain-text and an HTML part,
// and the headers that thread one incident's updates together and let mail
// clients unsubscribe in one click (RFC 8058). No remote images, no scripts:
// the HTML is our sanitized markdown in a plain, inline-styled frame. Each
// message is in its reader's language (the subscriber's), staff's words where
// they translated them, else in the page's own language with a note saying so.
import { randomBytes } from 'node:crypto';
import { isClosedStatus, type UpdateStatus } from '../../db/constants';
import { escapeHtml } from '../escape';
import { locales, type Locale } from '../i18n/locales';
import { localizedPath } from '../i18n/paths';
import { bodyIn, titleIn } from '../i18n/staff-words';
import { translator, type Translate } from '../i18n/translate';
import { renderMarkdown } from '../markdown';
import type { Incident, IncidentUpdate, WindowMoment } from '../model';
import { formatDateTime, formatWindow, formatWithUtc } from '../time';

export interface MailSite {
  pageName: string;
  siteUrl: string;
  timeZone: string;
  /** Names the page shows for components, by id; a component missing here (not listed) shows its id, as on the page. */
  componentNames: ReadonlyMap<string, string>;
  /** The reader's language, and the page's own (what is not translated is in it). */
  locale: Locale;
  defaultLocale: Locale;
}

const nameOf = (site: MailSite, id: string) => site.componentNames.get(id) ?? id;
const words = (site: MailSite): Translate => translator(site.locale);

/**
 * "Web interface: major outage, DNS: degraded performance": what customers
 * read on the page. Once an incident is over, the worst each component got.
 */
export function affectedLine(site: MailSite, incident: Incident, over: boolean): string {
  const t = words(site);
  return incident.components
    .map((c) => t(over ? 'mail.component_at_worst' : 'mail.component_status', { name: nameOf(site, c.id), status: t(`mail.status.${over ? c.peak : c.status}`) }))
    .join(t('day.separator'));
}

/** "Web interface: major outage → degraded performance": what this update changed. */
export function changesLine(site: MailSite, update: IncidentUpdate): string {
  const t = words(site);
  return update.componentChanges.map((c) => t('mail.change', { name: nameOf(site, c.id), from: t(`mail.status.${c.from}`), to: t(`mail.status.${c.to}`) })).join(t('day.separator'));
}

/** When the next update is due, in the page's zone and UTC; empty when the update promised none or the incident is over. */
export function promiseTime(site: MailSite, update: IncidentUpdate): string {
  return update.nextUpdateBy && !isClosedStatus(update.status) ? formatWithUtc(update.nextUpdateBy, site.timeZone, site.locale) : '';
}

/** A maintenance's window in the page's zone and UTC; empty for incidents. */
export function windowTime(site: MailSite, incident: Incident): string {
  return incident.kind === 'maintenance' && incident.scheduledFor && incident.scheduledUntil ? formatWindow(incident.scheduledFor, incident.scheduledUntil, site.timeZone, site.locale) : '';
}

/** An update's status as subscribers read it; a maintenance completed before its window never happened, so it reads as cancelled. */
export function updateLabel(site: MailSite, incident: Incident, update: IncidentUpdate & { status: UpdateStatus }): string {
  const calledOff = incident.kind === 'maintenance' && update.status === 'completed' && !!incident.scheduledFor && update.at < incident.scheduledFor;
  return words(site)(`update.${calledOff ? 'cancelled' : update.status}`);
}

/** What a maintenance window's moment is called, and the sentence that announces it. */
export function windowMomentWords(site: MailSite, moment: WindowMoment): { label: string; line: string } {
  const t = words(site);
  const label = { reminder: t('mail.starts_soon'), started: t('update.in_progress'), completed: t('update.completed') }[moment];
  return { label, line: t(`mail.window_${moment}`) };
}

/** The incident's title and an update's text in the reader's language, and the note to show when some of it is not (chat's cards take it too). */
export function staffWords(site: MailSite, incident: Incident, update: IncidentUpdate | null) {
  const title = titleIn(incident, site.locale, site.defaultLocale);
  const body = update ? bodyIn(update, site.locale, site.defaultLocale) : null;
  const untranslated = title.lang !== undefined || (body !== null && body.lang !== undefined);
  return { title, body, note: untranslated ? words(site)('page.not_translated', { language: locales[site.defaultLocale].name }) : '' };
}

/** Where an incident's page is, in the reader's language. */
export function incidentUrl(site: MailSite, incident: Incident): string {
  return `${site.siteUrl}${localizedPath(site.locale, `/incidents/${incident.id}`, site.defaultLocale)}`;
}

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
  const t = words(site);
  return t('mail.subject', { site: t('page.title', { name: site.pageName }), text }).replace(/\s*[\r\n]+\s*/g, ' ');
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

/** An update's text as HTML, in the language `textLocale` it is written in (one batch's cache: each text rendered once). */
function renderedBody(update: IncidentUpdate, source: string, textLocale: Locale, cache?: Map<string, unknown>): string {
  const key = `${update.id}\n${update.editedAt?.getTime() ?? ''}\n${textLocale}`;
  const cached = cache?.get(key);
  if (typeof cached === 'string') return cached;
  const html = withoutImages(renderMarkdown(source));
  cache?.set(key, html);
  return html;
}

function frame(site: MailSite, heading: string, bodyHtml: string, footerHtml: string, headingLang?: Locale): string {
  const font = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;';
  return [
    `<!doctype html><html lang="${site.locale}" dir="${locales[site.locale].dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`,
    `<title>${escapeHtml(heading)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#ffffff;color:#1f2328;${font}line-height:1.5">`,
    `<div style="max-width:600px;margin:0 auto">`,
    `<p style="margin:0 0 8px;color:#59636e;font-size:14px">${escapeHtml(words(site)('page.title', { name: site.pageName }))}</p>`,
    `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3"${langOf(headingLang)}>${escapeHtml(heading)}</h1>`,
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
  const t = words(site);
  const follow = t('mail.you_follow', { site: t('page.title', { name: site.pageName }) });
  return {
    text: `${follow}\n${t('confirm.choose_link')}: ${links.manage}\n${t('unsubscribe.button')}: ${links.unsubscribe}`,
    html: `${escapeHtml(follow)} <a href="${escapeHtml(links.manage)}" style="color:#0550ae">${escapeHtml(t('confirm.choose_link'))}</a> · <a href="${escapeHtml(links.unsubscribe)}" style="color:#0550ae">${escapeHtml(t('unsubscribe.button'))}</a>`,
  };
}

/** A passage's `lang` when it is not the message's own (staff's words not translated). */
const langOf = (lang: Locale | undefined) => (lang ? ` lang="${lang}"` : '');

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
  const t = words(site);
  const label = updateLabel(site, incident, update);
  const url = incidentUrl(site, incident);
  const when = formatDateTime(update.at, site.timeZone, site.locale);
  const affected = affectedLine(site, incident, incident.kind === 'incident' && isClosedStatus(update.status));
  const changed = changesLine(site, update);
  const windowAt = windowTime(site, incident);
  const window = windowAt ? t('mail.when', { window: windowAt }) : '';
  const promiseAt = promiseTime(site, update);
  const promise = promiseAt ? t('mail.next_update_by', { time: promiseAt }) : '';
  const first = incident.updates.at(-1)?.id === update.id;
  const thread = threadId(site, incident.id, subscriber.id);
  const foot = footer(site, links);
  const kind = t(incident.kind === 'maintenance' ? 'mail.maintenance' : 'mail.incident');
  const { title, body: text_, note } = staffWords(site, incident, update);
  const message = text_!;
  const text = [
    `${title.text}`,
    `${kind} · ${label} · ${when}`,
    window,
    affected ? t('mail.affected', { list: affected }) : '',
    changed ? t('mail.changed', { list: changed }) : '',
    '',
    ...(note ? [note, ''] : []),
    message.text,
    '',
    ...(promise ? [promise, ''] : []),
    t('mail.follow_it', { url }),
    '',
    '-- ',
    foot.text,
  ]
    .filter((line, i) => line !== '' || i > 4)
    .join('\n');
  const body = [
    `<p style="margin:0 0 16px"><strong>${escapeHtml(label)}</strong> · ${escapeHtml(when)}${window ? `<br><strong>${escapeHtml(window)}</strong>` : ''}${affected ? `<br><span style="color:#59636e">${escapeHtml(t('mail.affected', { list: affected }))}</span>` : ''}${changed ? `<br><span style="color:#59636e">${escapeHtml(t('mail.changed', { list: changed }))}</span>` : ''}</p>`,
    note ? `<p style="margin:0 0 16px;color:#59636e"><em>${escapeHtml(note)}</em></p>` : '',
    `<div${langOf(message.lang)}>${renderedBody(update, message.text, message.lang ?? site.locale, renderedBodies)}</div>`,
    promise ? `<p style="margin:16px 0 0"><strong>${escapeHtml(promise)}</strong></p>` : '',
    `<p style="margin:16px 0 0"><a href="${escapeHtml(url)}" style="color:#0550ae">${escapeHtml(t('mail.follow_link'))}</a></p>`,
  ].join('');
  return {
    to: subscriber.address,
    subject: subject(site, `${title.text} — ${label}`),
    text,
    html: frame(site, title.text, body, foot.html, title.lang),
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
  const t = words(site);
  const url = incidentUrl(site, maintenance);
  const thread = threadId(site, maintenance.id, subscriber.id);
  const foot = footer(site, links);
  const { label, line } = windowMomentWords(site, moment);
  const windowAt = windowTime(site, maintenance);
  // Once it has ended, "under maintenance" would read as still going: the names alone.
  const affected = moment === 'completed' ? maintenance.components.map((c) => nameOf(site, c.id)).join(t('day.separator')) : affectedLine(site, maintenance, false);
  const facts = [windowAt ? t('mail.when', { window: windowAt }) : '', affected ? t('mail.affected', { list: affected }) : ''].filter(Boolean);
  const { title, note } = staffWords(site, maintenance, null);
  return {
    to: subscriber.address,
    subject: subject(site, `${title.text} — ${label}`),
    text: [title.text, ...(note ? [note] : []), line, ...facts, '', t('mail.details', { url }), '', '-- ', foot.text].join('\n'),
    html: frame(
      site,
      title.text,
      `${note ? `<p style="color:#59636e"><em>${escapeHtml(note)}</em></p>` : ''}<p>${escapeHtml(line)}${facts.map((f) => `<br>${escapeHtml(f)}`).join('')}</p><p><a href="${escapeHtml(url)}" style="color:#0550ae">${escapeHtml(t('mail.details_link'))}</a></p>`,
      foot.html,
      title.lang,
    ),
    messageId: `<${moment}.${maintenance.id}.${subscriber.id}@${domain(site)}>`,
    inReplyTo: thread,
    references: thread,
    headers: listHeaders(links),
  };
}

/** A mail whose point is one link: why it came, the link (as a button, and written out), and what to do if it was not you. */
function oneLinkMail(site: MailSite, mail: { to: string; heading: string; asked: string; linkLine: string; button: string; link: string; ignore: string; messageId: string }): Mail {
  const pageTitle = words(site)('page.title', { name: site.pageName });
  const body = [
    `<p>${escapeHtml(mail.asked)}</p>`,
    `<p><a href="${escapeHtml(mail.link)}" style="display:inline-block;padding:10px 16px;background:#0550ae;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(mail.button)}</a></p>`,
    `<p style="color:#59636e">${escapeHtml(mail.ignore)}</p>`,
  ].join('');
  return {
    to: mail.to,
    subject: subject(site, mail.heading),
    text: [mail.asked, '', mail.linkLine, '', mail.ignore].join('\n'),
    html: frame(site, mail.heading, body, escapeHtml(pageTitle)),
    messageId: mail.messageId,
    headers: {},
  };
}

/** Double opt-in: nothing is sent to this address until its owner follows the link. */
export function confirmationMail(site: MailSite, subscriber: { id: number; address: string }, confirm: string, sentAt: Date): Mail {
  const t = words(site);
  return oneLinkMail(site, {
    to: subscriber.address,
    heading: t('confirm.title'),
    asked: t('mail.confirm_asked', { site: t('page.title', { name: site.pageName }) }),
    linkLine: t('mail.confirm_text', { url: confirm }),
    button: t('mail.confirm_button'),
    link: confirm,
    ignore: t('mail.confirm_ignore'),
    messageId: `<confirm.${subscriber.id}.${sentAt.getTime()}@${domain(site)}>`,
  });
}

/** A reader of a private page asked to sign in: the link, good once and for a few minutes (src/lib/server/readers). */
export function readerLinkMail(site: MailSite, to: string, link: string, sentAt: Date): Mail {
  const t = words(site);
  return oneLinkMail(site, {
    to,
    heading: t('reader.title'),
    asked: t('reader.link_asked', { site: t('page.title', { name: site.pageName }), email: to }),
    linkLine: t('reader.link_text', { url: link }),
    button: t('reader.sign_in'),
    link,
    ignore: t('reader.link_ignore'),
    messageId: `<reader-link.${sentAt.getTime()}.${randomBytes(6).toString('hex')}@${domain(site)}>`,
  });
}

/** Someone asked to subscribe an address that already is: tell its owner, not the form. */
export function alreadySubscribedMail(site: MailSite, subscriber: { id: number; address: string }, links: MailLinks, sentAt: Date): Mail {
  const foot = footer(site, links);
  const t = words(site);
  const line = t('mail.already_text', { site: t('page.title', { name: site.pageName }) });
  return {
    to: subscriber.address,
    subject: subject(site, t('mail.already_subject')),
    text: `${line}\n\n-- \n${foot.text}`,
    html: frame(site, t('mail.already_subject'), `<p>${escapeHtml(line)}</p>`, foot.html),
    messageId: `<already.${subscriber.id}.${sentAt.getTime()}@${domain(site)}>`,
    headers: listHeaders(links),
  };
}

/**
 * To staff, not subscribers: the next update promised to customers is
 * overdue. Customers still see the promise; this is the nudge to keep it.
 */
export function overdueMail(pageSite: MailSite, incident: Incident, promisedBy: Date, updateRowId: number, to: string, recipientIndex: number): Mail {
  // The console speaks English, and so do its mails to staff.
  const site: MailSite = { ...pageSite, locale: 'en' };
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
