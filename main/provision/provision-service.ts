import { ApiError } from '../contract/errors';
import type { ProvisionRunResult } from '../contract/provision.contract';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import { requireAppliance } from '../fleet/require-appliance';
import type { Reach } from '../reach/reach';
import type { AgentTokenStore } from '../store/agent-token-store';
import type { ApplianceStore } from '../store/appliance-store';
import type { Plan } from './plan';
import type { PreflightProbe } from './preflight-probe';
import { INSTALL_PLAN, UPGRADE_PLAN, uninstallPlan, type Provisioner } from './provisioner';

/**
 * Provisioning as the console offers it (install, upgrade, uninstall): everything a plan needs
 * comes from the store (login, sudo password, accepted host keys, the appliance's agent token —
 * made once and kept), progress goes out as `provision.progress` events, and a run in progress —
 * whichever plan — can be cancelled by id (`provision.cancel`).
 */
export function createProvisionService(deps: {
  appliances: ApplianceStore;
  reach: Pick<Reach, 'access' | 'forget'>;
  agentTokens: AgentTokenStore;
  provisioner: Provisioner;
  /** `provision.preflight`: the preflight step's look, without a run. */
  preflightProbe: PreflightProbe;
  events: EventBus;
  clock: Clock;
  /**
   * After a successful install or upgrade: what else the new agent must be given (the console's
   * agent settings, main/agent-settings; the role's services, main/services/role-services.ts),
   * each reported as one more step of the run, in order; a step whose `run` answers null, at once,
   * has nothing to do and is not announced.
   */
  afterInstall?: readonly AfterInstallStep[];
}) {
  const running = new Map<string, AbortController>();

  /**
   * The login of `a` (main/reach); a conflict when no person has accepted its host key yet or
   * this host cannot read its credential. A key that changed since is not refused here: the run's
   * connection is, and the run is recorded and audited as failed with that reason.
   */
  function access(id: string, a: { name: string }) {
    const r = deps.reach.access(id);
    if (!r.ok) throw new ApiError('conflict', r.failure.message);
    if (r.access.trustedKeys.length === 0 && !r.access.hostKeyChange) {
      throw new ApiError('conflict', `Trust ${a.name}'s SSH host key first (test the connection and compare its fingerprint)`, { params: { name: a.name } });
    }
    return r.access;
  }

  /** One run of `plan` on appliance `id`, with everything it needs from the store. */
  async function run(id: string, plan: Plan, opts: { createToken: boolean }): Promise<ProvisionRunResult> {
    const a = requireAppliance(deps.appliances, id);
    const { target, trustedKeys, credential, sudoPassword } = access(id, a);
    if (running.has(id)) throw new ApiError('conflict', `${a.name} already has a provisioning run in progress`, { params: { name: a.name } });
    const controller = new AbortController();
    running.set(id, controller);
    try {
      // Uninstall never talks to the agent: it must not mint a token for a machine that never had one.
      const token = opts.createToken ? deps.agentTokens.getOrCreate(id, deps.clock.now().toISOString()) : (deps.agentTokens.get(id) ?? '');
      return await deps.provisioner.provision({
        target,
        credential,
        sudoPassword,
        trustedKeys,
        input: { role: a.role, token },
        applianceId: id,
        plan,
        signal: controller.signal,
        onEvent: (event) => deps.events.emit('provision.progress', { applianceId: id, event }),
      });
    } finally {
      running.delete(id);
    }
  }

  /** A run that succeeded left a working agent: the machine is provisioned from now on (until an uninstall). */
  async function installing(id: string, result: Promise<ProvisionRunResult>): Promise<ProvisionRunResult> {
    const r = await result;
    if (r.status !== 'succeeded') return r;
    deps.agentTokens.markInstalled(id, deps.clock.now().toISOString());
    return withAfterInstall(id, r);
  }

  /**
   * The re-apply hook, as a step appended to the run: announced live (the step logs add a step
   * they were not told of) and kept in the result, so a failure shows where the run is read —
   * dialog, CLI, --json — instead of being dropped. The run stays succeeded: the agent is installed
   * and healthy, and the step says what to do about its settings.
   */
  async function withAfterInstall(id: string, r: ProvisionRunResult): Promise<ProvisionRunResult> {
    let result = r;
    for (const step of deps.afterInstall ?? []) {
      const pending = step.run(id);
      if (!pending) continue;
      const stepId = step.id;
      deps.events.emit('provision.progress', { applianceId: id, event: { type: 'step-started', runId: r.runId, stepId, title: step.title } });
      const outcome = await pending.catch((err: unknown) => ({ status: 'failed' as const, detail: err instanceof Error ? err.message : String(err), durationMs: 0 }));
      const failed = outcome.status === 'failed';
      deps.events.emit('provision.progress', {
        applianceId: id,
        event: { type: 'step-finished', runId: r.runId, stepId, status: outcome.status, durationMs: outcome.durationMs, outputTail: outcome.detail, error: failed ? outcome.detail : null, errorCode: failed ? step.errorCode : null, errorParams: {} },
      });
      result = { ...result, steps: [...result.steps, { id: stepId, status: outcome.status, durationMs: outcome.durationMs, outputTail: outcome.detail }] };
    }
    return result;
  }

  return {
    /** Install, repair or upgrade (with rollback) — whatever the machine needs. */
    provision: (id: string) => installing(id, run(id, INSTALL_PLAN, { createToken: true })),
    /** Like provision, but refuses a machine without an agent ("not installed: provision it first"). */
    upgrade: (id: string) => installing(id, run(id, UPGRADE_PLAN, { createToken: true })),
    /** Stops and removes the agent; its data, logs and settings only with `purge`. */
    uninstall: async (id: string, purge: boolean) => {
      const result = await run(id, uninstallPlan(purge), { createToken: false });
      // No agent, no token: the watch then says "not installed: provision", not "does not answer".
      if (result.status === 'succeeded') deps.agentTokens.forget(id);
      return result;
    },

    /** Preflight only: what the install would find on the machine, row by row. Changes nothing. */
    async preflight(id: string) {
      const a = requireAppliance(deps.appliances, id);
      const { target, trustedKeys, credential, sudoPassword } = access(id, a);
      return deps.preflightProbe.run({ target, credential, sudoPassword, trustedKeys, role: a.role });
    },

    cancel(id: string): { id: string; cancelled: boolean } {
      const controller = running.get(id);
      controller?.abort();
      return { id, cancelled: controller !== undefined };
    },
  };
}
export type ProvisionService = ReturnType<typeof createProvisionService>;

/** One step run after a successful install or upgrade (see `afterInstall`). */
export interface AfterInstallStep {
  /** The step's id in the run (`provision.step.<id>` in the UI's dictionaries). */
  id: string;
  /** English title for the progress event. */
  title: string;
  /** The reason code of its failure (worded in both languages by the UI). */
  errorCode: string;
  run(applianceId: string): Promise<{ status: 'done' | 'unchanged' | 'failed'; detail: string; durationMs: number }> | null;
}
