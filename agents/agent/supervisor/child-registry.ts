import fs from 'node:fs';
import * as z from 'zod/mini';
import type { Logger } from '../logging/logger';
import { isGroupAlive, processStartTime, signalGroup } from './proc';

/**
 * `<runDir>/children.json`: the process groups of the services this agent started. If the agent
 * dies without stopping them (SIGKILL, OOM), the next agent finds them here and stops them before
 * starting its own, so a restart never leaves two copies of a service or an orphan holding a port.
 * Entries carry the process start time: a pid reused by an unrelated process is left alone.
 */
const RegistrySchema = z.object({
  children: z.array(z.object({ service: z.string(), pid: z.number().check(z.int(), z.positive()), startTime: z.string() })),
});
type Entry = z.infer<typeof RegistrySchema>['children'][number];

export interface ChildRegistry {
  add(service: string, pid: number): void;
  remove(pid: number): void;
  /** Stop the groups a previous agent left behind: SIGTERM, then SIGKILL after `timeoutMs`. */
  reapLeftovers(log: Logger, timeoutMs: number): Promise<number>;
}

export function createChildRegistry(file: string): ChildRegistry {
  let entries: Entry[] = [];

  function save(): void {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ children: entries }), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  function load(): Entry[] {
    try {
      const parsed = RegistrySchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data.children : [];
    } catch {
      return [];
    }
  }

  return {
    add(service, pid) {
      const startTime = processStartTime(pid);
      if (startTime === null) return; // already gone
      entries.push({ service, pid, startTime });
      save();
    },
    remove(pid) {
      entries = entries.filter((e) => e.pid !== pid);
      save();
    },
    async reapLeftovers(log, timeoutMs) {
      // Ours: the leader still runs with the recorded start time, or the leader is gone but its group
      // is not (the kernel never hands out a pid that is still in use as a process group id).
      const left = load().filter((e) => {
        const startTime = processStartTime(e.pid);
        return startTime === e.startTime || (startTime === null && isGroupAlive(e.pid));
      });
      for (const e of left) {
        log.warn('supervisor.orphan-found', { service: e.service, pid: e.pid, msg: 'stopping a process group left by a previous agent' });
        signalGroup(e.pid, 'SIGTERM');
      }
      const deadline = Date.now() + timeoutMs;
      while (left.some((e) => isGroupAlive(e.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const e of left) if (isGroupAlive(e.pid)) signalGroup(e.pid, 'SIGKILL');
      entries = [];
      save();
      return left.length;
    },
  };
}
