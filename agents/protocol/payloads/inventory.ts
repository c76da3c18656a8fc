import * as z from 'zod/mini';
import { DataDiskSchema } from '../data-disk';
import { ByteCountSchema, IsoTimeSchema, NoParamsSchema, ShortTextSchema } from './common';

export const InventoryParamsSchema = NoParamsSchema;

/** Text the machine may not know: null, never "" or "unknown", so the console can tell. */
const maybeText = z.nullable(ShortTextSchema);

export const OsInfoSchema = z.object({
  platform: z.string().check(z.maxLength(32)),
  distro: maybeText,
  release: maybeText,
  codename: maybeText,
  kernel: z.string().check(z.maxLength(128)),
  arch: z.string().check(z.maxLength(32)),
});

export const CpuInfoSchema = z.object({
  model: maybeText,
  manufacturer: maybeText,
  /** Logical CPUs. */
  cores: z.number().check(z.int(), z.nonnegative()),
  physicalCores: z.nullable(z.number().check(z.int(), z.nonnegative())),
  speedGHz: z.nullable(z.number().check(z.nonnegative())),
});

export const MemoryInfoSchema = z.object({ totalBytes: ByteCountSchema, availableBytes: ByteCountSchema });

export const BlockDeviceSchema = z.object({
  /** Kernel name: `sda`, `nvme0n1p1`, `loop3`. */
  name: z.string().check(z.maxLength(128)),
  path: z.string().check(z.maxLength(256)),
  /** lsblk's TYPE: disk, part, loop, rom, lvm, raid1, ... */
  type: z.string().check(z.maxLength(32)),
  sizeBytes: ByteCountSchema,
  fsType: maybeText,
  mountpoint: maybeText,
  uuid: maybeText,
  label: maybeText,
  model: maybeText,
  serial: maybeText,
  removable: z.nullable(z.boolean()),
  readOnly: z.nullable(z.boolean()),
  /** Kernel name of the parent device (a partition's disk). */
  parent: maybeText,
  /** `/dev/disk/by-id/…` links to the device (udev's stable names); absent from older agents. */
  idPaths: z.optional(z.array(z.string().check(z.maxLength(512))).check(z.maxLength(32))),
  /** Where a whole disk is attached: SCSI `h:c:t:l` or an NVMe PCI address; absent from older agents. */
  slot: z.optional(maybeText),
});
export type BlockDevice = z.infer<typeof BlockDeviceSchema>;

export const FilesystemSchema = z.object({
  /** What is mounted: a device path, or a name for virtual file systems (tmpfs, overlay). */
  source: z.string().check(z.maxLength(256)),
  fsType: z.string().check(z.maxLength(64)),
  mountpoint: z.string().check(z.maxLength(1024)),
  sizeBytes: ByteCountSchema,
  usedBytes: ByteCountSchema,
  availableBytes: ByteCountSchema,
  /** Used share of what non-root users can have, 0–100, like `df`. */
  usePercent: z.number().check(z.minimum(0), z.maximum(100)),
  readOnly: z.nullable(z.boolean()),
});
export type Filesystem = z.infer<typeof FilesystemSchema>;

export const NetworkAddressSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string().check(z.maxLength(64)),
  /** Prefix length (24 for a /24), when known. */
  prefixLength: z.nullable(z.number().check(z.int(), z.minimum(0), z.maximum(128))),
});

export const NetworkInterfaceSchema = z.object({
  name: z.string().check(z.maxLength(64)),
  mac: maybeText,
  internal: z.boolean(),
  /** up, down, unknown (loopback and some virtual links say unknown). */
  operstate: maybeText,
  mtu: z.nullable(z.number().check(z.int(), z.nonnegative())),
  speedMbps: z.nullable(z.number().check(z.nonnegative())),
  addresses: z.array(NetworkAddressSchema).check(z.maxLength(256)),
});

export const InventoryResultSchema = z.object({
  collectedAt: IsoTimeSchema,
  hostname: z.string().check(z.maxLength(255)),
  os: OsInfoSchema,
  cpu: CpuInfoSchema,
  memory: MemoryInfoSchema,
  blockDevices: z.array(BlockDeviceSchema).check(z.maxLength(4096)),
  filesystems: z.array(FilesystemSchema).check(z.maxLength(4096)),
  network: z.array(NetworkInterfaceSchema).check(z.maxLength(1024)),
  /**
   * Which tools each section came from, e.g. `blockDevices: ["systeminformation", "mounts", "blkid"]`.
   * Without udev (containers, smart boxes) the agent falls back to lsblk, blkid, df and /proc.
   */
  sources: z.record(z.string(), z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
  /** Collectors that failed or timed out; the section is then partial or from a fallback. */
  warnings: z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(64)),
  /** The disks agent.json gives the services (the provisioner's choice); absent from older agents. */
  dataDisks: z.optional(z.array(DataDiskSchema).check(z.maxLength(256))),
});
export type InventoryResult = z.infer<typeof InventoryResultSchema>;
