import * as z from 'zod/mini';
import { ServiceMetricSampleSchema } from '../services/service-metrics';
import { ByteCountSchema, IsoTimeSchema } from './common';

/**
 * `metrics.v1`: the agent's own history of system samples, served by cursor so the console can
 * backfill every sample it missed while it was disconnected.
 *
 * Units are in the field names: `…Bytes`, `…PerSec` (a rate over the sample's interval), `…Percent`
 * (0–100), `…Ms`, `…Celsius`. A rate is null when there is nothing to compute it from (a device
 * that appeared since the previous sample, or a counter that went backwards: a reset). Counters the
 * kernel does not keep (await on a device without I/O in the interval) are null too, never 0.
 */

/** Bumped when a sample's shape changes incompatibly (then `metrics.v2` appears beside v1). */
export const METRICS_SAMPLE_SCHEMA = 1;

/**
 * `<historyId>.<seq>`: the history's id (random, made when the history directory is created, kept
 * across agent restarts) and the sample's sequence number (monotonic, never reused within a history).
 * A cursor from another history (the state directory was wiped, the appliance reprovisioned) is
 * answered from the oldest sample with `gap: true`.
 */
export const MetricsCursorSchema = z.string().check(z.regex(/^[a-z0-9]{1,32}\.[0-9]{1,15}$/, 'expected <historyId>.<seq>'));

const rate = z.nullable(z.number().check(z.nonnegative()));
const percent = z.number().check(z.minimum(0), z.maximum(100));
const name = z.string().check(z.maxLength(128));

export const CpuSampleSchema = z.object({
  /** Everything but idle and iowait, over all CPUs. */
  busyPercent: z.nullable(percent),
  userPercent: z.nullable(percent),
  systemPercent: z.nullable(percent),
  iowaitPercent: z.nullable(percent),
  stealPercent: z.nullable(percent),
  /** Busy percent per logical CPU, by CPU number (index = cpu id as in /proc/stat). */
  coresBusyPercent: z.array(z.nullable(percent)).check(z.maxLength(4096)),
});

export const LoadSampleSchema = z.object({ load1: z.number().check(z.nonnegative()), load5: z.number().check(z.nonnegative()), load15: z.number().check(z.nonnegative()) });

export const MemorySampleSchema = z.object({
  totalBytes: ByteCountSchema,
  /** MemAvailable: what can be allocated without swapping (the kernel's own estimate). */
  availableBytes: ByteCountSchema,
  /** total − available. */
  usedBytes: ByteCountSchema,
  buffersBytes: ByteCountSchema,
  cachedBytes: ByteCountSchema,
  swapTotalBytes: ByteCountSchema,
  swapUsedBytes: ByteCountSchema,
});

export const NetSampleSchema = z.object({
  /** Interface name: eth0, ens3, bond0, lo. */
  name,
  rxBytesPerSec: rate,
  txBytesPerSec: rate,
  rxPacketsPerSec: rate,
  txPacketsPerSec: rate,
  rxErrorsPerSec: rate,
  txErrorsPerSec: rate,
  rxDropsPerSec: rate,
  txDropsPerSec: rate,
});

export const DiskSampleSchema = z.object({
  /** Kernel name of the whole disk: sda, nvme0n1, vda, loop3, dm-0, md0. */
  name,
  sizeBytes: ByteCountSchema,
  readOpsPerSec: rate,
  writeOpsPerSec: rate,
  readBytesPerSec: rate,
  writeBytesPerSec: rate,
  /** Share of the interval the device had I/O in flight (iostat's %util). */
  utilPercent: z.nullable(percent),
  /** Average time per completed read/write in the interval, queueing included (iostat's r_await/w_await). */
  readAwaitMs: rate,
  writeAwaitMs: rate,
  /** I/Os in flight when sampled. */
  inFlight: z.number().check(z.int(), z.nonnegative()),
});

