import fs from 'node:fs';
import path from 'node:path';

/** Technical log of the core: one line per event, in the profile's logs folder. Never shown raw to the user. */
export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

function line(level: string, msg: string, extra?: Record<string, unknown>): string {
  const tail = extra
    ? ' ' +
      JSON.stringify(extra, (_k, v: unknown) =>
        v instanceof Error ? { name: v.name, message: v.message, code: (v as NodeJS.ErrnoException).code } : v,
      )
    : '';
  return `${new Date().toISOString()} ${level} ${msg}${tail}\n`;
}

export function createFileLogger(logDir: string): Logger {
  fs.mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, 'ostal.log');
  const echo = process.env.OSTAL_DEBUG === '1';
  const write = (level: string, msg: string, extra?: Record<string, unknown>) => {
    const l = line(level, msg, extra);
    try {
      fs.appendFileSync(file, l);
    } catch {
      /* a full disk must not crash the core */
    }
    if (echo) process.stderr.write(l);
  };
  return {
    info: (m, e) => write('INFO', m, e),
    warn: (m, e) => write('WARN', m, e),
    error: (m, e) => write('ERROR', m, e),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
