import type { ApplianceEvent, ApplianceStatus } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/log';
import type { Reach } from '../reach/reach';
import type { ApplianceStatusStore } from '../store/appliance-status-store';
import { createApplianceCheck, type Collector, type WatchParams } from './appliance-check';
import { createInventoryView, type InventoryAnswer } from './inventory-view';
import { createStatusChanges, statusSignature, toApplianceStatus } from './status-changes';

export type { Collector, ReachedAgent, WatchParams } from './appliance-check';
export { toApplianceStatus } from './status-changes';

/**
 * The console's watch over the fleet: every `intervalMs` (10 s) each appliance is checked
 * (appliance-check.ts) over its pooled connection (main/reach), the result kept
 * (appliance_status), pushed to open UIs (`status.changed`) when something a person sees changed,
 * and what happened recorded as appliance events (status-changes.ts).
 *
 * Collectors (metrics, SMART) run after a successful check on the same agent session, so one round
 * costs one connection per appliance however many things are collected; what a collector asks
 * every round (metrics after its cursor) rides in the check's own `watch.v1` call.
 */
export interface FleetWatchDeps {
  appliances: { list(): { id: string; name: string }[]; get(id: string): { id: string; name: string; address: string; port: number } | null | undefined };
  status: ApplianceStatusStore;
  reach: Pick<Reach, 'connection' | 'agent' | 'hasAgent' | 'forget' | 'trust'>;
  events: EventBus;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** Appliances checked at once; a round over 1,000 appliances must not open 1,000 channels at once. */
  concurrency?: number;
  /** How old a kept inventory may be before a round fetches it again. */
  inventoryMaxAgeMs?: number;
  collectors?: Collector[];
  /** After each round of the timer (not after a single check): alert evaluation, telemetry upkeep. */
  afterRound?: (statuses: ApplianceStatus[]) => void;
}

export interface FleetWatch {
  start(): void;
  /** Stops the timer and aborts the round's remaining checks; resolves when the round in flight has ended. */
  stop(): Promise<void>;
  /** True while a timer round runs (its writes to the store are not done yet). */
  roundInFlight(): boolean;
  /** Checks one appliance now (joins a check already running for it). */
  check(applianceId: string): Promise<ApplianceStatus>;
  /** Checks every appliance once, as a round does (the CLI's `fleet status`). */
  checkAll(): Promise<ApplianceStatus[]>;
  /** The inventory from the agent now; the kept one (with why it is stale) when the agent cannot answer. */
  inventory(applianceId: string, refresh: boolean): Promise<InventoryAnswer>;
  statuses(ids?: string[]): ApplianceStatus[];
  events(opts: { applianceId?: string; before?: number; limit: number }): { events: ApplianceEvent[]; next: number | null };
}

const INVENTORY_MAX_AGE_MS = 10 * 60_000;

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createFleetWatch(deps: FleetWatchDeps): FleetWatch {
  const log = deps.log.child('fleet-watch');
  const intervalMs = deps.intervalMs ?? 10_000;
  const concurrency = deps.concurrency ?? 32;
  const inventoryMaxAgeMs = deps.inventoryMaxAgeMs ?? INVENTORY_MAX_AGE_MS;
  const changes = createStatusChanges({ status: deps.status, events: deps.events, clock: deps.clock, log });
  const piggyback = (deps.collectors ?? []).flatMap((c) => (c.watchParams ? [c.watchParams] : []));
  const watchParams = (applianceId: string): WatchParams => Object.assign({}, ...piggyback.map((p) => p(applianceId))) as WatchParams;
  const checkOne = createApplianceCheck({ appliances: deps.appliances, status: deps.status, reach: deps.reach, changes, clock: deps.clock, log, inventoryMaxAgeMs, watchParams });
  const inflight = new Map<string, Promise<ApplianceStatus>>();
  // Replaced at each start: a watch stopped and started again must not begin with an aborted signal.
  let stopController = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<unknown> | null = null;
  let running = false;

  async function checkOnce(applianceId: string): Promise<ApplianceStatus> {
    const { record, prev, reached } = await checkOne(applianceId, stopController.signal);
    if (!deps.status.put(record, prev)) throw new Error(`appliance ${applianceId} was removed during its check`);
    const status = toApplianceStatus(record);
    // 1,000 appliances every 10 s would be 100 events a second: tell the UI only what changed.
    if (!prev || statusSignature(toApplianceStatus(prev)) !== statusSignature(status)) deps.events.emit('status.changed', status);
    if (reached) {
      for (const collect of deps.collectors ?? []) {
        try {
          await collect(reached);
        } catch (err) {
          log.warn('collector failed', { applianceId, error: describe(err) });
        }
      }
    }
    return status;
  }

  function check(applianceId: string): Promise<ApplianceStatus> {
    const running = inflight.get(applianceId);
    if (running) return running;
    const p = checkOnce(applianceId).finally(() => inflight.delete(applianceId));
    inflight.set(applianceId, p);
    return p;
  }

  async function checkAll(): Promise<ApplianceStatus[]> {
    const ids = deps.appliances.list().map((a) => a.id);
    const results: ApplianceStatus[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length && !stopController.signal.aborted) {
        const id = ids[next++]!;
        try {
          results.push(await check(id));
        } catch (err) {
          log.warn('check failed', { applianceId: id, error: describe(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return results;
  }

  const schedule = (delayMs: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      const started = Date.now();
      round = checkAll()
        .then((statuses) => {
          if (running) deps.afterRound?.(statuses);
        })
        .catch((err: unknown) => log.warn('round failed', { error: describe(err) }))
        .finally(() => {
          round = null;
          schedule(Math.max(0, intervalMs - (Date.now() - started)));
        });
    }, delayMs);
    timer.unref?.();
  };

  const checkSoon = (id: string) => {
    if (running) void check(id).catch(() => undefined);
  };
  /** While the watch runs: changes that must not wait for the next round. */
  function listen(): () => void {
    // Settings changed or appliance removed: its connection (and agent session) must not be reused.
    const offFleet = deps.events.subscribe((event, payload) => {
      if (event !== 'fleet.changed') return;
      const change = payload as { change: string; id: string };
      if (change.change !== 'added') deps.reach.forget(change.id);
      if (change.change !== 'removed') checkSoon(change.id);
    });
    // A changed host key (seen here or recorded by another process): say so now.
    const offTrust = deps.reach.trust.onChange((address, port) => {
      for (const { id } of deps.appliances.list()) {
        const a = deps.appliances.get(id);
        if (a && a.address.toLowerCase() === address.toLowerCase() && a.port === port) checkSoon(id);
      }
    });
    return () => {
      offFleet();
      offTrust();
    };
  }
  let unlisten: (() => void) | null = null;

  const inventory = createInventoryView({ status: deps.status, reach: deps.reach, clock: deps.clock, check, maxAgeMs: inventoryMaxAgeMs });

  return {
    start() {
      if (running) return;
      running = true;
      if (stopController.signal.aborted) stopController = new AbortController();
      unlisten = listen();
      schedule(0);
    },
    async stop() {
      running = false;
      unlisten?.();
      unlisten = null;
      if (timer) clearTimeout(timer);
      stopController.abort();
      await round?.catch(() => undefined);
    },
    roundInFlight: () => round !== null,
    check,
    checkAll,
    inventory,
    events: (opts) => changes.page(opts),
    statuses(ids) {
      const all = deps.status.all().map(toApplianceStatus);
      if (!ids) return all;
      const wanted = new Set(ids);
      return all.filter((s) => wanted.has(s.applianceId));
    },
  };
}
