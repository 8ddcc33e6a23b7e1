// A real SMTP server on loopback (smtp-server) that keeps every message it
// accepts, parsed with mailparser, so tests read mail as a mail client would.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  url: string;
  messages: ParsedMail[];
  /** Every RCPT TO the server accepted, as the client sent it: where mail really goes. */
  recipients: string[];
  /** Messages to one address, in arrival order. */
  to(address: string): ParsedMail[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SinkOptions {
  port?: number;
  /** Wait this long before accepting each message, to keep sends in flight. */
  delayMs?: number;
  /** Reject recipients with this SMTP code (e.g. 550 permanent, 451 temporary). */
  rejectWith?: number;
  /** Reject only these recipients, each with its code (550: no such user). */
  rejectRecipients?: Record<string, number>;
  /** Refuse every message after DATA with 554 5.7.1 (a spam filter: the content, not the address). */
  refuseContent?: boolean;
  /** Require a login and refuse every one with 535 (Herald's own SMTP password is wrong). */
  refuseLogin?: boolean;
  /** Require a login and accept only this one. */
  login?: { user: string; pass: string };
}

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const recipients: string[] = [];
  const server = new SMTPServer({
    authOptional: !options.refuseLogin && !options.login,
    // Plain-text login on loopback: this server is a test peer, never reachable from outside.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (options.login && auth.username === options.login.user && auth.password === options.login.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
    },
    logger: false,
    // Closing drops pooled client connections at once instead of waiting 30 s for them.
    closeTimeout: 50,
    onRcptTo(address, _session, callback) {
      const code = options.rejectRecipients?.[address.address];
      if (code) return callback(Object.assign(new Error(`5.1.1 <${address.address}>: no such user`), { responseCode: code }));
      if (options.rejectWith) {
        // Quoting the address, as real servers do: Herald must not store or log it as is.
        const error = Object.assign(new Error(`<${address.address}>: rejected with ${options.rejectWith}`), { responseCode: options.rejectWith });
        return callback(error);
      }
      recipients.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      if (options.refuseContent) {
        stream.resume();
        return stream.on('end', () => callback(Object.assign(new Error('5.7.1 message refused as spam'), { responseCode: 554 })));
      }
      simpleParser(stream)
        .then(async (mail) => {
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // A client killed mid-send (the crash tests) resets its connection; that is expected, not a test failure.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`,
    messages,
    recipients,
    to: (address) => messages.filter((m) => [m.to].flat().some((t) => t?.value.some((v) => v.address === address))),
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