export const FilesystemSampleSchema = z.object({
  mountpoint: z.string().check(z.maxLength(4096)),
  /** The mounted device (/dev/sdb1), as in the mount table. */
  device: z.string().check(z.maxLength(4096)),
  fsType: z.string().check(z.maxLength(64)),
  sizeBytes: ByteCountSchema,
  usedBytes: ByteCountSchema,
  /** Available to unprivileged users (df's "Avail"). */
  availableBytes: ByteCountSchema,
  /** used / (used + available), as df computes Use%. */
  usePercent: percent,
  inodesTotal: z.number().check(z.int(), z.nonnegative()),
  inodesUsed: z.number().check(z.int(), z.nonnegative()),
  /** null for file systems without a fixed inode table (btrfs, xfs may report 0). */
  inodesUsePercent: z.nullable(percent),
  readOnly: z.boolean(),
});

export const TemperatureSampleSchema = z.object({
  /** `hwmon:<chip>/<label or tempN>` or `thermal:<zone type>`. */
  sensor: z.string().check(z.maxLength(256)),
  celsius: z.number().check(z.minimum(-273), z.maximum(1000)),
});

export const ServiceSampleSchema = z.object({
  name: z.string().check(z.maxLength(64)),
  state: z.string().check(z.maxLength(16)),
  pid: z.nullable(z.number().check(z.int(), z.positive())),
  /** CPU of the service's whole process group, as a share of one CPU (200 = two CPUs busy). */
  cpuPercent: rate,
  /** Resident memory of the service's process group. */
  rssBytes: z.nullable(ByteCountSchema),
  processes: z.number().check(z.int(), z.nonnegative()),
  restarts: z.number().check(z.int(), z.nonnegative()),
  crashes: z.number().check(z.int(), z.nonnegative()),
});

export const MetricsSampleSchema = z.object({
  seq: z.number().check(z.int(), z.nonnegative()),
  time: IsoTimeSchema,
  /** Milliseconds the rates of this sample are computed over (normally `monitor.intervalMs`). */
  intervalMs: z.nullable(z.number().check(z.int(), z.nonnegative())),
  cpu: CpuSampleSchema,
  load: LoadSampleSchema,
  memory: MemorySampleSchema,
  net: z.array(NetSampleSchema).check(z.maxLength(1024)),
  disks: z.array(DiskSampleSchema).check(z.maxLength(4096)),
  filesystems: z.array(FilesystemSampleSchema).check(z.maxLength(4096)),
  temperatures: z.array(TemperatureSampleSchema).check(z.maxLength(1024)),
  services: z.array(ServiceSampleSchema).check(z.maxLength(64)),
  /** The agent process itself (the monitor's own cost). */
  agent: z.object({ cpuPercent: rate, rssBytes: ByteCountSchema }),
  /** What service modules report (agents/protocol/services/service-metrics.ts); absent from older agents. */
  serviceMetrics: z.optional(z.array(ServiceMetricSampleSchema).check(z.maxLength(4096))),
});
export type MetricsSample = z.infer<typeof MetricsSampleSchema>;

export const MetricsParamsSchema = z.strictObject({
  /** Samples after this cursor; omitted: from the oldest sample kept (a first, full backfill). */
  after: z.optional(MetricsCursorSchema),
  limit: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 360),
});

export const MetricsResultSchema = z.object({
  historyId: z.string().check(z.maxLength(32)),
  /** Oldest first, consecutive seq unless samples were lost to a crash between two writes. */
  samples: z.array(MetricsSampleSchema).check(z.maxLength(1000)),
  /** Pass as `after` for the next page (or the next poll); null when there is no sample yet. */
  next: z.nullable(MetricsCursorSchema),
  /** The oldest sample kept. */
  oldest: z.nullable(MetricsCursorSchema),
  /** The newest sample kept. */
  newest: z.nullable(MetricsCursorSchema),
  /**
   * Samples between `after` and the first one returned are gone: the cursor is older than the
   * history kept, or belongs to another history. The answer starts from the oldest sample.
   */
  gap: z.boolean(),
  /** Another page is waiting: ask again with `next` (pages are also cut at ~4 MiB). */
  more: z.boolean(),
  intervalMs: z.number().check(z.int(), z.positive()),
});
export type MetricsResult = z.infer<typeof MetricsResultSchema>;
