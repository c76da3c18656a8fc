import { z } from 'zod';
import { alertSeverity } from './alerts.contract';
import { entityId } from './common.schemas';
import { defineMethod } from './define';

/**
 * Reading what the collectors stored (main/monitoring): metric series for charts and the latest
 * values ("as of" for an unreachable appliance). Metric names carry their unit (`fs.used_percent`,
 * `net.rx_bytes_per_s`, `disk.read_await_ms`); labels say which mount, disk, NIC, sensor or
 * service (main/monitoring/flatten-sample.ts; a service module's own as `service.<metric>{service}`, service-metrics.ts).
 */
const metricName = z.string().regex(/^[a-z0-9_.]{1,96}$/, 'expected a metric name like fs.used_percent');
const labels = z.record(z.string().max(64), z.string().max(4096)).refine((l) => Object.keys(l).length <= 8, 'at most 8 labels');
const epochMs = z.number().int().min(0).max(8.64e15);

/**
 * One row of the Fleet table's monitoring columns (main/monitoring/fleet-overview.ts). Figures are
 * the latest the collectors stored (kept while an appliance is unreachable, hence `asOf`); null
 * when there is none. Data-disk usage is over the agent's data disks only (main/fleet/data-disks.ts).
 */
export const fleetOverviewRow = z.strictObject({
  applianceId: entityId,
  /** Newest sample behind the figures, ms since the epoch (console clock). */
  asOf: epochMs.nullable(),
  cpuPercent: z.number().nullable(),
  dataDisks: z.strictObject({ count: z.number().int(), usedBytes: z.number(), sizeBytes: z.number(), usedPercent: z.number().nullable() }).nullable(),
  /** Pending, firing and acknowledged alerts; `worst`: the highest severity among them. */
  alerts: z.strictObject({ count: z.number().int(), worst: alertSeverity.nullable() }),
});
export type FleetOverviewRow = z.infer<typeof fleetOverviewRow>;
const fleetOverview = z.strictObject({ appliances: z.array(fleetOverviewRow) });

export const RESOLUTIONS = ['raw', '1m', '1h'] as const;

/**
 * What a metric's numbers are, from the unit at the end of its name (main/monitoring/metric-units.ts):
 * `bytes` (decimal prefixes when shown), `bytes_per_s`, `per_s` (events per second), `state` (0 or
 * 1: a service's readiness; an average over a minute is the share of it spent ready), `count` (no
 * unit: load, restarts, a module's plain gauges).
 */
export const METRIC_UNITS = ['percent', 'bytes', 'bytes_per_s', 'per_s', 'ms', 'seconds', 'celsius', 'state', 'count'] as const;
export const metricUnit = z.enum(METRIC_UNITS);
export type MetricUnit = z.infer<typeof metricUnit>;

/**
 * Series under `service.` labelled `service` that the supervisor writes for every process it runs
 * (main/monitoring/flatten-sample.ts); every other `service.*{service}` series is a service module's
 * own metric (main/monitoring/service-metrics.ts), e.g. `service.ready`, `service.probe_ms`.
 */
export const SERVICE_PROCESS_SERIES: ReadonlySet<string> = new Set(['service.cpu_percent', 'service.rss_bytes', 'service.restarts']);

/** Whether a catalog entry is a service module's own metric (what the Appliance page charts per service). */
export function isModuleSeries(s: { metric: string; labels?: Record<string, string> }): boolean {
  return s.metric.startsWith('service.') && s.labels?.service !== undefined && !SERVICE_PROCESS_SERIES.has(s.metric);
}

export const metricsMethods = {
  'metrics.catalog': defineMethod({
    summary: 'The metrics (with labels and unit) an appliance has reported',
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: z.strictObject({ metrics: z.array(z.strictObject({ metric: z.string(), labels: z.record(z.string(), z.string()).optional(), unit: metricUnit })) }),
  }),
  'metrics.series': defineMethod({
    summary: 'One metric over a time range, at the coarsest resolution that fills the chart (min, avg, max per point)',
    mutating: false,
    input: z
      .strictObject({ applianceId: entityId, metric: metricName, labels: labels.optional(), from: epochMs, to: epochMs, widthPoints: z.number().int().min(10).max(5000) })
      .refine((q) => q.to > q.from, { message: 'the range must end after it starts', path: ['to'] }),
    output: z.strictObject({
      resolution: z.enum(RESOLUTIONS),
      /** Columns: point i is (t[i], min[i], avg[i], max[i]); t in ms since the epoch, console clock. */
      t: z.array(z.number()),
      min: z.array(z.number()),
      avg: z.array(z.number()),
      max: z.array(z.number()),
    }),
  }),
  'metrics.latest': defineMethod({
    summary: 'The last value of every metric of an appliance, and the time of the newest ("as of")',
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: z.strictObject({
      asOf: epochMs.nullable(),
      metrics: z.array(z.strictObject({ metric: z.string(), labels: z.record(z.string(), z.string()).optional(), t: z.number(), v: z.number() })),
    }),
  }),
  'metrics.fleetOverview': defineMethod({
    summary: "What an admin scans the Fleet table for, per appliance: latest CPU busy %, data-disk usage and active alerts (count, worst severity)",
    mutating: false,
    input: z.strictObject({}),
    output: fleetOverview,
  }),
};
