import path from 'node:path';
import type { Client } from 'ssh2';
import { createAgentClient } from '../../agents/client/agent-client';
import { formatEndpoint, formatLogin } from '../contract/network-address';
import { agentOpener } from '../reach/agent-link';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { ConnectOptions, ConnectOutcome, SshTarget, TrustedKey } from '../ssh/ssh-connect';
import type { Credential } from '../store/credential-store';
import type { ProvisionRunStore } from '../store/provision-run-store';
import { runPlan, StepError, type Plan, type ProvisionEvent, type ProvisionInput, type ProvisionResources, type RunResult } from './plan';
import { createRemote } from './remote';
import { agentStep } from './steps/agent';
import { installedStep } from './steps/installed';
import { rollbackStep } from './steps/rollback';
import { purgeStep, removeStep, stopStep } from './steps/uninstall';
import { configStep } from './steps/config';
import { preflightStep } from './steps/preflight';
import { runtimeStep } from './steps/runtime';
import { serviceStep } from './steps/service';

/**
 * bare → healthy: the order matters (each step relies on the ones before). On a machine that runs
 * an older agent this *is* the upgrade: the new version goes in beside the old one, `current`
 * switches, and if the agent does not come back healthy the rollback puts the old one back.
 */
export const INSTALL_PLAN: Plan = { name: 'install', steps: [preflightStep, runtimeStep, agentStep, configStep, serviceStep], rollback: rollbackStep };

/** The same, for machines that already run the agent: one without it is refused, not installed. */
export const UPGRADE_PLAN: Plan = { name: 'upgrade', steps: [preflightStep, installedStep, runtimeStep, agentStep, configStep, serviceStep], rollback: rollbackStep };

/** Stop and remove the agent; data, logs and settings (/var/lib, /var/log, services.json, settings.json) go only with `purge`. */
export function uninstallPlan(purge: boolean): Plan {
  return { name: purge ? 'uninstall-purge' : 'uninstall', steps: purge ? [stopStep, removeStep, purgeStep] : [stopStep, removeStep] };
}

/** Where the repository keeps the artifacts; a packaged console passes its own resources path. */
export function defaultResources(repoRoot: string): ProvisionResources {
  return {
    agentsDir: path.join(repoRoot, 'resources/agents'),
    runtimesDir: path.join(repoRoot, 'resources/runtimes'),
    installDir: path.join(repoRoot, 'appliance/install'),
  };
}

export interface ProvisionRequest {
  target: SshTarget;
  credential: Credential | null;
  /** For a non-root login whose sudo asks for a password; sent only when sudo prompts. */
  sudoPassword?: string | null;
  trustedKeys: TrustedKey[];
  input: ProvisionInput;
  applianceId?: string | null;
  plan?: Plan;
  onEvent?: (e: ProvisionEvent) => void;
  signal?: AbortSignal;
}

export interface Provisioner {
  provision(req: ProvisionRequest): Promise<RunResult>;
}

/** Opens the run's connection: the console's reach module (host key checked, a changed key recorded for every connection). */
export type Dial = (access: Pick<ConnectOptions, 'target' | 'credential' | 'trustedKeys'>) => Promise<ConnectOutcome>;

/**
 * Runs a plan against one machine over one SSH connection (`dial`: the host key is verified
 * before any credential is sent). A connection failure is a failed run like any other, recorded
 * with its message, so the history shows every attempt.
 */
export function createProvisioner(deps: { resources: ProvisionResources; dial: Dial; store?: ProvisionRunStore; clock: Clock; log: Logger }): Provisioner {
  // Two runs on one machine would race on the same files; this console runs one at a time each.
  const busy = new Set<string>();
  return {
    async provision(req) {
      const targetLabel = formatLogin(req.target.user, req.target.address, req.target.port);
      const endpoint = formatEndpoint(req.target.address.toLowerCase(), req.target.port);
      const plan = req.plan ?? INSTALL_PLAN;
      const fail = (id: string, title: string, error: StepError) => {
        const failed: Plan = { name: plan.name, steps: [{ id, title, check: () => Promise.reject(error), apply: async () => {}, verify: async () => {} }] };
        return runPlan(failed, unusedContext(deps, req), { onEvent: req.onEvent, signal: req.signal, store: deps.store, target: targetLabel, applianceId: req.applianceId });
      };
      if (busy.has(endpoint)) return fail('start', 'Start', new StepError(`a provisioning run for ${endpoint} is already in progress; wait for it or cancel it`, 'run-in-progress', { endpoint }));
      busy.add(endpoint);
      try {
        const conn = await deps.dial(req);
        if (!conn.ok) return await fail('connect', 'Connect', new StepError(conn.failure.message, `ssh.${conn.failure.code}`, { ...conn.failure.params }));
        try {
          return await runConnected(conn.client, req, plan, targetLabel);
        } finally {
          conn.close();
        }
      } finally {
        busy.delete(endpoint);
      }
    },
  };

  async function runConnected(client: Client, req: ProvisionRequest, plan: Plan, targetLabel: string): Promise<RunResult> {
    const log = deps.log.child('provision');
    const sudoPassword = req.target.user === 'root' ? null : (req.sudoPassword ?? null);
    const remote = createRemote(client, { user: req.target.user, sudoPassword });
    const agentHealth = async (timeoutMs: number) => {
      // Polled every 250 ms while the agent starts: for root, socket forwarding, not a bridge process each time.
      const open = agentOpener(client, { user: req.target.user, sudoPassword, readyTimeoutMs: timeoutMs });
      const agent = createAgentClient({ open, token: req.input.token, timeoutMs, clientName: 'appliance-console provisioner' });
      return (await agent.call('health.v1')).status;
    };
    log.info('provisioning', { target: targetLabel, plan: plan.name });
    return await runPlan(plan, { remote, clock: deps.clock, resources: deps.resources, input: req.input, facts: null, agentHealth }, {
      onEvent: req.onEvent,
      signal: req.signal,
      store: deps.store,
      target: targetLabel,
      applianceId: req.applianceId,
    });
  }
}

function unusedContext(deps: { resources: ProvisionResources; clock: Clock }, req: ProvisionRequest) {
  const never = () => Promise.reject(new Error('not connected'));
  return { remote: { user: req.target.user, run: never, check: never }, clock: deps.clock, resources: deps.resources, input: req.input, facts: null, agentHealth: never };
}
