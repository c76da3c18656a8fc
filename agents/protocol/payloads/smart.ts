import * as z from 'zod/mini';
import { IsoTimeSchema, ShortTextSchema } from './common';

/**
 * `smart.v1` and `smart-selftest.v1`: SMART of every whole disk, read with `smartctl -j -x` every
 * `monitor.smart.intervalMs` and on demand, plus self-tests (scheduled and on demand) and their
 * results from the drive's self-test log. `data` is smartctl's own JSON, passed through untouched
 * (the console's main/health/smart-verdict.ts judges it); `summary` and `history` are the few
 * attributes the agent extracts so a trend needs no old JSON.
 */

/** A device node: /dev/sda, /dev/nvme0, /dev/loop3, /dev/bus/0 (megaraid). */
export const SmartDevicePathSchema = z.string().check(z.regex(/^\/dev\/[A-Za-z0-9._/-]{1,120}$/, 'expected a device path like /dev/sda'), z.refine((p) => !p.split('/').includes('..'), 'must not contain ".."'));

export const SMART_SELFTEST_KINDS = ['short', 'long'] as const;
export type SmartSelfTestKind = (typeof SMART_SELFTEST_KINDS)[number];

export const SmartParamsSchema = z.strictObject({
  /** Only this disk; omitted: every disk. */
  device: z.optional(SmartDevicePathSchema),
  /** Read the disk(s) now instead of answering from the last reading (takes seconds per disk). */
  refresh: z._default(z.boolean(), false),
  /** Include smartctl's whole JSON (`data`); false for a lighter answer with summaries only. */
  includeData: z._default(z.boolean(), true),
});

const count = z.nullable(z.number().check(z.int(), z.nonnegative()));

/** Key attributes, null when the drive does not report them (NVMe has no reallocated sectors, …). */
export const SmartSummarySchema = z.object({
  model: z.nullable(ShortTextSchema),
  serial: z.nullable(ShortTextSchema),
  firmware: z.nullable(ShortTextSchema),
  capacityBytes: z.nullable(z.number().check(z.int(), z.nonnegative())),
  /** smart_status.passed: the drive's own overall verdict. */
  passed: z.nullable(z.boolean()),
  temperatureCelsius: z.nullable(z.number()),
  powerOnHours: count,
  /** ATA 5 Reallocated_Sector_Ct (raw). */
  reallocatedSectors: count,
  /** ATA 197 Current_Pending_Sector (raw). */
  pendingSectors: count,
  /** ATA 198 Offline_Uncorrectable (raw). */
  offlineUncorrectable: count,
  /** NVMe media_errors. */
  mediaErrors: count,
  /** NVMe percentage_used (may exceed 100). */
  percentageUsed: count,
  /** SCSI grown defect list length. */
  grownDefects: count,
});
export type SmartSummary = z.infer<typeof SmartSummarySchema>;

export const SmartHistoryPointSchema = z.extend(z.pick(SmartSummarySchema, {
  passed: true,
  temperatureCelsius: true,
  powerOnHours: true,
  reallocatedSectors: true,
  pendingSectors: true,
  offlineUncorrectable: true,
  mediaErrors: true,
  percentageUsed: true,
  grownDefects: true,
}), { time: IsoTimeSchema });
export type SmartHistoryPoint = z.infer<typeof SmartHistoryPointSchema>;

/** One entry of the drive's self-test log (newest first, as the drive keeps it). */
export const SmartSelfTestLogEntrySchema = z.object({
  /** As the drive names it: "Short offline", "Extended offline", "Short self-test", … */
  type: ShortTextSchema,
  status: ShortTextSchema,
  /** true: completed without error; false: failed or aborted by error; null: other (interrupted, in progress). */
  passed: z.nullable(z.boolean()),
  /** Power-on hours when the test ran. */
  lifetimeHours: count,
});
export type SmartSelfTestLogEntry = z.infer<typeof SmartSelfTestLogEntrySchema>;

export const SmartSelfTestRequestSchema = z.object({
  kind: z.enum(SMART_SELFTEST_KINDS),
  requestedAt: IsoTimeSchema,
  /** Started by the schedule (`monitor.smart.selfTest`) rather than by a `smart-selftest.v1` call. */
  scheduled: z.boolean(),
  /** smartctl accepted the request (the drive started the test). */
  accepted: z.boolean(),
  message: z.nullable(ShortTextSchema),
});
export type SmartSelfTestRequest = z.infer<typeof SmartSelfTestRequestSchema>;

export const SmartDiskSchema = z.object({
  device: SmartDevicePathSchema,
  /** smartctl's -d type (sat, nvme, scsi, megaraid,N) and protocol (ATA, NVMe, SCSI), from --scan-open. */
  type: ShortTextSchema,
  protocol: z.nullable(ShortTextSchema),
  readAt: z.nullable(IsoTimeSchema),
  /** smartctl's exit status: a bit mask (bit 3: disk failing, bit 6: error log has records, …). */
  exitStatus: z.nullable(z.number().check(z.int(), z.minimum(0), z.maximum(255))),
  /** Why there is no reading (smartctl could not open the device, printed no JSON, timed out). */
  error: z.nullable(ShortTextSchema),
  summary: z.nullable(SmartSummarySchema),
  /** smartctl -j -x output, verbatim; omitted with `includeData: false`. */
  data: z.optional(z.nullable(z.record(z.string(), z.json()))),
  history: z.array(SmartHistoryPointSchema).check(z.maxLength(2000)),
  selfTests: z.object({
    /** A self-test is running now (from the drive's self-test status). */
    inProgress: z.nullable(z.object({ remainingPercent: z.nullable(z.number().check(z.minimum(0), z.maximum(100))) })),
    log: z.array(SmartSelfTestLogEntrySchema).check(z.maxLength(64)),
    requests: z.array(SmartSelfTestRequestSchema).check(z.maxLength(64)),
    nextShortAt: z.nullable(IsoTimeSchema),
    nextLongAt: z.nullable(IsoTimeSchema),
  }),
});
export type SmartDisk = z.infer<typeof SmartDiskSchema>;

export const SMART_STATES = [
  'ok', // smartctl ran; see each disk
  'not-installed', // no smartctl on the machine: `message` says how to install it
  'disabled', // monitor.smart.enabled is false
  'pending', // the first reading has not finished yet
  'scan-failed', // smartctl --scan-open failed: see `message`
] as const;

export const SmartResultSchema = z.object({
  state: z.enum(SMART_STATES),
  message: z.nullable(ShortTextSchema),
  smartctl: z.object({ path: z.nullable(z.string().check(z.maxLength(4096))), version: z.nullable(ShortTextSchema) }),
  lastRunAt: z.nullable(IsoTimeSchema),
  nextRunAt: z.nullable(IsoTimeSchema),
  disks: z.array(SmartDiskSchema).check(z.maxLength(1024)),
});
export type SmartResult = z.infer<typeof SmartResultSchema>;

export const SmartSelfTestParamsSchema = z.strictObject({
  device: SmartDevicePathSchema,
  kind: z.enum(SMART_SELFTEST_KINDS),
});

export const SmartSelfTestResultSchema = z.object({
  device: SmartDevicePathSchema,
  request: SmartSelfTestRequestSchema,
  exitStatus: z.nullable(z.number().check(z.int(), z.minimum(0), z.maximum(255))),
});
export type SmartSelfTestResult = z.infer<typeof SmartSelfTestResultSchema>;
