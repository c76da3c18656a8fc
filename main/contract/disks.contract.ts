import { z } from 'zod';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/** Each disk's health, judged from its SMART readings (main/monitoring/smart-collector.ts). */
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
  /** Where the disk (or a partition of it) is mounted, from the last inventory; `dataDisk`: the agent reports it as a data disk (main/fleet/data-disks.ts). */
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

export const disksMethods = {
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
