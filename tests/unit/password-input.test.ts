// The CLI's password input, with a fake terminal: typed passwords are not
// echoed, must be typed the same twice, and piped input loses one newline.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PromptCancelled, readAllInput, readNewPassword } from '../../src/cli/password-input';

function fakeTerminal(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  /** Types `text` after the prompt containing `after` appears. */
  const typeAfter = async (after: string, text: string) => {
    while (!shown.includes(after)) await new Promise((resolve) => setTimeout(resolve, 5));
    input.write(text);
  };
  return { io: { input, output }, typeAfter, shown: () => shown };
}

describe('readNewPassword at a terminal', () => {
  it('asks twice and never echoes what is typed', async () => {
    const t = fakeTerminal(true);
    const read = readNewPassword(t.io, false, 12);
    await t.typeAfter('New password: ', 'tty secret 12345\r');
    await t.typeAfter('Repeat it: ', 'tty secret 12345\r');
    expect(await read).toEqual({ password: 'tty secret 12345' });
    expect(t.shown()).toBe('New password: \nRepeat it: \n');
  });

  it('refuses two different passwords', async () => {
    const t = fakeTerminal(true);
    const read = readNewPassword(t.io, false, 12);
    await t.typeAfter('New password: ', 'tty secret 12345\r');
    await t.typeAfter('Repeat it: ', 'tty secret 12346\r');
    expect(await read).toEqual({ problem: 'the two passwords differ; nothing was changed' });
    expect(t.shown()).not.toContain('secret');
  });

  it('refuses a short password before asking for it again', async () => {
    const t = fakeTerminal(true);
    const read = readNewPassword(t.io, false, 12);
    await t.typeAfter('New password: ', 'short\r');
    expect(await read).toEqual({ problem: 'password must be at least 12 characters' });
    expect(t.shown()).not.toContain('Repeat');
  });

  it('gives up on Ctrl-C', async () => {
    const t = fakeTerminal(true);
    const read = readNewPassword(t.io, false, 12);
    await t.typeAfter('New password: ', 'half typ\x03');
    await expect(read).rejects.toBeInstanceOf(PromptCancelled);
    expect(t.shown()).not.toContain('half');
  });
});

describe('readNewPassword without a terminal', () => {
  it('does not read a password unless told to with --password-stdin', async () => {
    const t = fakeTerminal(false);
    t.io.input.end('piped password\n');
    expect(await readNewPassword(t.io, false, 12)).toEqual({
      problem: 'stdin is not a terminal: pipe the password in and add --password-stdin',
    });
  });

  it('reads all of stdin with --password-stdin, dropping one trailing newline', async () => {
    for (const [piped, password] of [
      ['piped password\n', 'piped password'],
      ['piped password\r\n', 'piped password'],
      ['piped password\n\n', 'piped password\n'],
      ['piped password', 'piped password'],
      ['  spaces kept  \n', '  spaces kept  '],
    ]) {
      const t = fakeTerminal(false);
      t.io.input.end(piped);
      expect(await readNewPassword(t.io, true, 12)).toEqual({ password });
    }
  });

  it('reads input that arrives in several chunks', async () => {
    const input = new PassThrough();
    const read = readAllInput(input);
    input.write('first half ');
    input.write(Buffer.from('sécond half\n'));
    input.end();
    expect(await read).toBe('first half sécond half');
  });
});
