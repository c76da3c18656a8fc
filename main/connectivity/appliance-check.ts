import { AgentClientError, type AgentClient } from '../../agents/client/agent-client';
import type { ConnectivityState } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { AgentUnreachableError, SshUnavailableError, type Reach } from '../reach/reach';
import type { ApplianceStatusRecord, ApplianceStatusStore } from '../store/appliance-status-store';
import type { StatusChanges } from './status-changes';

/** An appliance whose agent answered this check: collectors run on the same session. */
export interface ReachedAgent {
  applianceId: string;
  agent: AgentClient;
  /** Appliance clock minus console clock (ms), for skew correction of what the agent reports. */
  clockSkewMs: number;
  signal: AbortSignal;
}

export type Collector = (reached: ReachedAgent) => Promise<void>;

interface Verdict {
  state: ConnectivityState;
  reason: string | null;
  reasonCode: string | null;
  reasonParams: Record<string, string | number>;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One check of one appliance, over its pooled connection (main/reach):
 * - not reachable over SSH → offline (or not-provisioned, if this console never installed an
 *   agent there), with the SSH failure as the reason: refused, timeout, host key changed, or the
 *   host key no person has accepted yet (dialled to show the key; nothing is sent);
 * - reachable, no agent installed by this console → not-provisioned: not an alarm;
 * - the agent answers `health.v1` and `services.v1` → online, or degraded with the agent's reasons;
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
}) {
  const nowIso = () => deps.clock.now().toISOString();

  function blank(applianceId: string, checkedAt: string): ApplianceStatusRecord {
    return { applianceId, state: 'unknown', since: checkedAt, reason: null, reasonCode: null, reasonParams: {}, checkedAt, lastSeenAt: null, agentSeenAt: null, agentVersion: null, agentPid: null, agentStartedAt: null, clockSkewMs: null, health: null, services: null, inventory: null, inventoryAt: null };
  }

  /** Asks the agent; fills `next` with what it says. */
  async function askAgent(applianceId: string, prev: ApplianceStatusRecord | null, next: ApplianceStatusRecord, checkedAt: string, signal: AbortSignal): Promise<{ verdict: Verdict; reached: ReachedAgent | null }> {
    const agent = await deps.reach.agent(applianceId);
    try {
      const sent = deps.clock.now().getTime();
      const health = await agent.call('health.v1');
      const received = deps.clock.now().getTime();
      // Calls are one stream each, so the `hello` session outlives an agent restart (an upgrade,
      // the watchdog): shake hands again when the agent is not the one the session met, or the
      // version and capabilities shown would be the old agent's.
      if (agent.session()?.hello.startedAt !== health.startedAt) await agent.hello('appliance-console');
      const services = await agent.call('services.v1');
      const session = agent.session();
      // The agent's `now` against the midpoint of the call: good to a few ms on a LAN.
      const skew = Math.round(Date.parse(health.now) - (sent + received) / 2);
      deps.changes.noticeRestarts(applianceId, prev, health, services.services);
      if (session && prev?.agentVersion && prev.agentVersion !== session.hello.agentVersion) deps.changes.agentVersionChanged(applianceId, prev.agentVersion, session.hello.agentVersion);
      Object.assign(next, {
        agentVersion: session?.hello.agentVersion ?? prev?.agentVersion ?? null,
        agentPid: health.pid,
        agentStartedAt: health.startedAt,
        clockSkewMs: skew,
        health,
        services: services.services,
        lastSeenAt: checkedAt,
        agentSeenAt: checkedAt,
      });
      const reached = { applianceId, agent, clockSkewMs: skew, signal };
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
      return { verdict: { state: 'degraded', reason: `the agent does not answer: ${describe(err)}`, reasonCode: 'agent.silent', reasonParams: { detail: describe(err) } }, reached: null };
    }
  }

  return async function check(applianceId: string, signal: AbortSignal): Promise<{ record: ApplianceStatusRecord; prev: ApplianceStatusRecord | null; reached: ReachedAgent | null }> {
    const appliance = deps.appliances.get(applianceId);
    if (!appliance) throw new Error(`appliance ${applianceId} does not exist`);
    const prev = deps.status.get(applianceId);
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
        next.inventory = await reached.agent.call('inventory.v1');
        next.inventoryAt = checkedAt;
      } catch (err) {
        deps.log.info('inventory not taken', { applianceId, error: describe(err) });
      }
    }
    return { record: next, prev, reached };
  };
}
