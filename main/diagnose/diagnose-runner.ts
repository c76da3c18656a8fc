import type { Remote } from '../provision/remote';
import type { DiagnoseCheck, MachineFacts, RawFinding } from './check';

/**
 * Runs checks over one SSH connection: a few at once (each holds one exec channel at a time; sshd
 * allows 10 sessions per connection by default), each bounded by its own timeout, all stopped by
 * the run's signal. A check that throws or runs out of time becomes a `check.failed` finding with
 * what it was doing: a diagnosis never ends without saying what it could not look at.
 */

export const CHECK_TIMEOUT_MS = 20_000;
export const CHECKS_AT_ONCE = 4;

export interface CheckOutcome {
  id: string;
  title: string;
  outcome: 'passed' | 'findings' | 'failed' | 'timed-out' | 'skipped';
  ms: number;
}

export interface RunnerResult {
  checks: CheckOutcome[];
  findings: (RawFinding & { check: string })[];
}

export async function runChecks(
  checks: readonly DiagnoseCheck[],
  env: { remote: Remote; facts: MachineFacts; now: () => number },
  opts: { signal: AbortSignal; timeoutMs?: number; atOnce?: number; onCheckDone?: (done: number, total: number, check: string) => void },
): Promise<RunnerResult> {
  const timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
  const results: CheckOutcome[] = checks.map((c) => ({ id: c.id, title: c.title, outcome: 'skipped', ms: 0 }));
  const findings: RunnerResult['findings'] = [];
  let next = 0;
  let done = 0;

  async function runOne(index: number): Promise<void> {
    const check = checks[index]!;
    const abort = new AbortController();
    const stop = () => abort.abort();
    opts.signal.addEventListener('abort', stop);
    const checkTimeoutMs = check.timeoutMs ?? timeoutMs;
    const timer = setTimeout(stop, checkTimeoutMs);
    let lastCommand = '';
    const started = env.now();
    try {
      const raised = await check.run({
        sh: (script, o = {}) => {
          if (abort.signal.aborted) throw new Error('stopped');
          lastCommand = script;
          return env.remote.run(script, { privileged: o.privileged === true, timeoutMs, signal: abort.signal });
        },
        facts: env.facts,
        now: env.now,
      });
      findings.push(...raised.map((f) => ({ ...f, check: check.id })));
      results[index] = { id: check.id, title: check.title, outcome: raised.length ? 'findings' : 'passed', ms: env.now() - started };
    } catch (error) {
      if (opts.signal.aborted) {
        results[index] = { id: check.id, title: check.title, outcome: 'skipped', ms: env.now() - started };
        return;
      }
      const timedOut = abort.signal.aborted;
      const detail = timedOut ? `no answer within ${Math.round(checkTimeoutMs / 1000)} s` : error instanceof Error ? error.message : String(error);
      results[index] = { id: check.id, title: check.title, outcome: timedOut ? 'timed-out' : 'failed', ms: env.now() - started };
      findings.push({ check: check.id, code: 'check.failed', severity: 'warning', subject: check.id, params: { check: check.title, detail: detail.slice(0, 300) }, evidence: { command: lastCommand.trim(), output: detail } });
    } finally {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', stop);
      done++;
      opts.onCheckDone?.(done, checks.length, check.id);
    }
  }

  await Promise.all(
    Array.from({ length: Math.min(opts.atOnce ?? CHECKS_AT_ONCE, checks.length) }, async () => {
      for (let i = next++; i < checks.length && !opts.signal.aborted; i = next++) await runOne(i);
    }),
  );
  return { checks: results, findings };
}
