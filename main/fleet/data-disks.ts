import type { DataDisk } from '../../agents/protocol/data-disk';

/**
 * The one definition of a data disk: a disk the agent reports as holding the media services' data
 * (agent.json's `dataDisks`, chosen by the provisioner from preflight — mounted, writable, fixed,
 * not the system disk — and reported by `inventory.v1`). The Disks tab's data-disk role, capacity
 * planning and the Fleet table's data-disk usage all read it from here, wherever the disks are
 * mounted: there is no mount-point convention to guess from.
 *
 * `null` means the agent has not reported (never provisioned, or no inventory yet): such a
 * machine has no data disks to count until it does.
 */
export function reportedDataDisks(inventory: unknown): DataDisk[] | null {
  if (typeof inventory !== 'object' || inventory === null) return null;
  const list = (inventory as { dataDisks?: unknown }).dataDisks;
  if (!Array.isArray(list)) return null;
  return list.filter(isDataDisk);
}

function isDataDisk(d: unknown): d is DataDisk {
  if (typeof d !== 'object' || d === null) return false;
  const { device, mountpoint, sizeBytes } = d as Record<string, unknown>;
  return typeof device === 'string' && typeof mountpoint === 'string' && typeof sizeBytes === 'number';
}

/** The data disks' mount points of an appliance, from its last inventory; null when it has not reported. */
export function dataDiskMounts(inventory: unknown): string[] | null {
  return reportedDataDisks(inventory)?.map((d) => d.mountpoint) ?? null;
}
