import type { AlertService } from '../alerts/alert-service';
import type { Collector } from '../connectivity/fleet-watch';
import type { ApplianceStatus } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { ApplianceStatusStore } from '../store/appliance-status-store';
import type { Db } from '../store/database';
import { openTelemetryStore, type TelemetryStore } from '../telemetry/telemetry-store';
import type { RetentionDays } from '../telemetry/telemetry-types';
import { acquireWriterLock } from '../telemetry/writer-lock';
import { createDiskHealthStore, type DiskHealthStore } from './disk-health-store';
import { createMetricsCollector, type MetricsCollector } from './metrics-collector';
import { observe } from './observations';
import { createServiceMetricsIngest } from './service-metrics';
import { createSmartCollector } from './smart-collector';

/**
 * Monitoring as the fleet watch drives it: after each appliance's check, its metrics (into
 * telemetry.sqlite) and SMART (judged into disk_health) are collected on the same connection;
 * after each round every appliance is observed by the alert engine, and the telemetry store
 * closes its finished minutes and removes, a step at a time, what is past retention.
 */
export interface Monitoring {
  /** Opened on first use: a CLI command that shows no metrics does not pay for it. */
  readonly telemetry: TelemetryStore;
  /** Whether this process collects (holds the data directory's telemetry writer lock). */
  readonly collecting: boolean;
  disks: DiskHealthStore;
  metrics: MetricsCollector;
  collectors: Collector[];
  afterRound(statuses: ApplianceStatus[]): void;
  close(): void;
}

export function createMonitoring(deps: {
  db: Db;
  dataDir: string;
  /** Days per resolution (the console's settings; read at start). */
  retention?: RetentionDays;
  status: ApplianceStatusStore;
  appliances: { get(id: string): { name: string } | null | undefined };
  alerts: Pick<AlertService, 'observe'>;
  clock: Clock;
  log: Logger;
  /**
   * Collect metrics and SMART and evaluate alerts (long-running hosts). Only one process per data
   * directory does (telemetry/writer-lock.ts); a second one, or the CLI, shows what is stored.
   */
  collect: boolean;
  /** Who holds the lock, for the message another process prints. */
  role: string;
}): Monitoring {
  const log = deps.log.child('monitoring');
  const lock = deps.collect ? acquireWriterLock(deps.dataDir, deps.role) : null;
  if (lock && !lock.held) {
    log.warn('another console process collects for this data directory; this one shows what it stores but does not collect or raise alerts', { ...lock.owner });
  }
  const collecting = lock?.held === true;
  let store: TelemetryStore | null = null;
  const telemetry = (): TelemetryStore =>
    (store ??= openTelemetryStore({ dataDir: deps.dataDir, clock: deps.clock, log: deps.log.child('telemetry'), retention: deps.retention }));
  if (collecting) telemetry(); // a collector's first round should not pay for the open
  const disks = createDiskHealthStore(deps.db);
  const metrics = createMetricsCollector({
    telemetry: { write: (batches) => telemetry().write(batches) },
    cursors: deps.status,
    log,
    // The per-appliance cap on module series counts what the store already holds (service-metrics.ts).
    serviceMetrics: createServiceMetricsIngest({ log: log.child('service-metrics'), storedSeries: (id) => telemetry().metrics(id) }),
  });
  const smart = createSmartCollector({ disks, clock: deps.clock, log });

  return {
    get telemetry() {
      return telemetry();
    },
    collecting,
    disks,
    metrics,
    collectors: collecting ? [metrics.collect, smart.collect] : [],
    afterRound(statuses) {
      if (!collecting) return;
      metrics.flush();
      const observations = statuses.flatMap((s) => {
        const a = deps.appliances.get(s.applianceId);
        return a ? [observe(s, a.name, metrics.latest(s.applianceId), disks.list(s.applianceId))] : [];
      });
      try {
        deps.alerts.observe(observations);
      } catch (err) {
        log.warn('alert evaluation failed', { error: err instanceof Error ? err.message : String(err) });
      }
      try {
        // Closes finished minutes, packs closed hours and days, and deletes a little of what is past
        // retention each round (a whole prune at once would stall the process for seconds).
        telemetry().tick();
      } catch (err) {
        log.warn('telemetry maintenance failed', { error: err instanceof Error ? err.message : String(err) });
      }
    },
    close() {
      if (collecting) metrics.dispose();
      store?.close();
      if (lock?.held) lock.release();
    },
  };
}
