import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { MethodOutput, MethodParsedInput } from '../contract/api.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Reach } from '../reach/reach';
import { callAgent, unansweredReason } from './agent-call';
import type { ApplianceStatusRecord } from '../store/appliance-status-store';

/**
 * The console's side of every service an agent runs: list them, start, stop, restart, configure.
 * Each call goes to the appliance's agent through the one way to reach it (main/reach); the agent
 * owns the services, their config file and their validation. After an action the appliance is
 * checked again before the answer, so the status (and every open console) shows the result without
 * waiting for the next round. A service module's own console side (main/services/<id>/) builds on this.
 */
export interface ServiceControlDeps {
  reach: Pick<Reach, 'withAgent'>;
  /** The last check's record: what `service.list` shows when the agent cannot be reached. */
  lastStatus(applianceId: string): Pick<ApplianceStatusRecord, 'services' | 'agentSeenAt'> | null;
  /** Checks the appliance now (the fleet watch's check), so its status follows the action. */
  checkNow(applianceId: string): Promise<unknown>;
  /** Throws not-found for an unknown appliance id. */
  requireAppliance(applianceId: string): { name: string };
  clock: Clock;
  log: Logger;
}

type Action = 'start' | 'stop' | 'restart';
const ACTION_METHOD = { start: 'service-start.v1', stop: 'service-stop.v1', restart: 'service-restart.v1' } as const;
/** An action's subject: named in its messages, and in its errors' params for the UI's wording. */
const subjectOf = (service: string) => ({ what: service, params: { service } });

export function createServiceControl(deps: ServiceControlDeps) {
  /**
   * After an action: check again before answering (one exchange over the pooled connection), so
   * the status every console shows already has the result; a failed check does not fail the action.
   */
  const refresh = async (applianceId: string) => {
    await deps.checkNow(applianceId).catch((err: unknown) => deps.log.warn('check after a service action failed', { applianceId, error: err instanceof Error ? err.message : String(err) }));
  };

  return {
    async list(applianceId: string): Promise<MethodOutput<'service.list'>> {
      const { name } = deps.requireAppliance(applianceId);
      try {
        const { services } = await callAgent(name, { what: 'its services' }, () => deps.reach.withAgent(applianceId, (agent) => agent.call('services.v1')));
        return { services, live: true, asOf: deps.clock.now().toISOString(), reasonCode: null, reasonParams: {} };
      } catch (err) {
        const why = unansweredReason(err);
        if (!why) throw err;
        // The last check's view, said to be so, with why the agent was not asked now.
        const last = deps.lastStatus(applianceId);
        return { services: (last?.services ?? []) as ServiceStatus[], live: false, asOf: last?.agentSeenAt ?? null, reasonCode: why.code, reasonParams: why.params };
      }
    },

    async act(action: Action, input: MethodParsedInput<'service.start'>): Promise<MethodOutput<'service.start'>> {
      const appliance = deps.requireAppliance(input.applianceId);
      const result = await callAgent(appliance.name, subjectOf(input.service), () => deps.reach.withAgent(input.applianceId, (agent) => agent.call(ACTION_METHOD[action], { id: input.service })));
      await refresh(input.applianceId);
      return result;
    },

    async configure(input: MethodParsedInput<'service.configure'>): Promise<MethodOutput<'service.configure'>> {
      const appliance = deps.requireAppliance(input.applianceId);
      const params = { id: input.service, enabled: input.enabled, ...(input.config !== undefined ? { config: input.config } : {}) };
      const result = await callAgent(appliance.name, subjectOf(input.service), () => deps.reach.withAgent(input.applianceId, (agent) => agent.call('service-configure.v1', params)));
      await refresh(input.applianceId);
      return { outcome: result.outcome, service: result.service, config: result.config };
    },
  };
}
export type ServiceControl = ReturnType<typeof createServiceControl>;

