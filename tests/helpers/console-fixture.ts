import { createConsole, type ConsoleServices } from '../../main/compose';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { makeTempDir } from './temp-dir';

/** Real services over a real SQLite file in a temp dir; only the clock is controlled. */
export function makeConsole(label = 'console'): ConsoleServices & { dataDir: string; clock: ReturnType<typeof manualClock>; cleanup(): void } {
  const tmp = makeTempDir(label);
  const clock = manualClock('2026-03-01T08:00:00.000Z');
  const services = createConsole({ host: 'cli', dataDir: tmp.dir, secretBox: createKeyFileSecretBox, clock, log: silentLogger, osLocale: 'en-US' });
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
