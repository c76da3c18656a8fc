import { z } from 'zod';
import { ByteCountSchema, IsoTimeSchema, NoParamsSchema, ShortTextSchema } from './common';

export const InventoryParamsSchema = NoParamsSchema;

/** Text the machine may not know: null, never "" or "unknown", so the console can tell. */
const maybeText = ShortTextSchema.nullable();

export const OsInfoSchema = z.object({
  platform: z.string().max(32),
  distro: maybeText,
  release: maybeText,
  codename: maybeText,
  kernel: z.string().max(128),
  arch: z.string().max(32),
});

export const CpuInfoSchema = z.object({
  model: maybeText,
  manufacturer: maybeText,
  /** Logical CPUs. */
  cores: z.number().int().nonnegative(),
  physicalCores: z.number().int().nonnegative().nullable(),
  speedGHz: z.number().nonnegative().nullable(),
});

export const MemoryInfoSchema = z.object({ totalBytes: ByteCountSchema, availableBytes: ByteCountSchema });

export const BlockDeviceSchema = z.object({
  /** Kernel name: `sda`, `nvme0n1p1`, `loop3`. */
  name: z.string().max(128),
  path: z.string().max(256),
  /** lsblk's TYPE: disk, part, loop, rom, lvm, raid1, ... */
  type: z.string().max(32),
  sizeBytes: ByteCountSchema,
  fsType: maybeText,
  mountpoint: maybeText,
  uuid: maybeText,
  label: maybeText,
  model: maybeText,
  serial: maybeText,
  removable: z.boolean().nullable(),
  readOnly: z.boolean().nullable(),
  /** Kernel name of the parent device (a partition's disk). */
  parent: maybeText,
});
export type BlockDevice = z.infer<typeof BlockDeviceSchema>;

export const FilesystemSchema = z.object({
  /** What is mounted: a device path, or a name for virtual file systems (tmpfs, overlay). */
  source: z.string().max(256),
  fsType: z.string().max(64),
  mountpoint: z.string().max(1024),
  sizeBytes: ByteCountSchema,
  usedBytes: ByteCountSchema,
  availableBytes: ByteCountSchema,
  /** Used share of what non-root users can have, 0–100, like `df`. */
  usePercent: z.number().min(0).max(100),
  readOnly: z.boolean().nullable(),
});
export type Filesystem = z.infer<typeof FilesystemSchema>;

export const NetworkAddressSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string().max(64),
  /** Prefix length (24 for a /24), when known. */
  prefixLength: z.number().int().min(0).max(128).nullable(),
});

export const NetworkInterfaceSchema = z.object({
  name: z.string().max(64),
  mac: maybeText,
  internal: z.boolean(),
  /** up, down, unknown (loopback and some virtual links say unknown). */
  operstate: maybeText,
  mtu: z.number().int().nonnegative().nullable(),
  speedMbps: z.number().nonnegative().nullable(),
  addresses: z.array(NetworkAddressSchema).max(256),
});

export const InventoryResultSchema = z.object({
  collectedAt: IsoTimeSchema,
  hostname: z.string().max(255),
  os: OsInfoSchema,
  cpu: CpuInfoSchema,
  memory: MemoryInfoSchema,
  blockDevices: z.array(BlockDeviceSchema).max(4096),
  filesystems: z.array(FilesystemSchema).max(4096),
  network: z.array(NetworkInterfaceSchema).max(1024),
  /**
   * Which tools each section came from, e.g. `blockDevices: ["systeminformation", "mounts", "blkid"]`.
   * Without udev (containers, smart boxes) the agent falls back to lsblk, blkid, df and /proc.
   */
  sources: z.record(z.string(), z.array(z.string().max(64)).max(8)),
  /** Collectors that failed or timed out; the section is then partial or from a fallback. */
  warnings: z.array(z.string().max(1024)).max(64),
});
export type InventoryResult = z.infer<typeof InventoryResultSchema>;
