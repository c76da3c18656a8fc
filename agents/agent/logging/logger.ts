import type { LogLevel, LogRecord } from '../../protocol/payloads/logs';
import type { Clock } from '../clock';
import type { RotatingLogFile } from './log-file';
import { levelRank, type LogRing } from './log-ring';

export type LogValue = string | number | boolean | null | undefined | Error;
/** `msg` and `service` become top-level fields of the record; everything else goes to `data`. */
export type LogFields = { msg?: string; service?: string } & Record<string, LogValue>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that stamps every record with these fields (e.g. `{ service: 'kodo' }`). */
  child(bindings: LogFields): Logger;
}

const MAX_TEXT = 8192;
/** Field names whose values are never written, whatever they hold. */
const SECRET_KEY = /token|secret|password|passphrase|authorization|credential|private.?key/i;

/**
 * Replaces every occurrence of the given secrets (the control token) in a string. Applied to every
 * string of every record — messages, fields, a service's own output — because a secret can end up
 * anywhere (an error message quoting a header, a service echoing its environment).
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const needles = secrets.filter((s) => s.length >= 8);
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join('[redacted]');
    return out;
  };
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function createLogger(deps: {
  level: LogLevel;
  clock: Clock;
  ring: LogRing;
  file: RotatingLogFile | null;
  redact: (text: string) => string;
}): Logger {
  const threshold = levelRank(deps.level);

  function build(level: LogLevel, event: string, fields: LogFields): LogRecord {
    const record: LogRecord = { time: new Date(deps.clock.now()).toISOString(), level, event: event.slice(0, 64) };
    const data: Record<string, string | number | boolean | null> = {};
    let hasData = false;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (key === 'msg' && typeof value === 'string') record.msg = clip(deps.redact(value));
      else if (key === 'service' && typeof value === 'string') record.service = value.slice(0, 64);
      else {
        hasData = true;
        if (SECRET_KEY.test(key)) data[key] = '[redacted]';
        else if (value instanceof Error) data[key] = clip(deps.redact(value.message));
        else if (typeof value === 'string') data[key] = clip(deps.redact(value));
        else data[key] = value;
      }
    }
    if (hasData) record.data = data;
    return record;
  }

  function make(bindings: LogFields): Logger {
    const emit = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
      if (levelRank(level) < threshold) return;
      const record = build(level, event, { ...bindings, ...fields });
      deps.ring.append(record);
      deps.file?.write(`${JSON.stringify(record)}\n`);
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  }

  return make({});
}
