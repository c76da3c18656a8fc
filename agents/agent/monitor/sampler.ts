import type { MetricsSample } from '../../protocol/payloads/metrics';
import type { ServiceStatus } from '../../protocol/payloads/services';
import type { ServiceMetricSample } from '../../protocol/services/service-metrics';
import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from './history-store';
import { buildSample } from './sample-builder';
import type { RawReading, SystemSource } from './system-source';

export interface Sampler {
  /** Takes the baseline reading at once; the first sample follows one interval later (with rates). */
  start(): void;
  stop(): void;
  /** The last raw reading (cumulative counters, for /metrics), or null before the first. */
  lastReading(): RawReading | null;
}

/**
 * Every `intervalMs`: read the system, turn the delta into a sample, append it to the history.
 * Ticks are scheduled on a fixed cadence from the monotonic clock, so a slow read does not make the
 * interval drift. A read that throws (a /proc file unreadable) skips that sample and is logged once
 * per distinct message, not every ten seconds.
 */
export function createSampler(deps: {
  source: SystemSource;
  store: HistoryStore;
  services: () => ServiceStatus[];
  intervalMs: number;
  clock: Clock;
  log: Logger;
  onSample?: (sample: MetricsSample) => void;
  /** The service modules' latest figures (agents/agent/services/), stored in each sample. */
  serviceMetrics?: () => ServiceMetricSample[];
}): Sampler {
  let prev: RawReading | null = null;
  let timer: TimerHandle | null = null;
  let lastError: string | null = null;
  let running = false;
  let origin = 0;
  let ticks = 0;

  function read(): RawReading | null {
    const status = deps.services();
    const groups = status.flatMap((s) => (s.pid !== null ? [s.pid] : []));
    try {
      const reading = deps.source.read(groups);
      if (lastError !== null) deps.log.info('monitor.sample-recovered', {});
      lastError = null;
      return reading;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) deps.log.warn('monitor.sample-failed', { error: err as Error });
      lastError = message;
      return null;
    }
  }

  function tick(): void {
    timer = null;
    if (!running) return;
    const cur = read();
    if (cur) {
      const body = buildSample(prev, cur, deps.services(), deps.source.ticksPerSecond);
      const serviceMetrics = deps.serviceMetrics?.() ?? [];
      // Left out when empty, so an agent without service modules writes the samples it always wrote.
      if (serviceMetrics.length > 0) body.serviceMetrics = serviceMetrics;
      const sample = deps.store.append(body);
      prev = cur;
      deps.onSample?.(sample);
    }
    schedule();
  }

  function schedule(): void {
    ticks += 1;
    const due = origin + ticks * deps.intervalMs;
    const now = performance.now();
    // Fell behind by more than an interval (the machine was suspended, the loop blocked): skip the
    // missed ticks rather than firing a burst of samples.
    if (due < now - deps.intervalMs) {
      ticks = Math.ceil((now - origin) / deps.intervalMs);
    }
    timer = deps.clock.setTimer(tick, Math.max(0, origin + ticks * deps.intervalMs - now));
  }

  return {
    start() {
      if (running) return;
      running = true;
      origin = performance.now();
      ticks = 0;
      prev = read();
      schedule();
    },
    stop() {
      running = false;
      if (timer) deps.clock.clearTimer(timer);
      timer = null;
    },
    lastReading: () => prev,
  };
}
