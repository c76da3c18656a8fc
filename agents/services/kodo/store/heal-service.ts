import { diskStillServes, finishHealing, rescanDiskSet, type DiskSlot } from './disk-format';
import { healObject } from './heal';
import { HealQueue } from './heal-queue';
import { runScanCycle } from './heal-scanner';
import { estimateEta, loadSavedStatus, newCycle, recordError, saveStatus, type BucketUsage, type HealCycle, type HealStatus } from './heal-status';
import { ClientActivity, HealThrottle, trackClientCalls, type HealPriority } from './heal-throttle';
import type { ShardProblem, StoreContext } from './store-context';

/**
 * The store's healing, as one piece the store wires in (store.ts): heal on read (a queue fed by
 * every shard problem a read meets), the scanner's cycles on a schedule or on demand, taking
 * replaced disks into the set (at open and on rescanDisks) with a cycle started at once to rebuild
 * them, and the status with progress and ETA. close() stops it and waits.
 */

export interface HealingOptions {
  /** The scanner's I/O budget (heal-throttle.ts). Default 'low'. */
  priority?: HealPriority;
  /** The first scheduled cycle after open (default 5 minutes; a replaced disk starts one at once). */
  firstCycleAfterMs?: number;
  /** From one cycle's end to the next one's start (default 1 hour). */
  cycleIntervalMs?: number;
  /** Heal on read: objects waiting at most (default 1,000; more are left to the scanner). */
  queueLimit?: number;
}

export interface HealingDeps {
  ctx: StoreContext;
  /** The directories the store was opened with: what a rescan looks at again. */
  disks: readonly string[];
  withKeyLock<T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T>;
  options: HealingOptions;
  now?: () => number;
}

/** After a cycle that left a replaced disk short (errors), the next one comes sooner. */
const RETRY_REBUILD_MS = 60_000;

