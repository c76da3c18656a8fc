import type { Db } from '../store/database';

/**
 * The console's judgement of each disk (migration 007), one row per appliance and device,
 * replaced at each SMART reading. The smartctl JSON is kept so the next reading's trend
 * (reallocated sectors growing, say) is judged against it.
 */
export interface DiskHealthRecord {
  applianceId: string;
  device: string;
  verdict: 'healthy' | 'warning' | 'failing' | 'failed' | 'unknown';
  reasons: { code: string; severity: string; message: string; params?: Record<string, string | number> }[];
  identity: { model: string | null; serial: string | null; firmware: string | null; capacityBytes: number | null; protocol: string | null; kind: string };
  metrics: Record<string, number | null>;
  selfTests: unknown;
  history: unknown[];
  smartctl: unknown;
  /** Why there is no reading (smartctl could not open the device, is not installed, …). */
  error: string | null;
  readAt: string | null;
  judgedAt: string;
}

interface Row {
  appliance_id: string;
  device: string;
  verdict: DiskHealthRecord['verdict'];
  reasons_json: string;
  identity_json: string;
  metrics_json: string;
  self_tests_json: string;
  history_json: string;
  smartctl_json: string | null;
  error: string | null;
  read_at: string | null;
  judged_at: string;
}

function fromRow(r: Row, withSmartctl: boolean): DiskHealthRecord {
  return {
    applianceId: r.appliance_id,
    device: r.device,
    verdict: r.verdict,
    reasons: JSON.parse(r.reasons_json) as DiskHealthRecord['reasons'],
    identity: JSON.parse(r.identity_json) as DiskHealthRecord['identity'],
    metrics: JSON.parse(r.metrics_json) as DiskHealthRecord['metrics'],
    selfTests: JSON.parse(r.self_tests_json),
    history: JSON.parse(r.history_json) as unknown[],
    smartctl: withSmartctl && r.smartctl_json ? JSON.parse(r.smartctl_json) : null,
    error: r.error,
    readAt: r.read_at,
    judgedAt: r.judged_at,
  };
}

export function createDiskHealthStore(db: Db) {
  const byAppliance = db.prepare<[string], Row>('SELECT * FROM disk_health WHERE appliance_id = ? ORDER BY device');
  const one = db.prepare<[string, string], Row>('SELECT * FROM disk_health WHERE appliance_id = ? AND device = ?');
  const removeMissing = db.prepare<[string, string]>('DELETE FROM disk_health WHERE appliance_id = ? AND device NOT IN (SELECT value FROM json_each(?))');
  const upsert = db.prepare(`
    INSERT INTO disk_health (appliance_id, device, verdict, reasons_json, identity_json, metrics_json, self_tests_json, history_json, smartctl_json, error, read_at, judged_at)
    VALUES (@applianceId, @device, @verdict, @reasons, @identity, @metrics, @selfTests, @history, @smartctl, @error, @readAt, @judgedAt)
    ON CONFLICT (appliance_id, device) DO UPDATE SET verdict = excluded.verdict, reasons_json = excluded.reasons_json,
      identity_json = excluded.identity_json, metrics_json = excluded.metrics_json, self_tests_json = excluded.self_tests_json,
      history_json = excluded.history_json, smartctl_json = coalesce(excluded.smartctl_json, disk_health.smartctl_json),
      error = excluded.error, read_at = excluded.read_at, judged_at = excluded.judged_at
  `);
  const exists = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM appliances WHERE id = ?');
  return {
    list: (applianceId: string, withSmartctl = false): DiskHealthRecord[] => byAppliance.all(applianceId).map((r) => fromRow(r, withSmartctl)),
    get(applianceId: string, device: string): DiskHealthRecord | null {
      const r = one.get(applianceId, device);
      return r ? fromRow(r, true) : null;
    },
    /** Replaces the appliance's disks with these (a disk that is gone from the machine goes from the table). */
    replaceAll(applianceId: string, disks: DiskHealthRecord[]): void {
      db.transaction(() => {
        if (exists.get(applianceId)!.n === 0) return;
        removeMissing.run(applianceId, JSON.stringify(disks.map((d) => d.device)));
        for (const d of disks) {
          upsert.run({
            ...d,
            reasons: JSON.stringify(d.reasons),
            identity: JSON.stringify(d.identity),
            metrics: JSON.stringify(d.metrics),
            selfTests: JSON.stringify(d.selfTests),
            history: JSON.stringify(d.history),
            smartctl: d.smartctl === null ? null : JSON.stringify(d.smartctl),
          });
        }
      })();
    },
  };
}
export type DiskHealthStore = ReturnType<typeof createDiskHealthStore>;
