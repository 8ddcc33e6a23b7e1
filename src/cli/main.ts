// `npx herald …`: the staff CLI, working directly on the database named by
// HERALD_DB (for the host where Herald runs). A table of commands, each with
// its help beside it; every write goes through the server's domains
// (publishing, accounts), like the console and the API, and is audited as
// `cli <os user>`. Exit codes: 0 done, 1 could not run (configuration,
// database), 2 invalid arguments.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  componentStatuses,
  incidentImpacts,
  isComponentStatus,
  type ComponentStatus,
  type IncidentImpact,
} from '../db/constants';
import { loadConfig, type Config } from '../lib/config';
import { readContentFolder, type Content } from '../lib/content/index';
import { formatBytes, isStorageFull, StorageHealth, storageFullMessage, BackupError, listBackups, restoreBackup, takeBackup, verifyDigest, purgeExpired } from '../lib/server/storage';
import { createStaff, findStaffByEmail, listStaff, normalizeEmail, passwordLength, setPassword, createApiToken, listApiTokens, revokeApiToken, type Actor, openSessions, accountsWithSecondFactor, resetSecondFactors, secondFactorRequired, setTwoFactorPolicy } from '../lib/server/accounts';
import { describeContentProblem, readContentProblem, requestContentReload, servedContent, servesContent, syncContent, createIncident, endSeries, findTemplate, listTemplates, postUpdate, resolveIncident, scheduleMaintenance, setComponentStatus, translateIncident, type ComponentChange, type LogContext } from '../lib/server/publishing';
import { startDeliveryWorker } from '../lib/server/subscribers';
import { shutdownGracefully } from '../lib/server/http';
import { openDatabase, type HeraldDb } from '../lib/server/db';
import { readComponents, readCurrentTimeline } from '../lib/server/read-model';
import { contentFolder, resolveFromCwd } from '../lib/server/paths';
import { ActionError } from '../lib/server/validate';
import { exportDirProblem, exportStaticSite, runMirror } from '../lib/server/export';
import { runDoctor } from '../lib/server/doctor';
import { isPrivatePage, readerToken, revokeReaders, setReaderPassword } from '../lib/server/readers';
import { PromptCancelled, readNewPassword, type PasswordIo } from './password-input';
import { currentComponentStatuses } from '../lib/status';
import { parseInstant } from '../lib/time';
import { activeIncidents, upcomingMaintenance, activeMaintenance } from '../lib/timeline';

/** A usage problem: printed with a hint, exit 2. */
class UsageError extends Error {}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Where passwords are read and prompted; process.stdin and process.stderr unless given. */
  terminal?: PasswordIo;
}

/** The CLI as it appears in the audit log: `cli <os user>`. */
export function cliActor(env: Record<string, string | undefined> = process.env): Actor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    name = env.USER ?? env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return { label: `cli ${name}`, userId: null };
}

/** Date and time to the second, UTC. */
const stamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const defaultStatusForImpact: Record<IncidentImpact, ComponentStatus> = {
  none: 'degraded_performance',
  minor: 'degraded_performance',
  major: 'partial_outage',
  critical: 'major_outage',
};

function componentChanges(values: string[] | undefined, fallback: ComponentStatus | null): ComponentChange[] | undefined {
  // None given: a template's components (or none) apply.
  if (!values?.length) return undefined;
  return values.map((value) => {
    const [id, status, ...rest] = value.split(':');
    if (rest.length || !id) throw new UsageError(`--component "${value}": write ID or ID:STATUS`);
    if (status === undefined) {
      if (!fallback) throw new UsageError(`--component "${value}": give the new status as ${id}:STATUS`);
      return { id, status: fallback };
    }
    if (!isComponentStatus(status)) {
      throw new UsageError(`--component "${value}": status must be one of ${componentStatuses.join(', ')}`);
    }
    return { id, status };
  });
}

