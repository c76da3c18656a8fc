import { AgentClientError, type AgentClient } from '../../agents/client/agent-client';
import type { HealthResult } from '../../agents/protocol/payloads/health';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { ApplianceEvent, ApplianceStatus } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/log';
import type { AgentTokenStore } from '../store/agent-token-store';
import type { ApplianceStatusRecord, ApplianceStatusStore, ConnectivityState } from '../store/appliance-status-store';
import type { CredentialStore } from '../store/credential-store';
import { agentClientOver } from './agent-link';
import { SshUnavailableError, type SshPool } from './ssh-pool';

/**
 * The console's watch over the fleet: every `intervalMs` (10 s) each appliance is checked over its
 * pooled SSH connection — reachable? does its agent answer `health.v1` and `services.v1`? — and the
 * result is kept (appliance_status), pushed to open UIs (`status.list`) and, when something
 * happened, recorded as an appliance event: a state change, the agent restarted (its pid or start
 * time changed: the watchdog brought it back after a crash or a kill), a service restarted.
 *
 * Collectors (metrics, SMART) run after a successful check on the same agent session, so one round
 * costs one connection per appliance however many things are collected.
 */
export interface ReachedAgent {
  applianceId: string;
  agent: AgentClient;
  /** Appliance clock minus console clock (ms), for skew correction of what the agent reports. */
  clockSkewMs: number;
  signal: AbortSignal;
}

export type Collector = (reached: ReachedAgent) => Promise<void>;

export interface FleetWatchDeps {
  appliances: { list(): { id: string; name: string; user: string }[]; get(id: string): { id: string; name: string; user: string } | null | undefined };
  credentials: Pick<CredentialStore, 'getSudoPassword'>;
  agentTokens: Pick<AgentTokenStore, 'get'>;
  status: ApplianceStatusStore;
  pool: SshPool;
  events: EventBus;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** Appliances checked at once; a round over 1,000 appliances must not open 1,000 channels at once. */
  concurrency?: number;
  agentTimeoutMs?: number;
  /** How old a kept inventory may be before a round fetches it again. */
  inventoryMaxAgeMs?: number;
  collectors?: Collector[];
  /** After each round of the timer (not after a single check): alert evaluation, telemetry upkeep. */
  afterRound?: (statuses: ApplianceStatus[]) => void;
}

export interface FleetWatch {
  start(): void;
  /** Stops the timer and aborts the round's remaining checks; resolves when the round in flight has ended. */
  stop(): Promise<void>;
  /** True while a timer round runs (its writes to the store are not done yet). */
  roundInFlight(): boolean;
  /** Checks one appliance now (joins a check already running for it). */
  check(applianceId: string): Promise<ApplianceStatus>;
  /** Checks every appliance once, as a round does (the CLI's `fleet status`). */
  checkAll(): Promise<ApplianceStatus[]>;
  /** The inventory from the agent now; the kept one (with why it is stale) when the agent cannot answer. */
  inventory(applianceId: string, refresh: boolean): Promise<{ inventory: unknown; at: string | null; staleReason: string | null }>;
  statuses(ids?: string[]): ApplianceStatus[];
  /**
   * Runs `fn` with the appliance's agent over its pooled connection (a person's action: a
   * self-test, a fresh reading). Rejects with a message a person can act on when it cannot be reached.
   */
  withAgent<T>(applianceId: string, fn: (agent: AgentClient) => Promise<T>): Promise<T>;
  /** Closes the appliance's connection and forgets its backoff (its host key or login changed). */
  forget(applianceId: string): void;
  events(opts: { applianceId?: string; before?: number; limit: number }): { events: ApplianceEvent[]; next: number | null };
}

const INVENTORY_MAX_AGE_MS = 10 * 60_000;

