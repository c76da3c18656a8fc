import { Readable } from 'node:stream';

/**
 * How hard the background scanner may use the disks: a priority is a budget of bytes read per
 * second (a token bucket) and a pause between objects; at `low` it also waits while clients have
 * requests in flight (up to YIELD_MAX_MS per object, so a store that is never idle is still
 * scanned). Budgets are for the whole set, not per disk: healing an object reads its shards from
 * k + m disks at once.
 */

export type HealPriority = 'low' | 'normal' | 'high';

export const HEAL_BUDGETS: Record<HealPriority, { bytesPerSecond: number; pauseMs: number; yieldToClients: boolean }> = {
  low: { bytesPerSecond: 16 << 20, pauseMs: 20, yieldToClients: true },
  normal: { bytesPerSecond: 64 << 20, pauseMs: 2, yieldToClients: false },
  high: { bytesPerSecond: Infinity, pauseMs: 0, yieldToClients: false },
};

/** Longest a `low` scanner waits for clients to go quiet before each object. */
const YIELD_MAX_MS = 1000;
const YIELD_POLL_MS = 10;

export interface Sleep {
  (ms: number): Promise<void>;
}

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Client requests in flight (the store counts them; a GET until its stream closes). */
export class ClientActivity {
  private inFlight = 0;
  begin(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
    };
  }
  get busy(): boolean {
    return this.inFlight > 0;
  }
}

export class HealThrottle {
  private tokens = 0;
  private last: number;
  /** Bytes read through take() since the cycle began (the cycle's bytesScanned). */
  bytes = 0;
  constructor(
    private priority: () => HealPriority,
    private readonly activity: ClientActivity,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.last = now();
  }

  /** Before reading `bytes`: waits until the budget allows it. */
  async take(bytes: number): Promise<void> {
    this.bytes += bytes;
    const rate = HEAL_BUDGETS[this.priority()].bytesPerSecond;
    if (!Number.isFinite(rate)) return;
    const now = this.now();
    // At most one second's budget saved up, so an idle spell does not become a burst.
    this.tokens = Math.min(rate, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
    this.tokens -= bytes;
    if (this.tokens < 0) await this.sleep((-this.tokens / rate) * 1000);
  }

  /** Between objects: the priority's pause, and at `low` the wait for clients to go quiet. */
  async between(): Promise<void> {
    const { pauseMs, yieldToClients } = HEAL_BUDGETS[this.priority()];
    if (pauseMs > 0) await this.sleep(pauseMs);
    if (!yieldToClients) return;
    for (let waited = 0; this.activity.busy && waited < YIELD_MAX_MS; waited += YIELD_POLL_MS) await this.sleep(YIELD_POLL_MS);
  }
}

/** Store methods that are not client requests: the scanner does not yield to them. */
const NOT_CLIENT_CALLS = new Set(['disks', 'healStatus', 'setHealPriority', 'startHealCycle', 'rescanDisks', 'close', 'healObject', 'healIdle']);

/** The store object with each client call counted in `activity` (replaced in place). */
export function trackClientCalls<T extends object>(activity: ClientActivity, store: T): T {
  for (const name of Object.keys(store) as (keyof T)[]) {
    const fn = store[name];
    if (typeof fn !== 'function' || NOT_CLIENT_CALLS.has(String(name))) continue;
    store[name] = ((...args: unknown[]) => trackCall(activity, () => (fn as (...a: unknown[]) => unknown).apply(store, args))) as T[keyof T];
  }
  return store;
}

/** Counts a client call in flight until it settles; a GET until its stream closes. */
function trackCall(activity: ClientActivity, call: () => unknown): unknown {
  const end = activity.begin();
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    end();
    throw error;
  }
  if (!(result instanceof Promise)) {
    end();
    return result;
  }
  return result.then(
    (value: unknown) => {
      const stream = (value as { stream?: unknown } | null)?.stream;
      if (stream instanceof Readable && !stream.destroyed) stream.once('close', end);
      else end();
      return value;
    },
    (error: unknown) => {
      end();
      throw error;
    },
  );
}
