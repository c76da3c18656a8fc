import { AgentClientError } from '../../agents/client/agent-client';
import type { AgentSettingsResult } from '../../agents/protocol/payloads/agent-settings';
import { PrometheusConfigSchema } from '../../agents/protocol/prometheus-config';
import type { AgentSettingsOnMachine, AgentSettingsValues, AgentSettingsView } from '../contract/agent-settings.contract';
import type { MethodParsedInput } from '../contract/api.contract';
import { ApiError } from '../contract/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Reach } from '../reach/reach';
import { callAgent, unansweredReason } from '../services/agent-call';
import type { AgentSettingsStore } from '../store/agent-settings-store';
import { settingsDrift } from './agent-settings-drift';

/**
 * The console's side of the agent's own settings (`agent-settings.v1`, through main/reach): reads
 * every layer with the console's intent beside it, sets them (recording the intent only once the
 * agent took it), and writes the intent again after a provisioning or upgrade run (`reapply`), so
 * an upgrade never leaves the agent on settings other than the console's.
 */
export interface AgentSettingsDeps {
  reach: Pick<Reach, 'withAgent'>;
  store: AgentSettingsStore;
  /** Throws not-found for an unknown appliance id. */
  requireAppliance(applianceId: string): { name: string };
  clock: Clock;
  log: Logger;
}

/** What a provisioning run's re-apply did, for its result and log. */
export interface ReapplyOutcome {
  status: 'done' | 'unchanged' | 'failed';
  /** One line for the run's step output (English, like the rest of a run's output). */
  detail: string;
  durationMs: number;
}

const SUBJECT = { what: 'its agent settings' };

export function createAgentSettingsService(deps: AgentSettingsDeps) {
  const now = () => deps.clock.now().toISOString();

  function view(applianceId: string, machine: AgentSettingsOnMachine | null, extra: Partial<AgentSettingsView> = {}): AgentSettingsView {
    const intent = deps.store.get(applianceId);
    return {
      applianceId,
      intent,
      machine,
      drift: settingsDrift(machine, intent?.settings ?? null),
      reasonCode: null,
      reasonParams: {},
      changed: false,
      asOf: now(),
      ...extra,
    };
  }

  /** One `agent-settings.v1` exchange, its failures as API errors (conflict with a status reason code). */
  const exchange = (applianceId: string, name: string, set?: AgentSettingsValues) =>
    callAgent(name, SUBJECT, () => deps.reach.withAgent(applianceId, (agent) => agent.call('agent-settings.v1', set ? { set } : {})));

  return {
    /** The intent, and the machine's layers now; when the agent cannot be asked, the intent alone and why. */
    async get(applianceId: string): Promise<AgentSettingsView> {
      const { name } = deps.requireAppliance(applianceId);
      try {
        return view(applianceId, onMachine(await exchange(applianceId, name)));
      } catch (err) {
        const why = unansweredReason(err);
        if (!why) throw err;
        return view(applianceId, null, { reasonCode: why.code, reasonParams: why.params });
      }
    },

    /**
     * A person's change: merged over the intent (or, before there is one, over what the machine's
     * files say), checked as the agent checks it, sent, and recorded once the agent has taken it.
     * An appliance that cannot be reached refuses the change and nothing is recorded.
     */
    async update(input: MethodParsedInput<'agentSettings.update'>): Promise<AgentSettingsView> {
      const { name } = deps.requireAppliance(input.applianceId);
      const base = deps.store.get(input.applianceId)?.settings ?? effectiveOnMachine(await exchange(input.applianceId, name));
      const wanted: AgentSettingsValues = { prometheus: { ...base.prometheus, ...input.prometheus } };
      refuseOpenEndpoint(wanted);
      const answer = await exchange(input.applianceId, name, wanted);
      deps.store.set(input.applianceId, wanted, now());
      deps.log.info('agent settings set', { applianceId: input.applianceId, changed: answer.changed, applyError: answer.applyError });
      return view(input.applianceId, onMachine(answer), { changed: answer.changed });
    },

    /**
     * After a successful provisioning or upgrade run: writes the console's intent to the agent
     * again. Null, at once, when there is none (the machine's files decide alone), so the run
     * announces no step. The agent was restarted moments ago, so a transport failure is tried once
     * more on a fresh exchange.
     */
    reapply(applianceId: string): Promise<ReapplyOutcome> | null {
      const intent = deps.store.get(applianceId);
      return intent ? reapplyIntent(applianceId, intent.settings) : null;
    },
  };

  async function reapplyIntent(applianceId: string, settings: AgentSettingsValues): Promise<ReapplyOutcome> {
    const started = deps.clock.now().getTime();
    const took = () => deps.clock.now().getTime() - started;
    const { name } = deps.requireAppliance(applianceId);
    const send = () => deps.reach.withAgent(applianceId, (agent) => agent.call('agent-settings.v1', { set: settings }));
    try {
      const answer = await callAgent(name, SUBJECT, () => send().catch((err: unknown) => (err instanceof AgentClientError ? send() : Promise.reject(err))));
      if (answer.applyError) {
        const detail = `settings.json holds the console's agent settings, but the agent could not apply them: ${answer.applyError}`;
        deps.log.warn('agent settings re-applied but not in use', { applianceId, applyError: answer.applyError });
        return { status: 'failed', detail, durationMs: took() };
      }
      deps.store.markApplied(applianceId, now());
      return { status: answer.changed ? 'done' : 'unchanged', detail: answer.changed ? "the console's agent settings written to settings.json and applied" : 'settings.json already held the console’s agent settings', durationMs: took() };
    } catch (err) {
      const detail = `the console's agent settings could not be applied: ${err instanceof Error ? err.message : String(err)}; apply them from the Appliance page or with 'appliance-console agent-settings'`;
      deps.log.warn('agent settings not re-applied after a provisioning run', { applianceId, error: detail });
      return { status: 'failed', detail, durationMs: took() };
    }
  }
}
export type AgentSettingsService = ReturnType<typeof createAgentSettingsService>;

/** The agent's answer without what is about this call (`changed`). */
function onMachine(r: AgentSettingsResult): AgentSettingsOnMachine {
  return { agentJson: r.agentJson, file: r.file, running: r.running, restartPending: r.restartPending, applyError: r.applyError, path: r.path };
}

/** What the machine's files say, the later winning: what the agent takes when it restarts. */
function effectiveOnMachine(r: AgentSettingsResult): AgentSettingsValues {
  return r.file ?? r.agentJson;
}

/**
 * The agent's own rule (agents/protocol/prometheus-config.ts), checked before anything is sent so
 * the form can mark the field: `/metrics` off loopback without the token would be open to anyone
 * who reaches the address.
 */
function refuseOpenEndpoint(wanted: AgentSettingsValues): void {
  if (PrometheusConfigSchema.safeParse(wanted.prometheus).success) return;
  throw new ApiError('invalid-input', `/metrics on ${wanted.prometheus.host} would be open to anyone who can reach that address: require the token, or listen on 127.0.0.1`, {
    issues: [{ path: 'prometheus.requireToken', code: 'metrics-token-required', message: 'require the token for /metrics on an address other than loopback', params: { host: wanted.prometheus.host } }],
  });
}