function parse(args: string[], options: ParseArgsConfig['options'], positionals: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs explains at length; its first sentence says what is wrong.
    throw new UsageError((error as Error).message.split(/\.\s|\n/)[0]);
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new UsageError(
      positionals.length ? `expected ${positionals.map((p) => p.toUpperCase()).join(' ')}` : `unexpected "${parsed.positionals[0]}"`,
    );
  }
  return { values: parsed.values as Record<string, string | string[] | boolean | undefined>, positionals: parsed.positionals };
}

const text = { type: 'string' } as const;
const many = { type: 'string', multiple: true } as const;
const flag = { type: 'boolean' } as const;

/**
 * The content the page shows: what the server read at its start, so an id
 * means here what it means there; before any server has run, content/ itself,
 * taken in as the server would take it.
 */
function contentOf(db: HeraldDb): Content {
  const served = servedContent(db);
  if (served) return served;
  const content = readContentFolder(contentFolder);
  syncContent(db, content);
  return content;
}

function openContext(config: Config, actor: Actor): LogContext {
  const db = openDatabase(config.databasePath);
  const content = contentOf(db);
  return { db, authored: content.authored, content, actor };
}

/** An incident or maintenance the command names: a markdown file the server has not read yet is refused, saying why. */
function named(ctx: LogContext, slug: string): string {
  if (!ctx.authored.some((a) => a.id === slug) && existsSync(join(contentFolder, 'incidents', `${slug}.md`))) {
    throw new UsageError(`content/incidents/${slug}.md is not on the page yet: the server reads content/ when it starts, so restart Herald (npm start), then post`);
  }
  return slug;
}

async function newPassword(io: Io, fromStdin: boolean): Promise<string> {
  const terminal = io.terminal ?? { input: process.stdin, output: process.stderr };
  const read = await readNewPassword(terminal, fromStdin, passwordLength.min);
  if ('problem' in read) throw new UsageError(read.problem);
  return read.password;
}

/** What is open, running and planned now, both sources merged (the read model's recent read). */
function timelineOf(ctx: LogContext) {
  return readCurrentTimeline(ctx, new Date());
}

/** What a command is given: the words after its name, and what every command needs. */
interface Call {
  args: string[];
  io: Io;
  config: Config;
  actor: Actor;
}

/** One command of the CLI: its words, its lines in `herald help`, and what it does. */
interface Command {
  /** Its words, e.g. `incident create`. */
  name: string;
  help: string;
  run: (call: Call) => number | Promise<number>;
}

const urlOf = (config: Config, id: string) => `${config.siteUrl}/incidents/${id}`;

/** `incident update` and `maintenance update`: one update, with the components it changes. */
function postUpdateCommand({ args, io, config, actor }: Call): number {
  const { values, positionals } = parse(args, { status: text, message: text, component: many, 'no-notify': flag, 'next-update': text }, ['slug']);
  const components = componentChanges(values.component as string[] | undefined, null);
  const ctx = openContext(config, actor);
  postUpdate(ctx, named(ctx, positionals[0]), { status: values.status, message: values.message, components, notify: !values['no-notify'], nextUpdate: values['next-update'] });
  io.out(`Posted ${values.status} update to ${positionals[0]}`);
  io.out(urlOf(config, positionals[0]));
  return 0;
}

/** `incident resolve` and `maintenance complete`: the closing update. */
function closeCommand(done: string) {
  return ({ args, io, config, actor }: Call): number => {
    const { values, positionals } = parse(args, { message: text, 'no-notify': flag }, ['slug']);
    const ctx = openContext(config, actor);
    resolveIncident(ctx, named(ctx, positionals[0]), values.message, new Date(), !values['no-notify']);
    io.out(`${done} ${positionals[0]}`);
    io.out(urlOf(config, positionals[0]));
    return 0;
  };
}

