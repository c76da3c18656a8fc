import { describe, expect, it } from 'vitest';
import { fleetOverview, type FleetOverviewDeps } from '../../main/monitoring/fleet-overview';
import type { LatestValues } from '../../main/telemetry/telemetry-reads';

const T = Date.parse('2026-03-01T08:00:00Z');

/** An appliance's latest values: CPU, two data disks and the system disk (which must not count). */
function latestOf(applianceId: string, i: number): LatestValues {
  const fs = (mount: string, used: number, size: number) => [
    { metric: 'fs.size_bytes', labels: { mount }, t: T, v: size },
    { metric: 'fs.used_bytes', labels: { mount }, t: T, v: used },
    { metric: 'fs.used_percent', labels: { mount }, t: T, v: (used / size) * 100 },
  ];
  return {
    applianceId,
    asOf: T,
    metrics: [
      { metric: 'cpu.busy_percent', t: T, v: i % 100 },
      { metric: 'cpu.core_busy_percent', labels: { core: '0' }, t: T, v: 99 },
      ...fs('/', 9e9, 10e9),
      ...fs('/srv/disks/d1', 1e12, 4e12),
      ...fs('/data2', 3e12, 4e12),
    ],
  };
}

const inventory = { dataDisks: [{ device: 'sdb', mountpoint: '/srv/disks/d1', sizeBytes: 4e12 }, { device: 'sdc', mountpoint: '/data2', sizeBytes: 4e12 }] };

describe('fleet overview (the Fleet table’s CPU, data-disk and alert columns)', () => {
  it('answers 1,000 appliances with one status read, one alerts read and one latest-values pass per appliance', () => {
    const calls = { statuses: 0, alerts: 0, latest: new Map<string, number>() };
    const ids = Array.from({ length: 1000 }, (_, i) => `a${i}`);
    const deps: FleetOverviewDeps = {
      statuses: () => (calls.statuses++, ids.map((applianceId, i) => ({ applianceId, inventory: i === 999 ? null : inventory }))),
      latest: (id) => (calls.latest.set(id, (calls.latest.get(id) ?? 0) + 1), latestOf(id, Number(id.slice(1)))),
      alertsByAppliance: () => (calls.alerts++, new Map([['a7', { count: 3, worst: 'critical' as const }]])),
    };
    const { appliances } = fleetOverview(deps);
    expect(calls.statuses).toBe(1);
    expect(calls.alerts).toBe(1);
    expect(calls.latest.size).toBe(1000);
    expect([...calls.latest.values()].every((n) => n === 1)).toBe(true);

    expect(appliances).toHaveLength(1000);
    // The data disks only (main/fleet/data-disks.ts): 4 TB used of 8 TB; the system disk "/" is left out.
    expect(appliances[7]).toEqual({ applianceId: 'a7', asOf: T, cpuPercent: 7, dataDisks: { count: 2, usedBytes: 4e12, sizeBytes: 8e12, usedPercent: 50 }, alerts: { count: 3, worst: 'critical' } });
    expect(appliances[8]!.alerts).toEqual({ count: 0, worst: null });
    // Never reported its data disks: no usage to show, but its CPU still is.
    expect(appliances[999]).toMatchObject({ cpuPercent: 99, dataDisks: null });
  });

  it('says nothing rather than zero when there are no samples', () => {
    const { appliances } = fleetOverview({
      statuses: () => [{ applianceId: 'x', inventory }],
      latest: (applianceId) => ({ applianceId, asOf: null, metrics: [] }),
      alertsByAppliance: () => new Map(),
    });
    expect(appliances[0]).toEqual({ applianceId: 'x', asOf: null, cpuPercent: null, dataDisks: { count: 2, usedBytes: 0, sizeBytes: 0, usedPercent: null }, alerts: { count: 0, worst: null } });
  });
});
