import { AgentClientError, type AgentClient } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import type { HealthResult } from '../../agents/protocol/payloads/health';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { WatchResult } from '../../agents/protocol/payloads/watch';
import type { AgentMethodParamsInput } from '../../agents/protocol/methods';
import type { ConnectivityState } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { AgentUnreachableError, SshUnavailableError, type Reach } from '../reach/reach';
import type { ApplianceStatusRecord, ApplianceStatusStore } from '../store/appliance-status-store';
import { silenceCause } from './silence-cause';
import type { StatusChanges } from './status-changes';

export type WatchParams = AgentMethodParamsInput<'watch.v1'>;

/** An appliance whose agent answered this check: collectors run on the same session. */
export interface ReachedAgent {
  applianceId: string;
  agent: AgentClient;
  /** Appliance clock minus console clock (ms), for skew correction of what the agent reports. */
  clockSkewMs: number;
  signal: AbortSignal;
  /** The check's `watch.v1` exchange, when the agent offers it: what collectors asked for is in its answer. */
  watched?: { params: WatchParams; result: WatchResult } | null;
}

/**
 * Runs after a check whose agent answered. `watchParams` says what the collector would ask first,
 * so the check carries it in its own `watch.v1` call and the collector finds the answer in
 * `watched` instead of making a call of its own.
 */
export type Collector = ((reached: ReachedAgent) => Promise<void>) & { watchParams?: (applianceId: string) => WatchParams };

interface Verdict {
  state: ConnectivityState;
  reason: string | null;
  reasonCode: string | null;
  reasonParams: Record<string, string | number>;
}