const commands: Command[] = [
  {
    name: 'incident create',
    help: `incident create --title T --impact none|minor|major|critical --message M
                  [--status investigating|identified|monitoring|resolved]
                  [--component ID[:STATUS]]...     (repeat for each component)
                  [--next-update 30m|2h|TIME]      (promise customers the next update)
                  [--template ID]                  (start from a template: then only the flags to change
                                                    are needed, and they win)`,
    run({ args, io, config, actor }) {
      const { values } = parse(args, { template: text, title: text, impact: text, status: text, message: text, component: many, 'no-notify': flag, 'next-update': text }, []);
      const ctx = openContext(config, actor);
      const template = values.template ? findTemplate(ctx, values.template) : null;
      const impact = (values.impact as string | undefined) ?? template?.impact;
      const fallback = impact && (incidentImpacts as readonly string[]).includes(impact) ? defaultStatusForImpact[impact as IncidentImpact] : null;
      const components = componentChanges(values.component as string[] | undefined, fallback);
      const id = createIncident(ctx, {
        template: values.template,
        title: values.title,
        impact,
        status: values.status,
        message: values.message,
        components,
        notify: !values['no-notify'],
        nextUpdate: values['next-update'],
      });
      io.out(id);
      io.out(urlOf(config, id));
      return 0;
    },
  },
  {
    name: 'incident update',
    help: `incident update SLUG --status S --message M [--component ID:STATUS]... [--next-update 30m|2h|TIME]
                  (without --message: the text its template suggests for that status)`,
    run: postUpdateCommand,
  },
  { name: 'incident resolve', help: 'incident resolve SLUG --message M', run: closeCommand('Resolved') },
  {
    name: 'incident translate',
    help: `incident translate SLUG --language LANG [--title T] [--update N --message M]...
                  (the incident or maintenance in one of the page's other languages; N is a live
                   update's number, as in the API's "<slug>#N"; an empty text removes that translation)`,
    run({ args, io, config, actor }) {
      const { values, positionals } = parse(args, { language: text, title: text, update: many, message: many }, ['slug']);
      const numbers = (values.update as string[] | undefined) ?? [];
      const messages = (values.message as string[] | undefined) ?? [];
      if (numbers.length !== messages.length) throw new ActionError('message', 'give one --message after each --update');
      const ctx = openContext(config, actor);
      translateIncident(ctx, named(ctx, positionals[0]), values.language, { title: values.title, updates: numbers.map((n, i) => ({ id: n.slice(n.lastIndexOf('#') + 1), message: messages[i] })) });
      io.out(`Translated ${positionals[0]} into ${values.language}`);
      io.out(urlOf(config, positionals[0]));
      return 0;
    },
  },
  {
    name: 'incident list',
    help: 'incident list',
    run({ args, io, config, actor }) {
      parse(args, {}, []);
      const all = timelineOf(openContext(config, actor));
      const open = [...activeIncidents(all), ...activeMaintenance(all), ...upcomingMaintenance(all)];
      if (open.length === 0) io.out('No open incidents or planned maintenance.');
      for (const i of open) io.out(`${i.id}\t${i.kind}\t${i.status}\t${i.title}`);
      return 0;
    },
  },
  {
    name: 'maintenance schedule',
    help: `maintenance schedule --title T --from TIME --until TIME --message M [--component ID]...
                  [--template ID]                  (start from a template; --until may follow from its duration)
                  [--repeat RRULE]                 (a series from this window, e.g. FREQ=WEEKLY;BYDAY=SU;COUNT=8)`,
    run({ args, io, config, actor }) {
      const { values } = parse(args, { template: text, title: text, from: text, until: text, message: text, component: many, 'no-notify': flag, repeat: text }, []);
      for (const required of ['from', 'until'] as const) {
        const value = values[required] as string | undefined;
        if (!value && required === 'until' && values.template) continue;
        if (!value) throw new UsageError(`--${required} is required, e.g. 2026-12-06T02:00:00Z`);
        // Without a zone the time would be read in this machine's zone, which staff rarely mean.
        if (!parseInstant(value)) {
          throw new UsageError(`--${required} "${value}" is not a time with a zone: add Z for UTC or an offset, e.g. 2026-12-06T02:00:00Z or 2026-12-06T03:00:00+01:00`);
        }
      }
      const id = scheduleMaintenance(openContext(config, actor), {
        template: values.template,
        title: values.title,
        scheduledFor: values.from,
        scheduledUntil: values.until,
        message: values.message,
        components: (values.component as string[] | undefined)?.length ? (values.component as string[]) : undefined,
        notify: !values['no-notify'],
        recurrence: values.repeat,
      });
      io.out(id);
      io.out(urlOf(config, id));
      return 0;
    },
  },
  { name: 'maintenance update', help: 'maintenance update SLUG --status scheduled|in_progress|verifying|completed --message M', run: postUpdateCommand },
  {
    name: 'maintenance complete',
    help: `maintenance complete SLUG --message M
                  (each of these takes --no-notify: post without telling subscribers)`,
    run: closeCommand('Completed'),
  },
  {
    name: 'maintenance end-series',
    help: `maintenance end-series SLUG --message M
                  (the series ends with this window; later windows already made are
                   called off with M, telling only subscribers already reminded of them)`,
    run({ args, io, config, actor }) {
      const { values, positionals } = parse(args, { message: text }, ['slug']);
      const ctx = openContext(config, actor);
      const calledOff = endSeries(ctx, named(ctx, positionals[0]), values.message);
      io.out(`The series ends with ${positionals[0]}`);
      for (const id of calledOff) io.out(`Called off ${id}`);
      return 0;
    },
  },
  {
    name: 'component set',
    help: 'component set ID STATUS',
    run({ args, io, config, actor }) {
      const { positionals } = parse(args, {}, ['id', 'status']);
      const ctx = openContext(config, actor);
      setComponentStatus(ctx, positionals[0], positionals[1]);
      io.out(`${positionals[0]} is now ${positionals[1]}`);
      const shown = currentComponentStatuses(readComponents(ctx.db), timelineOf(ctx)).find((c) => c.id === positionals[0]);
      if (shown && shown.status !== positionals[1]) {
        io.out(`Note: an open incident or maintenance still shows it as ${shown.status}; update that incident too.`);
      }
      return 0;
    },
  },
  {
    name: 'template list',
    help: 'template list',
    run({ args, io, config, actor }) {
      parse(args, {}, []);
      const templates = listTemplates(openContext(config, actor));
      if (templates.length === 0) io.out('No templates: add content/templates/*.md or save one in the console.');
      for (const t of templates) io.out(`${t.id}\t${t.kind}\t${t.source === 'file' ? t.filePath : 'console'}\t${t.name}`);
      return 0;
    },
  },
  {
    name: 'component list',
    help: 'component list',
    run({ args, io, config, actor }) {
      parse(args, {}, []);
      const ctx = openContext(config, actor);
      for (const c of currentComponentStatuses(readComponents(ctx.db), timelineOf(ctx))) io.out(`${c.id}\t${c.status}\t${c.name}`);
      return 0;
    },
  },
  {
    name: 'user add',
    help: 'user add --email E --role owner|editor [--name N] [--password-stdin]',
    async run({ args, io, config, actor }) {
      const { values } = parse(args, { email: text, role: text, name: text, 'password-stdin': flag }, []);
      const db = openDatabase(config.databasePath);
      // Checked before asking for a password, so nobody types one for nothing;
      // createStaff checks everything again.
      const email = normalizeEmail(values.email);
      if (findStaffByEmail(db, email)) throw new ActionError('email', `${email} already has an account`, 'conflict');
      const password = await newPassword(io, Boolean(values['password-stdin']));
      const user = await createStaff(db, actor, { email, name: values.name, role: values.role, password });
      io.out(`Created ${user.role} ${user.email} (${user.name})`);
      return 0;
    },
  },
  {
    name: 'user reset-password',
    help: "user reset-password EMAIL [--password-stdin]   (ends all that account's sessions)",
    async run({ args, io, config, actor }) {
      const { values, positionals } = parse(args, { 'password-stdin': flag }, ['email']);
      const db = openDatabase(config.databasePath);
      const user = findStaffByEmail(db, positionals[0]);
      if (!user) throw new ActionError('user', `no account for ${positionals[0]}`, 'not_found');
      const password = await newPassword(io, Boolean(values['password-stdin']));
      const ended = openSessions(db, user.id);
      await setPassword(db, actor, user.id, password, null);
      io.out(`Changed the password of ${user.email}; ended ${ended} session${ended === 1 ? '' : 's'}`);
      return 0;
    },
  },
  {
    name: 'readers password',
    help: 'readers password [--password-stdin | --remove]   (the shared password readers of a private page sign in with; a new one signs every reader out)',
    async run({ args, io, config, actor }) {
      const { values } = parse(args, { 'password-stdin': flag, remove: flag }, []);
      const db = openDatabase(config.databasePath);
      if (values.remove) {
        await setReaderPassword(db, actor, null);
        io.out('Removed the reader password: only staff read the private page now, and every reader is signed out');
        return 0;
      }
      await setReaderPassword(db, actor, await newPassword(io, Boolean(values['password-stdin'])));
      io.out('Set the reader password; readers signed in before must sign in with it');
      return 0;
    },
  },
  {
    name: 'readers revoke',
    help: "readers revoke   (signs every reader of a private page out and ends every reader token; the password stays)",
    run({ args, io, config, actor }) {
      parse(args, {}, []);
      revokeReaders(openDatabase(config.databasePath), actor);
      io.out('Every reader is signed out and every reader token ended');
      return 0;
    },
  },
  {
    name: 'user reset-2fa',
    help: "user reset-2fa EMAIL   (removes the account's authenticator app, passkeys and recovery codes, ends its sessions: for someone locked out, the last owner too)",
    run({ args, io, config, actor }) {
      const { positionals } = parse(args, {}, ['email']);
      const db = openDatabase(config.databasePath);
      const user = findStaffByEmail(db, positionals[0]);
      if (!user) throw new ActionError('user', `no account for ${positionals[0]}`, 'not_found');
      resetSecondFactors(db, actor, user.id);
      io.out(`Reset two-factor login of ${user.email}: the password alone logs in now${secondFactorRequired(db, user) ? ', and the console asks for a new factor at once' : ''}`);
      return 0;
    },
  },
  {
    name: 'user require-2fa',
    help: 'user require-2fa nobody|owners|everyone   (whose accounts must have a second factor)',
    run({ args, io, config, actor }) {
      const { positionals } = parse(args, {}, ['policy']);
      const policy = setTwoFactorPolicy(openDatabase(config.databasePath), actor, positionals[0]);
      io.out(`Two-factor login is required for: ${policy}`);
      return 0;
    },
  },
  {
    name: 'user list',
    help: 'user list',
    run({ args, io, config }) {
      parse(args, {}, []);
      const db = openDatabase(config.databasePath);
      const staff = listStaff(db);
      const withFactor = accountsWithSecondFactor(db);
      if (staff.length === 0) io.out('No staff accounts.');
      for (const u of staff) {
        // How it logs in: a password alone or with a second factor, and through the sign-on provider when linked.
        const factor = `${withFactor.has(u.id) ? '2fa' : 'password'}${u.ssoSubject ? ',sso' : ''}`;
        io.out(`${u.email}\t${u.name}\t${u.role}\t${u.disabledAt ? 'disabled' : 'enabled'}\t${u.createdAt.toISOString().slice(0, 10)}\t${factor}`);
      }
      return 0;
    },
  },
  {
    name: 'token create',
    help: 'token create --name N --scope read|write   (prints the token once, on stdout)',
    run({ args, io, config, actor }) {
      const { values } = parse(args, { name: text, scope: text }, []);
      const { id, secret } = createApiToken(openDatabase(config.databasePath), actor, { name: values.name, scope: values.scope });
      io.out(secret);
      io.err(`Created token ${id} (${String(values.name).trim()}, ${values.scope}). It cannot be shown again: store it now.`);
      return 0;
    },
  },
  {
    name: 'token list',
    help: 'token list',
    run({ args, io, config }) {
      parse(args, {}, []);
      const tokens = listApiTokens(openDatabase(config.databasePath));
      if (tokens.length === 0) io.out('No API tokens.');
      for (const t of tokens) {
        const lastUsed = t.lastUsedAt ? stamp(t.lastUsedAt) : 'never used';
        const revoked = t.revokedAt ? `revoked ${stamp(t.revokedAt)}` : 'active';
        io.out(`${t.id}\t${t.name}\t${t.scope}\t${stamp(t.createdAt)}\t${lastUsed}\t${revoked}`);
      }
      return 0;
    },
  },
  {
    name: 'token revoke',
    help: 'token revoke ID',
    run({ args, io, config, actor }) {
      const { positionals } = parse(args, {}, ['id']);
      if (!/^[1-9]\d{0,15}$/.test(positionals[0])) throw new UsageError(`"${positionals[0]}" is not a token ID; see "herald token list"`);
      const id = Number(positionals[0]);
      const db = openDatabase(config.databasePath);
      const before = listApiTokens(db).find((t) => t.id === id);
      revokeApiToken(db, actor, id);
      io.out(before?.revokedAt ? `Token ${id} (${before.name}) was already revoked` : `Revoked token ${id} (${before?.name})`);
      return 0;
    },
  },
  {
    name: 'worker',
    help: 'worker                               deliver queued notifications until stopped (Ctrl-C)',
    run({ args, io, config }) {
      parse(args, {}, []);
      const db = openDatabase(config.databasePath, { quickCheck: true });
      const worker = startDeliveryWorker(db, contentOf(db), config, new StorageHealth(config.databasePath));
      shutdownGracefully(db, () => worker.stop());
      io.out(`Herald worker: delivering from ${config.databasePath} ${config.mail.smtpUrl ? 'over SMTP' : `as files in ${config.mail.dir}`}; Ctrl-C to stop`);
      return new Promise<number>(() => {}); // until a signal; shutdownGracefully exits
    },
  },
  {
    name: 'backup',
    help: 'backup                               take a verified backup into BACKUP_DIR and rotate',
    async run({ args, io, config }) {
      parse(args, {}, []);
      const db = openDatabase(config.databasePath);
      try {
        const made = await takeBackup(db, config.backup);
        io.out(`Backed up ${config.databasePath} to ${join(config.backup.dir, made.file)} (${formatBytes(made.size)}, integrity ${made.integrity}${made.encrypted ? ', encrypted' : ''})`);
        return 0;
      } catch (error) {
        if (error instanceof BackupError) {
          io.err(`herald: BACKUP REFUSED: ${error.message}`);
          return 1;
        }
        throw error;
      }
    },
  },
  {
    name: 'backup list',
    help: 'backup list                          the backups kept, with size, time and check result',
    async run({ args, io, config }) {
      parse(args, {}, []);
      const backups = listBackups(resolveFromCwd(config.backup.dir));
      if (backups.length === 0) io.out(`No backups in ${config.backup.dir}.`);
      for (const b of backups) {
        // The check recorded when it was made holds only while the bytes are the same.
        const digest = await verifyDigest(join(resolveFromCwd(config.backup.dir), b.file));
        const state = digest === 'ok' ? `integrity ${b.integrity}, sha256 ok` : 'CHANGED SINCE IT WAS MADE (sha256 differs): do not restore';
        io.out([b.createdAt.replace(/\.\d{3}Z$/, 'Z'), formatBytes(b.size), state, b.encrypted ? 'encrypted' : 'plain', join(config.backup.dir, b.file)].join('\t'));
      }
      return 0;
    },
  },
  {
    name: 'restore',
    help: 'restore FILE                         replace the database with a verified backup (stop the server first)',
    async run({ args, io, config }) {
      const { positionals } = parse(args, {}, ['file']);
      const report = await restoreBackup(resolveFromCwd(positionals[0]), resolveFromCwd(config.databasePath), config.backup.key);
      openDatabase(config.databasePath).$client.close(); // runs the migrations the backup may predate
      const digest = report.digest === 'ok' ? 'sha256 as recorded' : 'no manifest, so no recorded sha256 to compare';
      io.out(`Restored ${positionals[0]} into ${config.databasePath} (integrity ${report.integrity}, ${digest}); migrations applied.`);
      io.out(report.keptAs ? `The database it replaced is kept as ${report.keptAs}.` : 'There was no database before.');
      return 0;
    },
  },
  {
    name: 'purge',
    help: 'purge                                delete what has outlived its retention period (the server does this daily)',
    async run({ args, io, config }) {
      parse(args, {}, []);
      const report = await purgeExpired(openDatabase(config.databasePath), config.retention);
      io.out(Object.entries(report).map(([what, n]) => `${what}\t${n}`).join('\n'));
      return 0;
    },
  },
  {
    name: 'reload',
    help: `reload                               check content/ and have the running server take it in, without a restart
                                       (it does by itself when a file changes, unless CONTENT_WATCH=0)`,
    async run({ args, io, config }) {
      parse(args, {}, []);
      // A broken file stops here, naming file and field, before the server is asked.
      const wanted = readContentFolder(contentFolder);
      const db = openDatabase(config.databasePath);
      const askedAt = Date.now();
      requestContentReload(db, askedAt);
      // The server looks every second; it has taken the content in once it serves exactly this.
      for (const deadline = askedAt + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const problem = readContentProblem(db);
        if (problem && Date.parse(problem.at) >= askedAt) {
          io.err(`herald: the server kept the last good content: ${describeContentProblem(problem)}`);
          return 1;
        }
        if (servesContent(db, wanted)) {
          io.out(`The server serves ${contentFolder} as it is now.`);
          return 0;
        }
      }
      io.err(`herald: ${contentFolder} is valid, but no server took it in within 5 s (is one running on ${config.databasePath}?); a server reads it when it starts`);
      return 1;
    },
  },
  {
    name: 'doctor',
    help: `doctor [--mail-to ADDRESS]           after deploying: SITE_URL and its certificate, HSTS, TRUST_PROXY against what
                                       arrives, SMTP (with a test message to ADDRESS), backups, disk space and the clock,
                                       one line each; exits 1 when one fails (the server must be running)`,
    async run({ args, io, config }) {
      const { values } = parse(args, { 'mail-to': text }, []);
      const db = openDatabase(config.databasePath);
      const checks = await runDoctor(config, db, {
        mailTo: values['mail-to'] as string | undefined,
        onCheck: (c) => io.out(`${(c.verdict === 'ok' || c.verdict === 'skip' ? c.verdict : c.verdict.toUpperCase()).padEnd(5)} ${c.name.padEnd(12)} ${c.detail}`),
      });
      const failed = checks.filter((c) => c.verdict === 'fail').length;
      if (failed) io.err(`herald: ${failed} of ${checks.length} checks failed`);
      return failed ? 1 : 0;
    },
  },
  {
    name: 'mirror',
    help: `mirror DIR                           keep DIR a static export, updated within seconds of every change, until stopped
                                       (what MIRROR_DIR has the server run; needs npm run build first)`,
    async run({ args, io, config }) {
      const { positionals } = parse(args, {}, ['dir']);
      const problem = exportDirProblem(positionals[0]);
      if (problem) throw new UsageError(problem);
      if (isPrivatePage(readContentFolder(contentFolder).page)) throw new UsageError('the page is private (content/page.yml visibility: private): a mirror would publish it; use herald export --include-private for a copy only readers reach');
      const db = openDatabase(config.databasePath);
      const stop = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
      await runMirror(positionals[0], io.env, config.siteUrl, db.$client, {
        signal: stop.signal,
        onRun: (run) => io.out(`mirror ${run.kind}: ${run.written} files written, ${run.removed} removed, ${run.fetched} fetched, in ${run.ms} ms`),
      });
      return 0;
    },
  },
  {
    name: 'export',
    help: `export DIR [--include-private]      write the public site as static files into DIR, replacing it
                                       (needs npm run build first; its forms post to SITE_URL; a private page only with --include-private)`,
    async run({ args, io, config }) {
      const { values, positionals } = parse(args, { 'include-private': flag }, ['dir']);
      const problem = exportDirProblem(positionals[0]);
      if (problem) throw new UsageError(problem);
      let token: string | undefined;
      if (isPrivatePage(readContentFolder(contentFolder).page)) {
        if (!values['include-private']) {
          throw new UsageError('the page is private (content/page.yml visibility: private): an export publishes it to whoever reaches DIR; add --include-private to write it anyway');
        }
        token = readerToken(openDatabase(config.databasePath), { via: 'token', name: 'static export' }); // a reader's token, as an app would hold
      }
      const report = await exportStaticSite(positionals[0], io.env, config.siteUrl, token);
      if (report.notice) io.err(report.notice);
      io.out(`Exported ${report.files} files (${formatBytes(report.bytes)}) to ${positionals[0]}`);
      return 0;
    },
  },
];

