import { z } from 'zod';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * Reading what the collectors stored (main/monitoring): metric series for charts, the latest
 * values ("as of" for an unreachable appliance), and each disk's health from its SMART readings.
 * Metric names carry their unit (`fs.used_percent`, `net.rx_bytes_per_s`, `disk.read_await_ms`);
 * labels say which mount, disk, NIC, sensor or service (main/monitoring/flatten-sample.ts).
 */
const metricName = z.string().regex(/^[a-z0-9_.]{1,96}$/, 'expected a metric name like fs.used_percent');
const labels = z.record(z.string().max(64), z.string().max(4096)).refine((l) => Object.keys(l).length <= 8, 'at most 8 labels');
const epochMs = z.number().int().min(0).max(8.64e15);

export const RESOLUTIONS = ['raw', '1m', '1h'] as const;

export const diskVerdict = z.enum(['healthy', 'warning', 'failing', 'failed', 'unknown']);

export const diskHealth = z.strictObject({
  device: z.string(),
  verdict: diskVerdict,
  reasons: z.array(z.strictObject({ code: z.string(), severity: z.string(), message: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })),
  identity: z.strictObject({
    model: z.string().nullable(),
    serial: z.string().nullable(),
    firmware: z.string().nullable(),
    capacityBytes: z.number().nullable(),
    protocol: z.string().nullable(),
    kind: z.string(),
  }),
  /** Key attributes with units in their names (temperatureC, powerOnHours, reallocatedSectors, percentageUsed…). */
  metrics: z.record(z.string(), z.number().nullable()),
  /** The agent's self-test state: in progress, the drive's log, requests, next scheduled. */
  selfTests: z.unknown(),
  /** Key attributes over time, as the agent recorded them at each reading. */
  history: z.array(z.unknown()),
  error: z.string().nullable(),
  readAt: isoTime.nullable(),
  judgedAt: isoTime,
  /** Where the disk (or a partition of it) is mounted, from the last inventory; data disks are mounted under /srv/disks. */
  placement: z.strictObject({
    mountpoints: z.array(z.string()),
    dataDisk: z.boolean(),
    sizeBytes: z.number().nullable(),
    /** udev's stable names (`/dev/disk/by-id/…`): what matches the label on the drive. */
    idPaths: z.array(z.string()),
    /** SCSI `h:c:t:l` (the controller port) or an NVMe PCI address; null for virtual devices. */
    slot: z.string().nullable(),
  }),
});
export type DiskHealthView = z.infer<typeof diskHealth>;

export const monitoringMethods = {
  'metrics.catalog': defineMethod({
    summary: 'The metrics (with labels) an appliance has reported',
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: z.strictObject({ metrics: z.array(z.strictObject({ metric: z.string(), labels: z.record(z.string(), z.string()).optional() })) }),
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
  'disks.list': defineMethod({
    summary: "An appliance's disks with their health verdict and reasons, from the last SMART reading",
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: z.strictObject({ disks: z.array(diskHealth) }),
  }),
  'disks.smart': defineMethod({
    summary: "One disk's full smartctl -j -x output, as last read",
    mutating: false,
    input: z.strictObject({ applianceId: entityId, device: z.string().max(128) }),
    output: z.strictObject({ disk: diskHealth, smartctl: z.record(z.string(), z.unknown()).nullable() }),
  }),
  'disks.selfTest': defineMethod({
    summary: 'Start a SMART self-test (short or long) on one disk of an appliance',
    mutating: true,
    input: z.strictObject({ applianceId: entityId, device: z.string().regex(/^\/dev\/[A-Za-z0-9._/-]{1,120}$/), kind: z.enum(['short', 'long']) }),
    output: z.strictObject({ accepted: z.boolean(), message: z.string() }),
  }),
};