interface AgentAnswer {
  health: HealthResult;
  services: ServiceStatus[];
  watched: { params: WatchParams; result: WatchResult } | null;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One check of one appliance, over its pooled connection (main/reach):
 * - not reachable over SSH → offline (or not-provisioned, if this console never installed an
 *   agent there), with the SSH failure as the reason: refused, timeout, host key changed, or the
 *   host key no person has accepted yet (dialled to show the key; nothing is sent);
 * - reachable, no agent installed by this console → not-provisioned: not an alarm;
 * - the agent answers → online, or degraded with the agent's reasons. One call, `watch.v1`
 *   (health, services and what the collectors asked for), where the agent offers it; an older agent
 *   is asked `health.v1` and `services.v1`;
 * - the agent does not answer → degraded (a silent agent is re-dialled once first, so a cut link
 *   shows as offline).
 * The record is written with what changed (state changes, restarts) as appliance events.
 */
export function createApplianceCheck(deps: {
  appliances: { get(id: string): { id: string; name: string } | null | undefined };
  status: ApplianceStatusStore;
  reach: Pick<Reach, 'connection' | 'agent' | 'hasAgent' | 'forget'>;
  changes: StatusChanges;
  clock: Clock;
  log: Logger;
  inventoryMaxAgeMs: number;
  /** What the collectors want carried by this appliance's `watch.v1` (metrics after their cursor). */
  watchParams?: (applianceId: string) => WatchParams;
}) {
  const nowIso = () => deps.clock.now().toISOString();

  function blank(applianceId: string, checkedAt: string): ApplianceStatusRecord {
    return { applianceId, state: 'unknown', since: checkedAt, reason: null, reasonCode: null, reasonParams: {}, checkedAt, lastSeenAt: null, agentSeenAt: null, agentVersion: null, agentPid: null, agentStartedAt: null, clockSkewMs: null, health: null, services: null, inventoryAt: null };
  }

  /** Health and services in one call where the agent offers `watch.v1`, else in two. */
  async function ask(agent: AgentClient, applianceId: string, retried = false): Promise<AgentAnswer> {
    const session = agent.session() ?? { hello: await agent.hello('appliance-console') };
    if (session.hello.capabilities.methods.includes('watch.v1')) {
      const params = deps.watchParams?.(applianceId) ?? {};
      try {
        const result = await agent.call('watch.v1', params);
        return { health: result.health, services: result.services, watched: { params, result } };
      } catch (err) {
        // The agent was replaced meanwhile by one without watch.v1 (a downgrade): the failed call
        // dropped the session; the next handshake tells what this agent offers.
        if (retried || !(err instanceof AgentError && err.code === 'not-supported')) throw err;
        await agent.hello('appliance-console');
        return ask(agent, applianceId, true);
      }
    }
    const health = await agent.call('health.v1');
    const services = (await agent.call('services.v1')).services;
    return { health, services, watched: null };
  }

  /** Asks the agent; fills `next` with what it says. */
  async function askAgent(applianceId: string, prev: ApplianceStatusRecord | null, next: ApplianceStatusRecord, checkedAt: string, signal: AbortSignal): Promise<{ verdict: Verdict; reached: ReachedAgent | null }> {
    const agent = await deps.reach.agent(applianceId);
    try {
      // A first handshake is its own round trip: not part of the exchange the skew is measured on.
      if (!agent.session()) await agent.hello('appliance-console');
      const sent = deps.clock.now().getTime();
      const { health, services, watched } = await ask(agent, applianceId);
      const received = deps.clock.now().getTime();
      // A kept stream and the `hello` session outlive an agent restart (an upgrade, the
      // watchdog): shake hands again when the agent is not the one the session met, or the
      // version and capabilities shown would be the old agent's.
      if (agent.session()?.hello.startedAt !== health.startedAt) await agent.hello('appliance-console');
      const session = agent.session();
      // The agent's `now` against the midpoint of the call: good to a few ms on a LAN.
      const skew = Math.round(Date.parse(health.now) - (sent + received) / 2);
      deps.changes.noticeRestarts(applianceId, prev, health, services);
      if (session && prev?.agentVersion && prev.agentVersion !== session.hello.agentVersion) deps.changes.agentVersionChanged(applianceId, prev.agentVersion, session.hello.agentVersion);
      Object.assign(next, {
        agentVersion: session?.hello.agentVersion ?? prev?.agentVersion ?? null,
        agentPid: health.pid,
        agentStartedAt: health.startedAt,
        clockSkewMs: skew,
        health,
        services,
        lastSeenAt: checkedAt,
        agentSeenAt: checkedAt,
      });
      const reached: ReachedAgent = { applianceId, agent, clockSkewMs: skew, signal, watched };
      if (health.status === 'ok') return { verdict: { state: 'online', reason: null, reasonCode: null, reasonParams: {} }, reached };
      const reason = health.reasons.map((r) => r.message).join('; ');
      // The agent's own reasons have codes too (service-backoff, …): the first one, with its subject.
      const first = health.reasons[0];
      return { verdict: { state: 'degraded', reason, reasonCode: 'agent.reports', reasonParams: { code: first?.code ?? '', subject: first?.subject ?? '', count: health.reasons.length, detail: reason } }, reached };
    } catch (err) {
      // Silence may be a dead link keepalive has not noticed yet: dial again before blaming the
      // agent, so a cut cable shows as offline. Any other failure (socket refused, agent gone,
      // token refused) came over a live connection: keep it rather than log in again every round.
      if (err instanceof AgentClientError && err.code === 'timeout') {
        deps.reach.forget(applianceId);
        await deps.reach.connection(applianceId);
      }
      next.lastSeenAt = checkedAt;
      return { verdict: { state: 'degraded', reason: `the agent does not answer: ${describe(err)}`, reasonCode: 'agent.silent', reasonParams: { cause: silenceCause(err), detail: describe(err) } }, reached: null };
    }
  }

  return async function check(applianceId: string, signal: AbortSignal): Promise<{ record: ApplianceStatusRecord; prev: ApplianceStatusRecord | null; reached: ReachedAgent | null }> {
    const appliance = deps.appliances.get(applianceId);
    if (!appliance) throw new Error(`appliance ${applianceId} does not exist`);
    // Without the inventory's JSON: only its time decides whether to fetch it again.
    const prev = deps.status.getStatus(applianceId);
    const checkedAt = nowIso();
    const next: ApplianceStatusRecord = prev ? { ...prev, checkedAt } : blank(applianceId, checkedAt);
    const provisioned = deps.reach.hasAgent(applianceId);
    let verdict: Verdict;
    let reached: ReachedAgent | null = null;
    try {
      await deps.reach.connection(applianceId);
      if (!provisioned) {
        next.lastSeenAt = checkedAt;
        verdict = { state: 'not-provisioned', reason: 'reachable over SSH; no agent is installed yet: provision this appliance', reasonCode: 'agent.not-installed', reasonParams: {} };
      } else {
        ({ verdict, reached } = await askAgent(applianceId, prev, next, checkedAt, signal));
      }
    } catch (err) {
      const state = provisioned ? 'offline' : 'not-provisioned';
      if (err instanceof SshUnavailableError) verdict = { state, reason: err.failure.message, reasonCode: `ssh.${err.failure.code}`, reasonParams: { ...err.failure.params } };
      else if (err instanceof AgentUnreachableError) verdict = { state, reason: err.message, reasonCode: err.code, reasonParams: err.params };
      else verdict = { state, reason: describe(err), reasonCode: 'ssh.protocol-error', reasonParams: { detail: describe(err) } };
    }
    if (verdict.state !== next.state) {
      if (prev) deps.changes.stateChanged(applianceId, appliance.name, prev.state, verdict.state, verdict.reason, verdict.reasonCode, verdict.reasonParams);
      next.state = verdict.state;
      next.since = checkedAt;
    }
    next.reason = verdict.reason;
    next.reasonCode = verdict.reasonCode;
    next.reasonParams = verdict.reasonParams;
    if (reached && (next.inventoryAt === null || Date.parse(checkedAt) - Date.parse(next.inventoryAt) > deps.inventoryMaxAgeMs || next.agentStartedAt !== prev?.agentStartedAt)) {
      try {
        // Written at once, in its own table: the status row stays small (migration 010).
        if (deps.status.putInventory(applianceId, await reached.agent.call('inventory.v1'), checkedAt)) next.inventoryAt = checkedAt;
      } catch (err) {
        deps.log.info('inventory not taken', { applianceId, error: describe(err) });
      }
    }
    return { record: next, prev, reached };
  };
}
