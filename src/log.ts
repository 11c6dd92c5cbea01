// runc-compatible logging: --log FILE (default stderr), --log-format
// text|json, --debug. Engines read the last `"level":"error"` line of the
// JSON log; the user reads the plain message on stderr.
import { openSync, closeSync } from 'node:fs';
import { writeAll } from './output.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogFormat = 'text' | 'json';

interface LogSettings {
  fd: number;
  ownsFd: boolean;
  format: LogFormat;
  debug: boolean;
}

const settings: LogSettings = { fd: 2, ownsFd: false, format: 'text', debug: false };

export function configureLog(opts: { file?: string; format?: string; debug?: boolean }): void {
  if (opts.format !== undefined && opts.format !== 'text' && opts.format !== 'json') {
    throw new Error(`invalid log format "${opts.format}": must be text or json`);
  }
  settings.format = (opts.format as LogFormat | undefined) ?? 'text';
  settings.debug = opts.debug ?? false;
  if (opts.file) {
    settings.fd = openSync(opts.file, 'a', 0o644);
    settings.ownsFd = true;
  }
}

export function closeLog(): void {
  if (settings.ownsFd) closeSync(settings.fd);
  settings.fd = 2;
  settings.ownsFd = false;
}

export function logToFile(): boolean {
  return settings.ownsFd;
}

function line(level: LogLevel, msg: string): string {
  const time = new Date().toISOString();
  if (settings.format === 'json') return JSON.stringify({ level, msg, time }) + '\n';
  return `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

function write(level: LogLevel, msg: string): void {
  try {
    writeAll(settings.fd, line(level, msg));
  } catch {
    // stderr may be closed (engines sometimes start us so): nowhere to report.
  }
}

export const log = {
  debug(msg: string): void {
    if (settings.debug) write('debug', msg);
  },
  info(msg: string): void {
    write('info', msg);
  },
  warn(msg: string): void {
    write('warning', msg);
  },
  error(msg: string): void {
    write('error', msg);
  },
  isDebug(): boolean {
    return settings.debug;
  },
};
