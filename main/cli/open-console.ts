import os from 'node:os';
import { createConsole, type ConsoleServices } from '../compose';
import { systemClock } from '../core/clock';
import { defaultDataDir } from '../core/data-dir';
import type { Logger } from '../core/log';
import { defaultResources } from '../provision/provisioner';
import { createKeyFileSecretBox } from '../secrets/key-file-secret-box';

/** The console services for the CLI and the headless host: XDG data dir, key-file secrets. */
export function openNodeConsole(opts: { dataDir?: string; host: 'serve' | 'cli'; log: Logger; env: NodeJS.ProcessEnv; appRoot: string }): ConsoleServices {
  return createConsole({
    host: opts.host,
    dataDir: opts.dataDir ?? defaultDataDir(opts.env),
    secretBox: createKeyFileSecretBox,
    clock: systemClock,
    log: opts.log,
    osLocale: posixLocale(opts.env) ?? (Intl.DateTimeFormat().resolvedOptions().locale || 'en'),
    provisionResources: defaultResources(opts.env.APPLIANCE_CONSOLE_RESOURCES ?? opts.appRoot),
  });
}

export function osActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The user's language from the POSIX variables, in their order of precedence; C/POSIX mean none. */
export function posixLocale(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  const tag = raw?.split(/[.@]/)[0]?.replace('_', '-');
  return !tag || tag === 'C' || tag === 'POSIX' ? undefined : tag;
}
