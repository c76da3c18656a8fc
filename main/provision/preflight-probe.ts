import type { PreflightResult } from '../contract/provision.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { formatLogin } from '../contract/network-address';
import type { SshTarget, TrustedKey } from '../ssh/ssh-connect';
import type { Credential } from '../store/credential-store';
import type { ProvisionResources } from './plan';
import type { Dial } from './provisioner';
import { preflightReport, type PreflightRow } from './preflight-report';
import { createRemote } from './remote';
import { installBytes, installLimits, lookAtMachine } from './steps/preflight';

export interface PreflightProbeRequest {
  target: SshTarget;
  credential: Credential | null;
  sudoPassword?: string | null;
  trustedKeys: TrustedKey[];
  role: 'server' | 'smartbox';
  signal?: AbortSignal;
}

export interface PreflightProbe {
  run(req: PreflightProbeRequest): Promise<PreflightResult>;
}

/**
 * `provision.preflight`: the preflight step's look at a machine, with nothing installed and nothing
 * recorded as a run — one SSH connection (host key verified first), the same script, the same
 * verdicts. Problems reaching the machine come back as `failure` (translated by SSH code in the UI)
 * rather than thrown, so the wizard can show them in place with Back and Retry.
 */
export function createPreflightProbe(deps: { resources: ProvisionResources; dial: Dial; clock: Clock; log: Logger }): PreflightProbe {
  return {
    async run(req) {
      const checkedAt = () => deps.clock.now().toISOString();
      const conn = await deps.dial(req);
      if (!conn.ok) return { ok: false, checkedAt: checkedAt(), rows: [], facts: null, failure: conn.failure };
      try {
        const sudoPassword = req.target.user === 'root' ? null : (req.sudoPassword ?? null);
        const remote = createRemote(conn.client, { user: req.target.user, sudoPassword });
        const facts = await lookAtMachine(remote, () => deps.clock.now().getTime(), req.signal);
        let rows: PreflightRow[];
        try {
          rows = preflightReport(facts, installLimits(installBytes(deps.resources, facts), req.role));
        } catch (err) {
          // The console carries no agent or runtime for this architecture: say so as a row.
          const text = err instanceof Error ? err.message : String(err);
          const bundle: PreflightRow = { id: 'bundle', label: 'preflight.row.bundle', value: facts.target, status: 'fail', remedy: { key: 'preflight.remedy.bundle', params: { target: facts.target ?? '?' }, text } };
          rows = [...preflightReport(facts, installLimits(0, req.role)), bundle];
        }
        const { os, osId, osVersion, kernel, machine, target, cpus, memoryBytes, init, clockSkewSeconds } = facts;
        return {
          ok: true,
          checkedAt: checkedAt(),
          rows,
          facts: { os, osId, osVersion, kernel, machine, target, cpus, memoryBytes, init, clockSkewSeconds: Number.isFinite(clockSkewSeconds) ? clockSkewSeconds : null },
          failure: null,
        };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        deps.log.child('preflight').warn('preflight failed', { target: formatLogin(req.target.user, req.target.address, req.target.port), error: message });
        return { ok: false, checkedAt: checkedAt(), rows: [], facts: null, failure: { code: 'preflight-error', message } };
      } finally {
        conn.close();
      }
    },
  };
}
