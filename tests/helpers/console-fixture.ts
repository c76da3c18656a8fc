import path from 'node:path';
import { createConsole, type ConsoleOptions, type ConsoleServices } from '../../main/compose';
import type { ProvisionResources } from '../../main/provision/plan';
import { defaultResources } from '../../main/provision/provisioner';
import { manualClock, systemClock } from '../../main/core/clock';
import { silentLogger, type Logger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { makeTempDir } from './temp-dir';

/** Real services over a real SQLite file in a temp dir; only the clock is controlled. */
export function makeConsole(
  label = 'console',
  provisionResources: ProvisionResources = defaultResources(path.resolve(__dirname, '../..')),
  /** Tests that talk to real machines need the real time (preflight checks clock skew). */
  realClock = false,
  /** Where the console logs; tests of what reaches the log pass a capturing logger (capturing-logger.ts). */
  log: Logger = silentLogger,
  /** More of createConsole's options. */
  extra: Partial<ConsoleOptions> = {},
): ConsoleServices & { dataDir: string; clock: ReturnType<typeof manualClock>; cleanup(): void } {
  const tmp = makeTempDir(label);
  const clock = manualClock(realClock ? new Date() : '2026-03-01T08:00:00.000Z');
  const services = createConsole({ host: 'cli', dataDir: tmp.dir, secretBox: createKeyFileSecretBox, clock: realClock ? systemClock : clock, log, osLocale: 'en-US', provisionResources, ...extra });
  return {
    ...services,
    dataDir: tmp.dir,
    clock,
    cleanup() {
      services.close();
      tmp.cleanup();
    },
  };
}

export const CTX = { host: 'cli', actor: 'tester' } as const;
