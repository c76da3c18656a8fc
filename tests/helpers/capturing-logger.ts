import { createLogger, type Logger } from '../../main/core/log';

/** One line the console logged, parsed back from the JSON it wrote. */
export interface LogRecord {
  level: string;
  msg: string;
  scope?: string;
  [field: string]: unknown;
}

export interface CapturingLogger {
  /** Pass it where a service takes a Logger (createConsole, createProvisioner, makeConsole). */
  log: Logger;
  /** Every line written so far, exactly as the console would have written it to stderr. */
  lines(): string[];
  records(): LogRecord[];
}

/**
 * A logger that keeps what it writes, for tests that check what reaches the console's log. It is
 * the real `createLogger` (the same JSON lines and the same redaction of secret fields) with its
 * output kept in memory, at `debug` so that nothing a higher level would drop goes unchecked.
 */
export function createCapturingLogger(): CapturingLogger {
  const written: string[] = [];
  return {
    log: createLogger({ level: 'debug', write: (line) => written.push(line) }),
    lines: () => [...written],
    records: () => written.map((line) => JSON.parse(line) as LogRecord),
  };
}
