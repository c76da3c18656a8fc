import { randomUUID } from 'node:crypto';
import type { DiagnoseFinding, DiagnoseRun, DiagnoseSeverity } from '../contract/diagnose.contract';
import { DIAGNOSE_SEVERITIES } from '../contract/diagnose.contract';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/log';
import { createRemote } from '../provision/remote';
import { refusal, type Reach } from '../reach/reach';
import type { SshFailure } from '../ssh/ssh-failure';
import type { DiagnoseStore } from '../store/diagnose-store';
import { evidence, type DiagnoseCheck, type MachineFacts, type RawFinding } from './check';
import { ALL_CHECKS } from './checks';
import { runChecks } from './diagnose-runner';

/**
 * Diagnose an appliance (issue 10 §1): its own SSH connection (dialled for the run through the
 * reach module, so it works with the agent dead, never installed, or its disk full, and does not
 * wait behind the pooled connection's backoff), a round-trip probe, sudo for other logins, then
 * the check suite (checks/). The run is stored with what changed since the previous completed run
 * of the same appliance: each finding `new` or `unchanged` (by code and subject), and the previous
 * findings it no longer raises as `resolved`.
 */

/** A round trip slower than this is a finding of its own. */
export const SLOW_ROUND_TRIP_MS = 500;
const DIAL_TIMEOUT_MS = 15_000;

export interface DiagnoseDeps {
  reach: Pick<Reach, 'access' | 'dial'>;
  requireAppliance(applianceId: string): { name: string; address: string; port: number; user: string };
  /** What the console last heard from the agent: data disk mounts and the enabled services' ports. */
  knownFacts(applianceId: string): Pick<MachineFacts, 'dataDiskMounts' | 'expectedPorts'>;
  store: DiagnoseStore;
  events: Pick<EventBus, 'emit'>;
  clock: Clock;
  log: Logger;
  checks?: readonly DiagnoseCheck[];
}

const rank = (s: DiagnoseSeverity) => DIAGNOSE_SEVERITIES.indexOf(s);
const identity = (f: { code: string; subject: string }) => `${f.code}\0${f.subject}`;

export function worstOf(findings: readonly { severity: DiagnoseSeverity }[]): DiagnoseSeverity | null {
  return findings.reduce<DiagnoseSeverity | null>((worst, f) => (worst === null || rank(f.severity) < rank(worst) ? f.severity : worst), null);
}

