import os from 'node:os';
import { createConsole, type ConsoleServices } from '../compose';
import { systemClock } from '../core/clock';
import { defaultDataDir } from '../core/data-dir';
import type { Logger } from '../core/log';
import { createKeyFileSecretBox } from '../secrets/key-file-secret-box';

/** The console services for the CLI and the headless host: XDG data dir, key-file secrets. */
export function openNodeConsole(opts: { dataDir?: string; host: 'serve' | 'cli'; log: Logger; env: NodeJS.ProcessEnv }): ConsoleServices {
  return createConsole({
    host: opts.host,
    dataDir: opts.dataDir ?? defaultDataDir(opts.env),
    secretBox: createKeyFileSecretBox,
    clock: systemClock,
    log: opts.log,
    osLocale: opts.env.LANG?.split('.')[0]?.replace('_', '-') || Intl.DateTimeFormat().resolvedOptions().locale,
  });
}

export function osActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
