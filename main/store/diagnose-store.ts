import type { DiagnoseRun } from '../contract/diagnose.contract';
import type { Db } from './database';

/** Runs kept per appliance: older ones go as new ones come (the bundle takes the latest). */
export const KEPT_DIAGNOSE_RUNS = 100;

type Row = { id: number; appliance_id: string; started_at: string; finished_at: string; outcome: DiagnoseRun['outcome']; worst: DiagnoseRun['worst']; checks_json: string; findings_json: string; resolved_json: string; previous_run_id: number | null };

const toRun = (r: Row): DiagnoseRun => ({
  id: r.id,
  applianceId: r.appliance_id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  outcome: r.outcome,
  worst: r.worst,
  checks: JSON.parse(r.checks_json) as DiagnoseRun['checks'],
  findings: JSON.parse(r.findings_json) as DiagnoseRun['findings'],
  resolved: JSON.parse(r.resolved_json) as DiagnoseRun['resolved'],
  previousRunId: r.previous_run_id,
});

/** Diagnose runs (migration 012). */
export function createDiagnoseStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO diagnose_runs (appliance_id, started_at, finished_at, outcome, worst, checks_json, findings_json, resolved_json, previous_run_id)
     VALUES (@applianceId, @startedAt, @finishedAt, @outcome, @worst, @checks, @findings, @resolved, @previousRunId)`,
  );
  const prune = db.prepare(`DELETE FROM diagnose_runs WHERE appliance_id = ? AND id NOT IN (SELECT id FROM diagnose_runs WHERE appliance_id = ? ORDER BY id DESC LIMIT ${KEPT_DIAGNOSE_RUNS})`);
  const latest = db.prepare<[string], Row>('SELECT * FROM diagnose_runs WHERE appliance_id = ? ORDER BY id DESC LIMIT 1');
  const latestCompleted = db.prepare<[string], Row>("SELECT * FROM diagnose_runs WHERE appliance_id = ? AND outcome = 'completed' ORDER BY id DESC LIMIT 1");
  const page = db.prepare<[string, number, number], Row>('SELECT * FROM diagnose_runs WHERE appliance_id = ? AND id < ? ORDER BY id DESC LIMIT ?');
  return {
    add(run: Omit<DiagnoseRun, 'id'>): DiagnoseRun {
      const id = db.transaction(() => {
        const info = insert.run({ ...run, checks: JSON.stringify(run.checks), findings: JSON.stringify(run.findings), resolved: JSON.stringify(run.resolved) });
        prune.run(run.applianceId, run.applianceId);
        return Number(info.lastInsertRowid);
      })();
      return { id, ...run };
    },
    latest(applianceId: string): DiagnoseRun | null {
      const row = latest.get(applianceId);
      return row ? toRun(row) : null;
    },
    /** The run a new one is compared with: the latest that completed (not cancelled, not unreachable). */
    baseline(applianceId: string): DiagnoseRun | null {
      const row = latestCompleted.get(applianceId);
      return row ? toRun(row) : null;
    },
    history(applianceId: string, limit: number, beforeId?: number): DiagnoseRun[] {
      return page.all(applianceId, beforeId ?? Number.MAX_SAFE_INTEGER, limit).map(toRun);
    },
  };
}
export type DiagnoseStore = ReturnType<typeof createDiagnoseStore>;
