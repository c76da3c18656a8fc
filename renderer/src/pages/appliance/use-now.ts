import { useEffect, useState, useSyncExternalStore } from 'react';

/**
 * The current time, refreshed every `intervalMs`, for relative times ("since 3 minutes ago") that
 * must not freeze while the page stays open. One timer per caller: call it once per page.
 */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * The same for many small components (table cells): one shared timer per interval, running only
 * while someone listens, and every listener sees the same tick (rows never disagree). `subscribe`
 * and `read` are made once per interval: a new subscribe function each render would make React
 * resubscribe on every render.
 */
interface SharedClock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
  subscribe(onChange: () => void): () => void;
  read(): number;
}

const clocks = new Map<number, SharedClock>();

function clockFor(intervalMs: number): SharedClock {
  const existing = clocks.get(intervalMs);
  if (existing) return existing;
  const clock: SharedClock = {
    now: Date.now(),
    listeners: new Set(),
    timer: null,
    subscribe(onChange) {
      clock.listeners.add(onChange);
      clock.timer ??= setInterval(() => {
        clock.now = Date.now();
        for (const listener of clock.listeners) listener();
      }, intervalMs);
      return () => {
        clock.listeners.delete(onChange);
        if (clock.listeners.size === 0 && clock.timer !== null) {
          clearInterval(clock.timer);
          clock.timer = null;
        }
      };
    },
    read() {
      // Nobody listened for a while (the page was closed): start from the real time, once.
      if (clock.timer === null && Date.now() - clock.now > intervalMs) clock.now = Date.now();
      return clock.now;
    },
  };
  clocks.set(intervalMs, clock);
  return clock;
}

export function useSharedNow(intervalMs: number): number {
  const clock = clockFor(intervalMs);
  return useSyncExternalStore(clock.subscribe, clock.read);
}