export interface Healing {
  /** Every shard problem the store meets (ctx.report): queues the object when healing can fix it. */
  notice(problem: ShardProblem): void;
  status(): HealStatus;
  setPriority(priority: HealPriority): void;
  /** Scan now (nothing when a cycle is running). */
  startCycle(): void;
  /** Looks at the given disks again: a blank disk where one is missing is formatted in and rebuilt; a disk back starts a cycle. */
  rescanDisks(): Promise<DiskSlot[]>;
  /** The store object with its client calls counted (the `low` priority yields to them). */
  tracked<T extends object>(store: T): T;
  /** After open: a cycle at once when a disk is being rebuilt, else the first one on schedule. */
  start(): void;
  /** Resolves when no cycle runs and the heal-on-read queue is empty. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createHealing(deps: HealingDeps): Healing {
  const { ctx, withKeyLock } = deps;
  const now = deps.now ?? Date.now;
  const firstCycleAfterMs = deps.options.firstCycleAfterMs ?? 5 * 60_000;
  const cycleIntervalMs = deps.options.cycleIntervalMs ?? 3600_000;
  let priority: HealPriority = deps.options.priority ?? 'low';
  const activity = new ClientActivity();
  const saved = loadSavedStatus(ctx.slots);
  let lastComplete: HealCycle | null = saved?.lastCycle ?? null;
  let lastCycle: HealCycle | null = lastComplete;
  let usage: BucketUsage[] = saved?.buckets ?? [];
  let current: { cycle: HealCycle; stop: boolean; done: Promise<void> } | null = null;
  let restartForDisks = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const queue = new HealQueue(deps.options.queueLimit ?? 1000, async (bucket, key) => (await withKeyLock(bucket, key, () => healObject(ctx, bucket, key))).healed.length > 0);

  const rebuildingNow = () => ctx.slots.filter((s) => s.healing && s.state === 'online').map((s) => s.index);
  // Rebuilding a replaced disk never runs at `low`: the set is short of redundancy meanwhile.
  const effectivePriority = (): HealPriority => (current && current.cycle.rebuilding.length > 0 && priority === 'low' ? 'normal' : priority);

  function schedule(ms: number): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed) return;
    timer = setTimeout(() => begin('scheduled'), ms);
    timer.unref(); // a store left open (a test, a failed start) does not keep the process alive
  }

  function begin(reason: HealCycle['reason']): void {
    if (closed) return;
    const rebuilding = rebuildingNow();
    if (current) {
      // A disk replaced mid-cycle: this cycle's walk is partly behind it; start over with it.
      if (rebuilding.some((i) => !current!.cycle.rebuilding.includes(i))) {
        restartForDisks = true;
        current.stop = true;
      }
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    const cycle = newCycle(rebuilding.length > 0 ? 'disk-replaced' : reason, rebuilding, lastComplete, now());
    const run: { cycle: HealCycle; stop: boolean; done: Promise<void> } = { cycle, stop: false, done: Promise.resolve() };
    current = run;
    run.done = (async () => {
      try {
        const throttle = new HealThrottle(effectivePriority, activity, now);
        const buckets = await runScanCycle({ ctx, withKeyLock, throttle, cycle, stopped: () => run.stop || closed });
        cycle.finished = now();
        cycle.eta = 0;
        lastCycle = cycle;
        if (!cycle.aborted) {
          lastComplete = cycle;
          usage = buckets;
          if (cycle.errors === 0) for (const i of rebuilding) await finishHealing(ctx.slots[i]!);
          await saveStatus(ctx.slots, ctx.storeId, cycle, usage, now());
        }
      } catch (error) {
        recordError(cycle, error instanceof Error ? error.message : String(error));
      } finally {
        current = null;
        if (restartForDisks && !closed) {
          restartForDisks = false;
          begin('disk-replaced');
        } else {
          schedule(rebuildingNow().length > 0 ? RETRY_REBUILD_MS : cycleIntervalMs);
        }
      }
    })();
  }

  return {
    notice(problem) {
      const slot = ctx.slots[problem.diskIndex];
      // An offline or wiped disk cannot take a shard: nothing to heal until it is replaced.
      if (!slot || slot.state !== 'online' || problem.reason === 'offline' || !diskStillServes(slot, ctx.storeId)) return;
      queue.add(problem.bucket, problem.key);
    },
    status() {
      const cycle = current ? { ...current.cycle, eta: estimateEta(current.cycle, lastComplete, now()) } : null;
      const state = cycle ? (cycle.rebuilding.length > 0 ? 'healing' : 'scanning') : queue.busy ? 'healing' : 'idle';
      return { state, priority, cycle, lastCycle, buckets: usage.map((b) => ({ ...b })), queue: { pending: queue.pending, healed: queue.healed, dropped: queue.dropped } };
    },
    setPriority(p) {
      priority = p;
    },
    startCycle() {
      begin('requested');
    },
    async rescanDisks() {
      const { slots } = await rescanDiskSet(deps.disks, ctx.storeId, { k: ctx.k, m: ctx.m });
      // A disk of the set back (remounted): it lacks what was written meanwhile.
      const back = slots.some((slot, i) => slot.state === 'online' && ctx.slots[i]!.state !== 'online');
      // In place: requests in flight hold these slot objects.
      slots.forEach((slot, i) => {
        const target = ctx.slots[i]!;
        delete target.reason;
        delete target.healing;
        Object.assign(target, slot);
      });
      if (rebuildingNow().length > 0) begin('disk-replaced');
      else if (back) begin('requested');
      return ctx.slots.map((s) => ({ ...s }));
    },
    tracked: (store) => trackClientCalls(activity, store),
    start() {
      if (rebuildingNow().length > 0) begin('disk-replaced');
      else schedule(firstCycleAfterMs);
    },
    async idle() {
      for (;;) {
        if (current) await current.done;
        else if (queue.busy) await queue.idle();
        else return;
      }
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (current) {
        current.stop = true;
        await current.done;
      }
      await queue.close();
    },
  };
}
