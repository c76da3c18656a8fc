/** Time as a dependency, so tests fake it explicitly instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export function manualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): Clock & { advance(ms: number): void; set(t: Date | string): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (v) => {
      t = new Date(v).getTime();
    },
  };
}
