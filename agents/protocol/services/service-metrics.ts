import * as z from 'zod/mini';
import '../zod-locale';

/**
 * One number a service module reports, carried in each `metrics.v1` sample beside the system
 * metrics (`serviceMetrics`), so a service's figures share the sample's cursor, history and
 * Prometheus export. The console stores each as `service.<metric>` labelled `service=<id>`, a
 * counter as a rate (`service.requests_per_s{service=kodo}`); Prometheus shows `appliance_service_<service>_<metric>` with
 * dashes as underscores. Units are in the name as for system metrics (`_bytes`, `_ms`, `_total`).
 *
 * Every module service also gets two without writing them: `ready` (1 when its readiness probe
 * passed, 0 when it failed) and `probe_ms` (how long the probe took).
 */
export const SERVICE_METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export const ServiceMetricSampleSchema = z.object({
  /** The module id: `kodo`, `cdn-cache`. */
  service: z.string().check(z.maxLength(32)),
  /** Snake case with the unit at the end: `requests_total`, `used_bytes`. */
  metric: z.string().check(z.regex(SERVICE_METRIC_NAME_PATTERN, 'expected a metric name like "requests_total"')),
  /** gauge: a level read now; counter: a total that only grows while the service runs (reset by a restart). */
  kind: z.enum(['gauge', 'counter']),
  value: z.number(),
});
export type ServiceMetricSample = z.infer<typeof ServiceMetricSampleSchema>;
