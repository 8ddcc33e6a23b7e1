// Herald's log lines: `Herald: …` for someone reading a terminal or the
// journal, or with LOG_FORMAT=json one JSON object per line
// ({"time","level","msg"}) for a log shipper. No line carries personal data:
// what mail servers answer is redacted of addresses before it is logged
// (delivery.ts), and no request is logged with its client's address.
type Level = 'info' | 'warn' | 'error';

// Read once: the configuration has checked the value before anything is logged (config.ts logFormat).
const json = (process.env.LOG_FORMAT ?? '').trim().toLowerCase() === 'json';

function write(level: Level, message: string, prefix = 'Herald: '): void {
  if (json) {
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, msg: message })}\n`;
    (level === 'info' ? process.stdout : process.stderr).write(line);
  } else if (level === 'info') console.log(`${prefix}${message}`);
  else if (level === 'warn') console.warn(`${prefix}${message}`);
  else console.error(`${prefix}${message}`);
}

export const log = {
  info: (message: string) => write('info', message),
  warn: (message: string) => write('warn', message),
  error: (message: string) => write('error', message),
  /** The one line a failed start prints, `Herald cannot start: …` (docs/running.md). */
  cannotStart: (reason: string) => write('error', `cannot start: ${reason}`, 'Herald '),
};
