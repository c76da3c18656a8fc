import * as z from 'zod/mini';
import './zod-locale';

/** An absolute path without `..` or NUL: every path in agent.json. */
export const absolutePath = z.string().check(
  z.minLength(2),
  z.maxLength(4096),
  z.refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').includes('..'), 'must be an absolute path without ".."'),
);

/**
 * A disk the media services store data on, as agent.json names it and `version.v1` reports it.
 * Its own module, free of other protocol imports: both agent-config.ts and payloads/version.ts
 * use it, and a cycle between them breaks the console's bundle at load time.
 */
export const DataDiskSchema = z.strictObject({
  /** Kernel name (sda, nvme0n1): what SMART and the I/O counters are keyed by. */
  device: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a kernel device name like "sdb"')),
  mountpoint: absolutePath,
  sizeBytes: z.number().check(z.int(), z.minimum(0)),
});
export type DataDisk = z.output<typeof DataDiskSchema>;
