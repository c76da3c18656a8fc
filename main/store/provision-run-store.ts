import type { Db } from './database';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'running' | 'done' | 'unchanged' | 'failed' | 'cancelled';

/** What a person needs after the fact; more would be a log, and logs live on the machine. */
export const OUTPUT_TAIL_MAX_BYTES = 4096;

export interface ProvisionRunRecord {
  id: string;
  applianceId: string | null;
  target: string;
  plan: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export interface ProvisionStepRecord {
  runId: string;
  seq: number;
  stepId: string;
  title: string;
  status: StepStatus;
  startedAt: string;
  durationMs: number | null;
  outputTail: string;
}

interface RunRow {
  id: string;
  appliance_id: string | null;
  target: string;
  plan: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
}

interface StepRow {
  run_id: string;
  seq: number;
  step_id: string;
  title: string;
  status: StepStatus;
  started_at: string;
  duration_ms: number | null;
  output_tail: string;
}

/** The last `max` bytes of `text` in UTF-8, cut on a character boundary. */
export function tailBytes(text: string, max = OUTPUT_TAIL_MAX_BYTES): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  let start = buf.length - max;
  // Skip UTF-8 continuation bytes so the tail never starts mid-character.
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}

const toRun = (r: RunRow): ProvisionRunRecord => ({
  id: r.id,
  applianceId: r.appliance_id,
  target: r.target,
  plan: r.plan,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  durationMs: r.duration_ms,
  error: r.error,
});

const toStep = (r: StepRow): ProvisionStepRecord => ({
  runId: r.run_id,
  seq: r.seq,
  stepId: r.step_id,
  title: r.title,
  status: r.status,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  outputTail: r.output_tail,
});

/** Runs and steps of provisioning plans (migration 003). */
export function createProvisionRunStore(db: Db) {
  const insertRun = db.prepare(
    `INSERT INTO provision_runs (id, appliance_id, target, plan, status, started_at) VALUES (@id, @applianceId, @target, @plan, 'running', @startedAt)`,
  );
  const finishRun = db.prepare(`UPDATE provision_runs SET status = @status, finished_at = @finishedAt, duration_ms = @durationMs, error = @error WHERE id = @id`);
  const insertStep = db.prepare(
    `INSERT INTO provision_steps (run_id, seq, step_id, title, status, started_at) VALUES (@runId, @seq, @stepId, @title, 'running', @startedAt)`,
  );
  const finishStep = db.prepare(`UPDATE provision_steps SET status = @status, duration_ms = @durationMs, output_tail = @outputTail WHERE run_id = @runId AND seq = @seq`);
  const getRun = db.prepare<[string], RunRow>(`SELECT * FROM provision_runs WHERE id = ?`);
  const stepsOf = db.prepare<[string], StepRow>(`SELECT * FROM provision_steps WHERE run_id = ? ORDER BY seq`);
  const recentFor = db.prepare<[string, number], RunRow>(`SELECT * FROM provision_runs WHERE target = ? ORDER BY started_at DESC, rowid DESC LIMIT ?`);
  return {
    startRun(run: { id: string; applianceId: string | null; target: string; plan: string; startedAt: string }): void {
      insertRun.run(run);
    },
    finishRun(run: { id: string; status: Exclude<RunStatus, 'running'>; finishedAt: string; durationMs: number; error: string | null }): void {
      finishRun.run(run);
    },
    startStep(step: { runId: string; seq: number; stepId: string; title: string; startedAt: string }): void {
      insertStep.run(step);
    },
    finishStep(step: { runId: string; seq: number; status: Exclude<StepStatus, 'running'>; durationMs: number; outputTail: string }): void {
      finishStep.run({ ...step, outputTail: tailBytes(step.outputTail) });
    },
    run(id: string): (ProvisionRunRecord & { steps: ProvisionStepRecord[] }) | null {
      const row = getRun.get(id);
      return row ? { ...toRun(row), steps: stepsOf.all(id).map(toStep) } : null;
    },
    recent(target: string, limit = 20): ProvisionRunRecord[] {
      return recentFor.all(target, limit).map(toRun);
    },
  };
}

export type ProvisionRunStore = ReturnType<typeof createProvisionRunStore>;
