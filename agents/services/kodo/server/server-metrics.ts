import type { RequestMetrics, RequestObservation } from '../access/request-metrics';

/**
 * The service's request figures: counters since start and latency percentiles over the last
 * minute, read by the agent (module.metrics → metrics.v1 → the console's charts and alerts).
 */
export interface ServerMetrics extends RequestMetrics {
  readings(now?: number): { metric: string; kind: 'gauge' | 'counter'; value: number }[];
}

const WINDOW_MS = 60_000;
/** At most this many latencies kept for the window (a busy minute is sampled, not stored whole). */
const MAX_SAMPLES = 4096;

export function createServerMetrics(): ServerMetrics {
  const totals = { requests: 0, serverErrors: 0, clientErrors: 0, bytesIn: 0, bytesOut: 0 };
  const byApi = { s3: 0, qiniu: 0 };
  let samples: { at: number; ms: number }[] = [];
  return {
    observe(o: RequestObservation) {
      totals.requests++;
      byApi[o.api]++;
      if (o.status >= 500) totals.serverErrors++;
      else if (o.status >= 400) totals.clientErrors++;
      totals.bytesIn += o.bytesIn;
      totals.bytesOut += o.bytesOut;
      const sample = { at: Date.now(), ms: o.durationMs };
      if (samples.length < MAX_SAMPLES) samples.push(sample);
      // Reservoir-like: past the cap, replace a random one so the window stays representative.
      else samples[Math.floor(Math.random() * MAX_SAMPLES)] = sample;
    },
    readings(now = Date.now()) {
      samples = samples.filter((s) => now - s.at <= WINDOW_MS);
      const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
      const pct = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
      return [
        { metric: 'requests_total', kind: 'counter', value: totals.requests },
        { metric: 's3_requests_total', kind: 'counter', value: byApi.s3 },
        { metric: 'qiniu_requests_total', kind: 'counter', value: byApi.qiniu },
        { metric: 'errors_total', kind: 'counter', value: totals.serverErrors },
        { metric: 'client_errors_total', kind: 'counter', value: totals.clientErrors },
        { metric: 'bytes_in_total', kind: 'counter', value: totals.bytesIn },
        { metric: 'bytes_out_total', kind: 'counter', value: totals.bytesOut },
        { metric: 'latency_ms_p50', kind: 'gauge', value: Math.round(pct(50) * 10) / 10 },
        { metric: 'latency_ms_p99', kind: 'gauge', value: Math.round(pct(99) * 10) / 10 },
      ];
    },
  };
}
