import { z } from 'zod';
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
export const MetricsCursorSchema = z.string().regex(/^[a-z0-9]{1,32}\.[0-9]{1,15}$/, 'expected <historyId>.<seq>');

const rate = z.number().nonnegative().nullable();
const percent = z.number().min(0).max(100);
const name = z.string().max(128);

export const CpuSampleSchema = z.object({
  /** Everything but idle and iowait, over all CPUs. */
  busyPercent: percent.nullable(),
  userPercent: percent.nullable(),
  systemPercent: percent.nullable(),
  iowaitPercent: percent.nullable(),
  stealPercent: percent.nullable(),
  /** Busy percent per logical CPU, by CPU number (index = cpu id as in /proc/stat). */
  coresBusyPercent: z.array(percent.nullable()).max(4096),
});

export const LoadSampleSchema = z.object({ load1: z.number().nonnegative(), load5: z.number().nonnegative(), load15: z.number().nonnegative() });

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
  utilPercent: percent.nullable(),
  /** Average time per completed read/write in the interval, queueing included (iostat's r_await/w_await). */
  readAwaitMs: rate,
  writeAwaitMs: rate,
  /** I/Os in flight when sampled. */
  inFlight: z.number().int().nonnegative(),
});

export const FilesystemSampleSchema = z.object({
  mountpoint: z.string().max(4096),
  /** The mounted device (/dev/sdb1), as in the mount table. */
  device: z.string().max(4096),
  fsType: z.string().max(64),
  sizeBytes: ByteCountSchema,
  usedBytes: ByteCountSchema,
  /** Available to unprivileged users (df's "Avail"). */
  availableBytes: ByteCountSchema,
  /** used / (used + available), as df computes Use%. */
  usePercent: percent,
  inodesTotal: z.number().int().nonnegative(),
  inodesUsed: z.number().int().nonnegative(),
  /** null for file systems without a fixed inode table (btrfs, xfs may report 0). */
  inodesUsePercent: percent.nullable(),
  readOnly: z.boolean(),
});

export const TemperatureSampleSchema = z.object({
  /** `hwmon:<chip>/<label or tempN>` or `thermal:<zone type>`. */
  sensor: z.string().max(256),
  celsius: z.number().min(-273).max(1000),
});

export const ServiceSampleSchema = z.object({
  name: z.string().max(64),
  state: z.string().max(16),
  pid: z.number().int().positive().nullable(),
  /** CPU of the service's whole process group, as a share of one CPU (200 = two CPUs busy). */
  cpuPercent: rate,
  /** Resident memory of the service's process group. */
  rssBytes: ByteCountSchema.nullable(),
  processes: z.number().int().nonnegative(),
  restarts: z.number().int().nonnegative(),
  crashes: z.number().int().nonnegative(),
});

export const MetricsSampleSchema = z.object({
  seq: z.number().int().nonnegative(),
  time: IsoTimeSchema,
  /** Milliseconds the rates of this sample are computed over (normally `monitor.intervalMs`). */
  intervalMs: z.number().int().nonnegative().nullable(),
  cpu: CpuSampleSchema,
  load: LoadSampleSchema,
  memory: MemorySampleSchema,
  net: z.array(NetSampleSchema).max(1024),
  disks: z.array(DiskSampleSchema).max(4096),
  filesystems: z.array(FilesystemSampleSchema).max(4096),
  temperatures: z.array(TemperatureSampleSchema).max(1024),
  services: z.array(ServiceSampleSchema).max(64),
  /** The agent process itself (the monitor's own cost). */
  agent: z.object({ cpuPercent: rate, rssBytes: ByteCountSchema }),
});
export type MetricsSample = z.infer<typeof MetricsSampleSchema>;

export const MetricsParamsSchema = z.strictObject({
  /** Samples after this cursor; omitted: from the oldest sample kept (a first, full backfill). */
  after: MetricsCursorSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(360),
});

export const MetricsResultSchema = z.object({
  historyId: z.string().max(32),
  /** Oldest first, consecutive seq unless samples were lost to a crash between two writes. */
  samples: z.array(MetricsSampleSchema).max(1000),
  /** Pass as `after` for the next page (or the next poll); null when there is no sample yet. */
  next: MetricsCursorSchema.nullable(),
  /** The oldest sample kept. */
  oldest: MetricsCursorSchema.nullable(),
  /** The newest sample kept. */
  newest: MetricsCursorSchema.nullable(),
  /**
   * Samples between `after` and the first one returned are gone: the cursor is older than the
   * history kept, or belongs to another history. The answer starts from the oldest sample.
   */
  gap: z.boolean(),
  /** Another page is waiting: ask again with `next` (pages are also cut at ~4 MiB). */
  more: z.boolean(),
  intervalMs: z.number().int().positive(),
});
export type MetricsResult = z.infer<typeof MetricsResultSchema>;
