import type { AlertSeverity } from '../contract/alerts.contract';
import type { FleetOverviewRow } from '../contract/metrics.contract';
import { dataDiskMounts } from '../fleet/data-disks';
import type { LatestValues } from '../telemetry/telemetry-reads';

/** Active alerts of one appliance, as the alert service counts them. */
export interface ApplianceAlertCount {
  count: number;
  worst: AlertSeverity | null;
}

export interface FleetOverviewDeps {
  /** Every appliance's last-known status, with the inventory the watch keeps (one read for all). */
  statuses(): readonly { applianceId: string; inventory: unknown }[];
  /** The telemetry store's in-memory latest values of one appliance (no SQL: one pass over its series). */
  latest(applianceId: string): LatestValues;
  /** Active alerts by appliance, from one read of the open alerts. */
  alertsByAppliance(): ReadonlyMap<string, ApplianceAlertCount>;
}

const NO_ALERTS: ApplianceAlertCount = { count: 0, worst: null };

/**
 * The Fleet table's monitoring columns for every appliance at once: latest CPU busy %, usage of the
 * data disks (summed over the agent's data disks — main/fleet/data-disks.ts is the one definition —
 * so the system disk never counts) and active alerts. Built for 1,000 appliances per call: one
 * status read, one open-alerts read, and per appliance one pass over its latest values, which the
 * telemetry store keeps in memory.
 */
export function fleetOverview(deps: FleetOverviewDeps): { appliances: FleetOverviewRow[] } {
  const alerts = deps.alertsByAppliance();
  return {
    appliances: deps.statuses().map((s) => {
      const latest = deps.latest(s.applianceId);
      const mounts = dataDiskMounts(s.inventory);
      return { applianceId: s.applianceId, asOf: latest.asOf, ...figures(latest, mounts), alerts: alerts.get(s.applianceId) ?? NO_ALERTS };
    }),
  };
}

function figures(latest: LatestValues, mounts: readonly string[] | null): Pick<FleetOverviewRow, 'cpuPercent' | 'dataDisks'> {
  const data = mounts ? new Set(mounts) : null;
  let cpuPercent: number | null = null;
  let usedBytes = 0;
  let sizeBytes = 0;
  const seen = new Set<string>();
  for (const m of latest.metrics) {
    if (m.metric === 'cpu.busy_percent' && !m.labels) cpuPercent = m.v;
    else if (data && (m.metric === 'fs.used_bytes' || m.metric === 'fs.size_bytes')) {
      const mount = m.labels?.mount;
      if (mount === undefined || !data.has(mount)) continue;
      seen.add(mount);
      if (m.metric === 'fs.used_bytes') usedBytes += m.v;
      else sizeBytes += m.v;
    }
  }
  if (!data) return { cpuPercent, dataDisks: null };
  return { cpuPercent, dataDisks: { count: data.size, usedBytes, sizeBytes, usedPercent: sizeBytes > 0 && seen.size > 0 ? (usedBytes / sizeBytes) * 100 : null } };
}
