import { createApplianceStatusStore } from '../../main/store/appliance-status-store';
import type { Db } from '../../main/store/database';

/**
 * What the fleet watch keeps after an agent's `inventory.v1`, here only its data disks: the one
 * definition of a data disk (main/fleet/data-disks.ts) that capacity planning and the Disks tab
 * read. For tests that seed telemetry without a real agent.
 */
export function reportDataDisks(db: Db, applianceId: string, dataDisks: { device: string; mountpoint: string; sizeBytes: number }[], at: string): void {
  createApplianceStatusStore(db).put({
    applianceId,
    state: 'online',
    since: at,
    reason: null,
    reasonCode: null,
    reasonParams: {},
    checkedAt: at,
    lastSeenAt: at,
    agentSeenAt: at,
    agentVersion: '0.1.0',
    agentPid: 1,
    agentStartedAt: at,
    clockSkewMs: 0,
    health: null,
    services: null,
    inventory: { dataDisks },
    inventoryAt: at,
  });
}
