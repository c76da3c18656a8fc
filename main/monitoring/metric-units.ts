import type { MetricUnit } from '../contract/metrics.contract';

/**
 * The unit of a stored metric, read from its name: every series is named with its unit at the end
 * (flatten-sample.ts, service-metrics.ts), so this is the one place that turns the suffix into a
 * unit the catalog hands to charts. A name without a unit suffix is a plain count (load averages,
 * restarts, a module's `connections`), except the readiness state, which is 0 or 1.
 */
export function metricUnit(metric: string): MetricUnit {
  if (metric === 'service.ready') return 'state';
  if (metric.endsWith('_percent')) return 'percent';
  if (metric.endsWith('_bytes_per_s')) return 'bytes_per_s';
  if (metric.endsWith('_per_s')) return 'per_s';
  if (metric.endsWith('_bytes')) return 'bytes';
  if (metric.endsWith('_ms')) return 'ms';
  if (metric.endsWith('_seconds')) return 'seconds';
  if (/[._]celsius$/.test(metric)) return 'celsius';
  return 'count';
}