/** The appliance or its agent cannot be reached for a person's request (the API answers `conflict`). */
export class AgentUnreachableError extends Error {
  override name = 'AgentUnreachableError';
}

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
function statusSignature(s: ApplianceStatus): string {
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

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createFleetWatch(deps: FleetWatchDeps): FleetWatch {
  const log = deps.log.child('fleet-watch');
  const intervalMs = deps.intervalMs ?? 10_000;
  const concurrency = deps.concurrency ?? 32;
  const agentTimeoutMs = deps.agentTimeoutMs ?? 10_000;
  const inventoryMaxAgeMs = deps.inventoryMaxAgeMs ?? INVENTORY_MAX_AGE_MS;
  const inflight = new Map<string, Promise<ApplianceStatus>>();
  /** One agent client per pooled connection: its session lives as long as the connection. */
  const agents = new WeakMap<object, AgentClient>();
  // Replaced at each start: a watch stopped and started again must not begin with an aborted signal.
  let stopController = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<unknown> | null = null;
  let running = false;
  const nowIso = () => deps.clock.now().toISOString();

  const recordEvent = (applianceId: string, kind: ApplianceEvent['kind'], message: string, params: ApplianceEvent['params']) => {
    const saved = deps.status.addEvent({ applianceId, at: nowIso(), kind, message, details: params });
    if (!saved) return;
    log.info(message, { applianceId, kind });
    deps.events.emit('status.applianceEvent', { id: saved.id, applianceId, at: saved.at, kind, message, params });
  };

  function agentFor(applianceId: string, user: string, connection: object, token: string): AgentClient {
    let agent = agents.get(connection);
    if (!agent) {
      agent = agentClientOver(connection as Parameters<typeof agentClientOver>[0], { user, sudoPassword: deps.credentials.getSudoPassword(applianceId), token, timeoutMs: agentTimeoutMs });
      agents.set(connection, agent);
    }
    return agent;
  }

  async function checkOnce(applianceId: string): Promise<ApplianceStatus> {
    const appliance = deps.appliances.get(applianceId);
    if (!appliance) throw new Error(`appliance ${applianceId} does not exist`);
    const prev = deps.status.get(applianceId);
    const checkedAt = nowIso();
    const next: ApplianceStatusRecord = prev
      ? { ...prev, checkedAt }
      : { applianceId, state: 'unknown', since: checkedAt, reason: null, reasonCode: null, reasonParams: {}, checkedAt, lastSeenAt: null, agentSeenAt: null, agentVersion: null, agentPid: null, agentStartedAt: null, clockSkewMs: null, health: null, services: null, inventory: null, inventoryAt: null };
    let state: ConnectivityState;
    let reason: string | null = null;
    let reasonCode: string | null = null;
    let reasonParams: Record<string, string | number> = {};
    let reached: ReachedAgent | null = null;
    try {
      const connection = await deps.pool.acquire(applianceId);
      const token = deps.agentTokens.get(applianceId);
      if (token === null) {
        next.lastSeenAt = checkedAt;
        state = 'degraded';
        reason = 'the agent is not installed: provision this appliance';
        reasonCode = 'agent.not-installed';
      } else {
        const agent = agentFor(applianceId, appliance.user, connection, token);
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
          noticeRestarts(applianceId, prev, health, services.services);
          if (session && prev?.agentVersion && prev.agentVersion !== session.hello.agentVersion) {
            recordEvent(applianceId, 'agent-version-changed', `The agent changed from version ${prev.agentVersion} to ${session.hello.agentVersion}`, { from: prev.agentVersion, to: session.hello.agentVersion });
          }
          next.agentVersion = session?.hello.agentVersion ?? prev?.agentVersion ?? null;
          next.agentPid = health.pid;
          next.agentStartedAt = health.startedAt;
          next.clockSkewMs = skew;
          next.health = health;
          next.services = services.services;
          next.lastSeenAt = checkedAt;
          next.agentSeenAt = checkedAt;
          state = health.status === 'ok' ? 'online' : 'degraded';
          reason = health.status === 'ok' ? null : health.reasons.map((r) => r.message).join('; ');
          if (health.status !== 'ok') {
            // The agent's own reasons have codes too (service-backoff, …): the first one, with its subject.
            const first = health.reasons[0];
            reasonCode = 'agent.reports';
            reasonParams = { code: first?.code ?? '', subject: first?.subject ?? '', count: health.reasons.length, detail: reason ?? '' };
          }
          reached = { applianceId, agent, clockSkewMs: skew, signal: stopController.signal };
        } catch (err) {
          // Silence from the agent may be a dead link that keepalive has not noticed yet: dial
          // again before blaming the agent, so a cut cable shows as offline, not degraded. Any
          // other failure (socket refused, agent gone, token refused) came over a live connection:
          // keep it, rather than log in again every round.
          if (err instanceof AgentClientError && err.code === 'timeout') {
            deps.pool.drop(applianceId);
            await deps.pool.acquire(applianceId);
          }
          next.lastSeenAt = checkedAt;
          state = 'degraded';
          reason = `the agent does not answer: ${describe(err)}`;
          reasonCode = 'agent.silent';
          reasonParams = { detail: describe(err) };
        }
      }
    } catch (err) {
      state = 'offline';
      reason = err instanceof SshUnavailableError ? err.failure.message : describe(err);
      reasonCode = err instanceof SshUnavailableError ? `ssh.${err.failure.code}` : 'ssh.protocol-error';
      reasonParams = err instanceof SshUnavailableError ? { ...err.failure.params } : { detail: describe(err) };
    }
    if (state !== next.state) {
      if (prev) recordEvent(applianceId, 'state-changed', `${appliance.name} is ${state}${reason ? `: ${reason}` : ''} (was ${prev.state})`, { ...reasonParams, from: prev.state, to: state, reason, reasonCode });
      next.state = state;
      next.since = checkedAt;
    }
    next.reason = reason;
    next.reasonCode = reasonCode;
    next.reasonParams = reasonParams;
    if (reached && (next.inventoryAt === null || Date.parse(checkedAt) - Date.parse(next.inventoryAt) > inventoryMaxAgeMs || next.agentStartedAt !== prev?.agentStartedAt)) {
      try {
        next.inventory = await reached.agent.call('inventory.v1');
        next.inventoryAt = checkedAt;
      } catch (err) {
        log.info('inventory not taken', { applianceId, error: describe(err) });
      }
    }
    if (!deps.status.put(next)) throw new Error(`appliance ${applianceId} was removed during its check`);
    const status = toApplianceStatus(next);
    // 1,000 appliances every 10 s would be 100 events a second: tell the UI only what changed.
    if (!prev || statusSignature(toApplianceStatus(prev)) !== statusSignature(status)) deps.events.emit('status.changed', status);
    if (reached) {
      for (const collect of deps.collectors ?? []) {
        try {
          await collect(reached);
        } catch (err) {
          log.warn('collector failed', { applianceId, error: describe(err) });
        }
      }
    }
    return status;
  }

  function noticeRestarts(applianceId: string, prev: ApplianceStatusRecord | null, health: HealthResult, services: ServiceStatus[]): void {
    if (!prev?.agentStartedAt) return;
    if (prev.agentStartedAt !== health.startedAt || prev.agentPid !== health.pid) {
      recordEvent(applianceId, 'agent-restarted', `The agent restarted at ${health.startedAt} (pid ${prev.agentPid ?? '?'} → ${health.pid})`, {
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
        recordEvent(applianceId, 'service-restarted', `Service ${s.name} restarted${exit} (${s.restarts} restarts, ${s.crashes} crashes)`, { service: s.name, restarts: s.restarts, crashes: s.crashes });
      }
    }
  }

  function check(applianceId: string): Promise<ApplianceStatus> {
    const running = inflight.get(applianceId);
    if (running) return running;
    const p = checkOnce(applianceId).finally(() => inflight.delete(applianceId));
    inflight.set(applianceId, p);
    return p;
  }

  async function checkAll(): Promise<ApplianceStatus[]> {
    const ids = deps.appliances.list().map((a) => a.id);
    const results: ApplianceStatus[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length && !stopController.signal.aborted) {
        const id = ids[next++]!;
        try {
          results.push(await check(id));
        } catch (err) {
          log.warn('check failed', { applianceId: id, error: describe(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return results;
  }

  const schedule = (delayMs: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      const started = Date.now();
      round = checkAll()
        .then((statuses) => {
          if (running) deps.afterRound?.(statuses);
        })
        .catch((err: unknown) => log.warn('round failed', { error: describe(err) }))
        .finally(() => {
          round = null;
          schedule(Math.max(0, intervalMs - (Date.now() - started)));
        });
    }, delayMs);
    timer.unref?.();
  };

  // Settings changed or appliance removed: its connection (and agent session) must not be reused.
  const unsubscribe = deps.events.subscribe((event, payload) => {
    if (event === 'fleet.changed') {
      const change = payload as { change: string; id: string };
      if (change.change !== 'added') deps.pool.drop(change.id);
      if (change.change === 'added' && running) void check(change.id).catch(() => undefined);
    }
  });

  return {
    start() {
      if (running) return;
      running = true;
      if (stopController.signal.aborted) stopController = new AbortController();
      schedule(0);
    },
    async stop() {
      running = false;
      unsubscribe();
      if (timer) clearTimeout(timer);
      stopController.abort();
      await round?.catch(() => undefined);
    },
    roundInFlight: () => round !== null,
    check,
    checkAll,
    async inventory(applianceId, refresh) {
      const kept = deps.status.get(applianceId);
      const isFresh = kept?.inventoryAt && deps.clock.now().getTime() - Date.parse(kept.inventoryAt) < inventoryMaxAgeMs;
      if (!refresh && isFresh) return { inventory: kept!.inventory, at: kept!.inventoryAt, staleReason: null };
      const status = await check(applianceId);
      const after = deps.status.get(applianceId);
      let staleReason: string | null = null;
      if (status.state === 'offline' || !status.health) staleReason = status.reason;
      else if (refresh && after?.inventoryAt !== status.checkedAt) {
        // The round skipped it (fresh enough); a person asked, so fetch it now.
        try {
          const connection = await deps.pool.acquire(applianceId);
          const token = deps.agentTokens.get(applianceId);
          const appliance = deps.appliances.get(applianceId);
          if (token && appliance && after) {
            after.inventory = await agentFor(applianceId, appliance.user, connection, token).call('inventory.v1');
            after.inventoryAt = nowIso();
            deps.status.put(after);
          }
        } catch (err) {
          staleReason = describe(err);
        }
      }
      const latest = deps.status.get(applianceId);
      return { inventory: latest?.inventory ?? null, at: latest?.inventoryAt ?? null, staleReason };
    },
    forget: (applianceId) => deps.pool.drop(applianceId),
    async withAgent(applianceId, fn) {
      const appliance = deps.appliances.get(applianceId);
      if (!appliance) throw new Error(`appliance ${applianceId} does not exist`);
      const token = deps.agentTokens.get(applianceId);
      if (token === null) throw new AgentUnreachableError(`${appliance.name} has no agent yet: provision it first`);
      let connection;
      try {
        connection = await deps.pool.acquire(applianceId);
      } catch (err) {
        throw new AgentUnreachableError(`${appliance.name} cannot be reached: ${describe(err)}`);
      }
      return fn(agentFor(applianceId, appliance.user, connection, token));
    },
    events(opts) {
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
    statuses(ids) {
      const all = deps.status.all().map(toApplianceStatus);
      if (!ids) return all;
      const wanted = new Set(ids);
      return all.filter((s) => wanted.has(s.applianceId));
    },
  };
}