export const usage = `Usage: herald <command> [options]

${commands.map((c) => `  ${c.help}`).join('\n')}

TIME is ISO 8601 with a zone (Z or an offset), e.g. 2026-12-06T02:00:00Z or 2026-12-06T03:00:00+01:00. STATUS of a component is one of
${componentStatuses.join(', ')}. Without :STATUS, --component takes the status the
impact suggests (minor: degraded_performance, major: partial_outage, critical: major_outage).
Passwords are asked for twice at the terminal, without echo; with --password-stdin the
whole of stdin is the password (one trailing newline is dropped), e.g.
  printf '%s' "$PASSWORD" | herald user add --email a@example.com --role editor --password-stdin
Passwords are ${passwordLength.min} to ${passwordLength.max} characters.
The database is HERALD_DB (default ./data/herald.db).`;

/** The command whose words begin argv (the longest that does), and the words after them. */
function commandFor(argv: string[]): { command: Command; args: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, args: argv.slice(words) };
  }
  return null;
}

async function run(argv: string[], io: Io): Promise<number> {
  const [first] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    io.out(usage);
    return first ? 0 : 2;
  }
  const config = loadConfig(io.env);
  const found = commandFor(argv);
  if (!found) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
  return found.command.run({ args: found.args, io, config, actor: cliActor(io.env) });
}


/** The ids staff may name, for an error that named another: from the database, as every write checks them. */
function knownComponentIds(io: Io): string[] {
  try {
    const db = openDatabase(loadConfig(io.env).databasePath);
    try {
      return readComponents(db).map((c) => c.id);
    } finally {
      db.$client.close();
    }
  } catch {
    return readContentFolder(contentFolder).catalog.components.map((c) => c.id);
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io = { out: console.log, err: console.error, env: process.env }): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (isStorageFull(error)) {
      io.err(`herald: ${storageFullMessage}`);
      return 1;
    }
    if (error instanceof PromptCancelled) {
      io.err(`herald: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.err(`herald: ${error.message}`);
      io.err(`Run "herald help" for usage.`);
      return 2;
    }
    if (error instanceof ActionError && error.field.startsWith('component') && /no component/.test(error.message)) {
      io.err(`herald: ${error.message}; the components are: ${knownComponentIds(io).join(', ')}`);
      return 2;
    }
    if (error instanceof ActionError || error instanceof BackupError) {
      io.err(`herald: ${error.message}`);
      return 2;
    }
    const known = ['ConfigError', 'ContentError', 'ExportError'].includes((error as Error).name);
    io.err(`herald: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}`);
    return 1;
  }
}
