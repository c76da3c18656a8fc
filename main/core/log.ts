import { redactSecrets } from '../contract/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

/**
 * Structured JSON lines on a stream (stderr by default, so CLI output on stdout stays clean).
 * Every field passes through `redactSecrets`: a careless `log.info('x', { input })` cannot leak.
 */
export function createLogger(opts: { level?: LogLevel; scope?: string; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const rec: Record<string, unknown> = { t: new Date().toISOString(), level, msg };
    if (opts.scope) rec.scope = opts.scope;
    if (fields) Object.assign(rec, redactSecrets(fields) as Record<string, unknown>);
    write(JSON.stringify(rec));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (scope) => createLogger({ ...opts, scope: opts.scope ? `${opts.scope}.${scope}` : scope }),
  };
}

/** For tests and quiet CLI commands. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
