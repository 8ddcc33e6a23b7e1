// Reading a password for the CLI: typed at a terminal without echo (twice, to
// catch typos), or piped in with --password-stdin. Never printed anywhere.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** The streams a password is read from and prompted on (prompts go to stderr, keeping stdout clean). */
export interface PasswordIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/** The user gave up (Ctrl-C or end of input at a prompt). */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled; nothing was changed');
    this.name = 'PromptCancelled';
  }
}

/** All of stdin, with one trailing newline (as `echo` or a here-string adds) removed. */
export async function readAllInput(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks one question at a terminal; what is typed is not echoed. */
export function askHidden(io: PasswordIo, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // readline echoes through its output stream; give it one that swallows everything.
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
    const rl = createInterface({ input: io.input, output: muted, terminal: true });
    let answered = false;
    io.output.write(prompt);
    rl.question('', (answer) => {
      answered = true;
      rl.close();
      io.output.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (answered) return;
      io.output.write('\n');
      reject(new PromptCancelled());
    });
  });
}

/**
 * The new password: from stdin with `fromStdin`, otherwise asked twice at the
 * terminal. Returns a message instead when it cannot be read (no terminal, or the two differ).
 */
export async function readNewPassword(
  io: PasswordIo,
  fromStdin: boolean,
  minLength: number,
): Promise<{ password: string } | { problem: string }> {
  if (fromStdin) return { password: await readAllInput(io.input) };
  if (!io.input.isTTY) {
    return { problem: 'stdin is not a terminal: pipe the password in and add --password-stdin' };
  }
  const first = await askHidden(io, 'New password: ');
  // Said before asking again, so nobody types a short password twice.
  if (first.length < minLength) return { problem: `password must be at least ${minLength} characters` };
  const second = await askHidden(io, 'Repeat it: ');
  if (first !== second) return { problem: 'the two passwords differ; nothing was changed' };
  return { password: first };
}
