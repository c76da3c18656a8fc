import type { HealthResult } from '../../agents/protocol/payloads/health';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { ApplianceEvent, ApplianceStatus } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/log';
import type { ApplianceStatusRecord, ApplianceStatusStore } from '../store/appliance-status-store';

/** The stored record as the contract shows it. */
export function toApplianceStatus(r: ApplianceStatusRecord): ApplianceStatus {
  return {
    applianceId: r.applianceId,
    state: r.state,
    since: r.since,
    reason: r.reason,
    reasonCode: r.reasonCode,
    reasonParams: r.reasonParams,
    checkedAt: r.checkedAt,
    lastSeenAt: r.lastSeenAt,
    agentSeenAt: r.agentSeenAt,
    agent: r.agentVersion ? { version: r.agentVersion, pid: r.agentPid, startedAt: r.agentStartedAt } : null,
    clockSkewMs: r.clockSkewMs,
    health: (r.health as HealthResult | null) ?? null,
    services: (r.services as ServiceStatus[] | null) ?? null,
  };
}

/** What a person would see change; times that move every round (checkedAt, lastSeenAt, uptime) are left out. */
export function statusSignature(s: ApplianceStatus): string {
  return JSON.stringify([
    s.state,
    s.reason,
    s.reasonCode,
    s.agent,
    s.health?.status,
    s.health?.reasons,
    s.services?.map((x) => [x.name, x.state, x.restarts, x.flapping]),
    // Skew matters to a person in seconds, not in the milliseconds it jitters by.
    s.clockSkewMs === null ? null : Math.round(s.clockSkewMs / 1000),
  ]);
}

/**
 * What happened to an appliance between two checks, kept as appliance events (`appliance_events`,
 * pushed as `status.applianceEvent`): its state changed, its agent restarted (pid or start time
 * changed: the watchdog or systemd brought it back after a crash or a kill), a service restarted,
 * a new agent version answered.
 */
export function createStatusChanges(deps: { status: ApplianceStatusStore; events: EventBus; clock: Clock; log: Logger }) {
  const log = deps.log;
  const record = (applianceId: string, kind: ApplianceEvent['kind'], message: string, params: ApplianceEvent['params']) => {
    const saved = deps.status.addEvent({ applianceId, at: deps.clock.now().toISOString(), kind, message, details: params });
    if (!saved) return;
    log.info(message, { applianceId, kind });
    deps.events.emit('status.applianceEvent', { id: saved.id, applianceId, at: saved.at, kind, message, params });
  };

  return {
    stateChanged(applianceId: string, name: string, from: string, to: string, reason: string | null, reasonCode: string | null, params: Record<string, string | number>) {
      record(applianceId, 'state-changed', `${name} is ${to}${reason ? `: ${reason}` : ''} (was ${from})`, { ...params, from, to, reason, reasonCode });
    },

    agentVersionChanged(applianceId: string, from: string, to: string) {
      record(applianceId, 'agent-version-changed', `The agent changed from version ${from} to ${to}`, { from, to });
    },

    /** Compares the agent's pid, start time and service restart counts with the previous check. */
    noticeRestarts(applianceId: string, prev: ApplianceStatusRecord | null, health: HealthResult, services: ServiceStatus[]): void {
      if (!prev?.agentStartedAt) return;
      if (prev.agentStartedAt !== health.startedAt || prev.agentPid !== health.pid) {
        record(applianceId, 'agent-restarted', `The agent restarted at ${health.startedAt} (pid ${prev.agentPid ?? '?'} → ${health.pid})`, {
          previousPid: prev.agentPid,
          pid: health.pid,
          startedAt: health.startedAt,
        });
        return; // service counters start again with the agent
      }
      const before = new Map(((prev.services as ServiceStatus[] | null) ?? []).map((s) => [s.name, s]));
      for (const s of services) {
        const was = before.get(s.name);
        if (was && s.restarts > was.restarts) {
          const exit = s.lastExit ? ` after it ${s.lastExit.signal ? `was killed by ${s.lastExit.signal}` : `exited with code ${s.lastExit.code}`}` : '';
          record(applianceId, 'service-restarted', `Service ${s.name} restarted${exit} (${s.restarts} restarts, ${s.crashes} crashes)`, { service: s.name, restarts: s.restarts, crashes: s.crashes });
        }
      }
    },

    /** Appliance events, newest first, a page at a time. */
    page(opts: { applianceId?: string; before?: number; limit: number }): { events: ApplianceEvent[]; next: number | null } {
      const page = deps.status.events(opts);
      const events = page.events.map((e): ApplianceEvent => ({
        id: e.id,
        applianceId: e.applianceId,
        at: e.at,
        kind: e.kind as ApplianceEvent['kind'],
        message: e.message,
        params: (e.details ?? {}) as ApplianceEvent['params'],
      }));
      return { events, next: page.next };
    },
  };
}
export type StatusChanges = ReturnType<typeof createStatusChanges>;
