import { ApiError } from '../contract/errors';
import type { MethodOutput } from '../contract/api.contract';
import type { DiskHealthView } from '../contract/disks.contract';
import { AgentUnreachableError, type Reach } from '../reach/reach';
import type { ApplianceStatusStore } from '../store/appliance-status-store';
import { reportedDataDisks } from '../fleet/data-disks';
import type { DiskHealthRecord } from './disk-health-store';
import { fleetOverview, type ApplianceAlertCount } from './fleet-overview';
import { metricUnit } from './metric-units';
import type { Monitoring } from './monitoring-service';

type Inventory = {
  blockDevices?: { name: string; path: string; sizeBytes: number; mountpoint: string | null; parent: string | null; idPaths?: string[]; slot?: string | null }[];
} | null;

/** Mount points of a disk and its partitions, and whether it is a data disk (main/fleet/data-disks.ts), from the inventory the watch keeps. */
export function placementOf(device: string, inventory: Inventory): DiskHealthView['placement'] {
  const devices = inventory?.blockDevices ?? [];
  const disk = devices.find((b) => b.path === device);
  const name = disk?.name ?? device.replace(/^\/dev\//, '');
  const mountpoints = devices.filter((b) => (b.name === name || b.parent === name) && b.mountpoint).map((b) => b.mountpoint!);
  const dataDisks = reportedDataDisks(inventory) ?? [];
  return {
    mountpoints,
    dataDisk: dataDisks.some((d) => d.device === name || mountpoints.includes(d.mountpoint)),
    sizeBytes: disk?.sizeBytes ?? null,
    idPaths: disk?.idPaths ?? [],
    slot: disk?.slot ?? null,
  };
}

/** The metrics.* and disks.* methods of the API over the stores. */
export function createMonitoringApi(deps: { monitoring: Monitoring; reach: Pick<Reach, 'withAgent'>; status: Pick<ApplianceStatusStore, 'get' | 'all'>; requireAppliance(id: string): void }) {
  const { telemetry, disks } = deps.monitoring;
  const view = (d: DiskHealthRecord, inventory: Inventory = (deps.status.get(d.applianceId)?.inventory as Inventory) ?? null): DiskHealthView => ({
    device: d.device,
    verdict: d.verdict,
    reasons: d.reasons,
    identity: d.identity,
    metrics: d.metrics,
    selfTests: d.selfTests,
    history: d.history,
    error: d.error,
    readAt: d.readAt,
    judgedAt: d.judgedAt,
    placement: placementOf(d.device, inventory),
  });
  return {
    catalog(applianceId: string): MethodOutput<'metrics.catalog'> {
      deps.requireAppliance(applianceId);
      return { metrics: telemetry.metrics(applianceId).map((m) => ({ ...m, unit: metricUnit(m.metric) })) };
    },
    series(q: { applianceId: string; metric: string; labels?: Record<string, string>; from: number; to: number; widthPoints: number }): MethodOutput<'metrics.series'> {
      deps.requireAppliance(q.applianceId);
      const r = telemetry.series(q);
      const n = r.points.length;
      return { resolution: r.resolution, t: Array.from(r.points.t.subarray(0, n)), min: Array.from(r.points.min.subarray(0, n)), avg: Array.from(r.points.avg.subarray(0, n)), max: Array.from(r.points.max.subarray(0, n)) };
    },
    /** The Fleet table's monitoring columns; the alert counts come from the alert service (handlers pass them). */
    fleetOverview(alertsByAppliance: () => ReadonlyMap<string, ApplianceAlertCount>): MethodOutput<'metrics.fleetOverview'> {
      return fleetOverview({ statuses: () => deps.status.all(), latest: (id) => telemetry.latest(id), alertsByAppliance });
    },
    latest(applianceId: string): MethodOutput<'metrics.latest'> {
      deps.requireAppliance(applianceId);
      const l = telemetry.latest(applianceId);
      return { asOf: l.asOf, metrics: l.metrics };
    },
    disks(applianceId: string): MethodOutput<'disks.list'> {
      deps.requireAppliance(applianceId);
      const inventory = (deps.status.get(applianceId)?.inventory as Inventory) ?? null;
      return { disks: disks.list(applianceId).map((d) => view(d, inventory)) };
    },
    smart(applianceId: string, device: string): MethodOutput<'disks.smart'> {
      deps.requireAppliance(applianceId);
      const d = disks.get(applianceId, device);
      if (!d) throw new ApiError('not-found', `No SMART reading of ${device} on this appliance`, { params: { device } });
      return { disk: view(d), smartctl: (d.smartctl as Record<string, unknown> | null) ?? null };
    },
    async selfTest(applianceId: string, device: string, kind: 'short' | 'long'): Promise<MethodOutput<'disks.selfTest'>> {
      deps.requireAppliance(applianceId);
      try {
        const r = await deps.reach.withAgent(applianceId, (agent) => agent.call('smart-selftest.v1', { device, kind }));
        const accepted = r.exitStatus === null || (r.exitStatus & 0b11) === 0;
        return { accepted, message: accepted ? `${kind} self-test requested on ${device}; its result appears in the self-test log when it finishes` : `smartctl refused the ${kind} self-test on ${device} (exit status ${r.exitStatus})` };
      } catch (err) {
        if (err instanceof AgentUnreachableError) throw new ApiError('conflict', err.message, { params: { ...err.params, reason: err.code } });
        throw err;
      }
    },
  };
}
export type MonitoringApi = ReturnType<typeof createMonitoringApi>;
