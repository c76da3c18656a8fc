/**
 * Time as an explicit dependency: the supervisor's backoff and the log's timestamps read it, so a
 * unit test can drive them with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer: (fn, ms) => ({ id: setTimeout(fn, ms) }),
    clearTimer: (handle) => clearTimeout(handle.id as ReturnType<typeof setTimeout>),
  };
}