export function createDiagnoseService(deps: DiagnoseDeps) {
  const log = deps.log.child('diagnose');
  const running = new Map<string, AbortController>();
  const checks = deps.checks ?? ALL_CHECKS;

  function unreachable(appliance: { address: string; port: number }, failure: SshFailure): RawFinding & { check: string } {
    return {
      check: 'reach.ssh',
      code: 'reach.unreachable',
      severity: 'critical',
      params: { detail: failure.message, reason: failure.code, address: appliance.address, port: appliance.port },
      evidence: evidence(`ssh -p ${appliance.port} ${appliance.address}`, failure.message),
    };
  }

  return {
    async run(input: { applianceId: string; runToken?: string | undefined }): Promise<DiagnoseRun> {
      const appliance = deps.requireAppliance(input.applianceId);
      const token = input.runToken ?? randomUUID();
      const abort = new AbortController();
      running.set(token, abort);
      const startedAt = deps.clock.now().toISOString();
      const raw: (RawFinding & { check: string })[] = [];
      let checkResults: DiagnoseRun['checks'] = [];
      let outcome: DiagnoseRun['outcome'] = 'completed';
      const progress = (done: number, total: number, check: string) => deps.events.emit('diagnose.progress', { applianceId: input.applianceId, runToken: input.runToken ?? null, done, total, check });
      try {
        const access = deps.reach.access(input.applianceId);
        const refused = !access.ok ? access.failure : refusal(access.access);
        const connected = refused || !access.ok ? null : await deps.reach.dial(access.access, { timeoutMs: DIAL_TIMEOUT_MS });
        if (refused || !connected || !connected.ok) {
          outcome = 'unreachable';
          raw.push(unreachable(appliance, refused ?? (connected && !connected.ok ? connected.failure : { code: 'protocol-error', message: 'no connection', params: {} })));
        } else {
          try {
            const remote = createRemote(connected.client, { user: access.ok ? access.access.target.user : appliance.user, sudoPassword: access.ok ? access.access.sudoPassword : null });
            const before = Date.now();
            await remote.run('true', { timeoutMs: DIAL_TIMEOUT_MS, signal: abort.signal });
            const roundTrip = Date.now() - before;
            if (roundTrip > SLOW_ROUND_TRIP_MS) raw.push({ check: 'reach.ssh', code: 'reach.slow', severity: 'warning', params: { ms: roundTrip }, evidence: evidence('true', `one command took ${roundTrip} ms`) });
            if (appliance.user !== 'root') {
              const sudo = await remote.run('true', { privileged: true, timeoutMs: DIAL_TIMEOUT_MS, signal: abort.signal });
              if (sudo.code !== 0) raw.push({ check: 'reach.ssh', code: 'auth.sudo-refused', severity: 'critical', params: { user: appliance.user, detail: (sudo.stderr || sudo.stdout).trim().slice(0, 200) || `exit ${sudo.code}` }, evidence: evidence('sudo true', sudo.stderr || sudo.stdout) });
            }
            const facts: MachineFacts = { address: appliance.address, port: appliance.port, user: appliance.user, ...deps.knownFacts(input.applianceId) };
            const result = await runChecks(checks, { remote, facts, now: () => deps.clock.now().getTime() }, { signal: abort.signal, onCheckDone: progress });
            checkResults = result.checks;
            raw.push(...result.findings);
            if (abort.signal.aborted) outcome = 'cancelled';
          } finally {
            connected.close();
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
        outcome = 'cancelled';
      } finally {
        running.delete(token);
      }

      const baseline = deps.store.baseline(input.applianceId);
      const before = new Set((baseline?.findings ?? []).map(identity));
      const findings: DiagnoseFinding[] = raw
        .map((f) => ({ check: f.check, code: f.code, severity: f.severity, subject: f.subject ?? '', params: f.params ?? {}, evidence: f.evidence, change: 'new' as const }))
        .map((f) => ({ ...f, change: before.has(identity(f)) ? ('unchanged' as const) : ('new' as const) }))
        .sort((a, b) => rank(a.severity) - rank(b.severity) || a.code.localeCompare(b.code) || a.subject.localeCompare(b.subject));
      const now = new Set(findings.map(identity));
      // Gone only where this run looked again: a cancelled or unreachable run, or a check that failed
      // or ran out of time, saw too little to say a finding went away.
      const looked = new Set(checkResults.filter((r) => r.outcome === 'passed' || r.outcome === 'findings').map((r) => r.id));
      looked.add('reach.ssh');
      const resolved = outcome === 'completed' ? (baseline?.findings ?? []).filter((f) => !now.has(identity(f)) && looked.has(f.check)).map(({ change: _change, ...f }) => f) : [];
      const run = deps.store.add({
        applianceId: input.applianceId,
        startedAt,
        finishedAt: deps.clock.now().toISOString(),
        outcome,
        worst: worstOf(findings),
        checks: checkResults,
        findings,
        resolved,
        previousRunId: baseline?.id ?? null,
      });
      log.info('diagnose run', { applianceId: input.applianceId, outcome, findings: findings.length, worst: run.worst });
      return run;
    },

    cancel(runToken: string): { cancelled: boolean } {
      const abort = running.get(runToken);
      abort?.abort();
      return { cancelled: abort !== undefined };
    },

    latest: (applianceId: string) => deps.store.latest(applianceId),
    history: (applianceId: string, limit: number, beforeId?: number) =>
      deps.store.history(applianceId, limit, beforeId).map((r) => ({ id: r.id, startedAt: r.startedAt, finishedAt: r.finishedAt, outcome: r.outcome, worst: r.worst, findings: r.findings.length })),
  };
}
export type DiagnoseService = ReturnType<typeof createDiagnoseService>;
