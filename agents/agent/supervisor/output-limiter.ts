import type { Clock } from '../clock';

/**
 * Caps how many output lines of one service reach the log per second. Every line is written
 * synchronously to agent.log, so a service printing progress in a loop (ffmpeg does) would
 * otherwise fill the disk and starve the agent; what is dropped is counted and reported once the
 * next second starts.
 */
export interface OutputLimiter {
  /** True if this line may be logged. */
  admit(): boolean;
  /** Lines dropped since the last call (reported by the caller), then reset. */
  takeDropped(): number;
}

export function createOutputLimiter(clock: Clock, linesPerSecond: number): OutputLimiter {
  let windowStart = clock.now();
  let inWindow = 0;
  let dropped = 0;
  return {
    admit() {
      const now = clock.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      }
      inWindow += 1;
      if (inWindow <= linesPerSecond) return true;
      dropped += 1;
      return false;
    },
    takeDropped() {
      const n = dropped;
      dropped = 0;
      return n;
    },
  };
}
