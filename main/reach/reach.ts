import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { AgentClient } from '../../agents/client/agent-client';
import { formatEndpoint } from '../contract/network-address';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { ConnectOptions, ConnectOutcome, SshTarget } from '../ssh/ssh-connect';
import type { SshFailure } from '../ssh/ssh-failure';
import type { AgentTokenStore } from '../store/agent-token-store';
import type { ApplianceStore } from '../store/appliance-store';
import type { CredentialStore } from '../store/credential-store';
import { agentClientOver } from './agent-link';
import { hostKeyChangedFailure, type HostKeyTrust } from './host-key-trust';
import { machineAccessFromStore, refusal, type AccessResult, type MachineAccess } from './machine-access';
import type { SshEdge } from './ssh-edge';
import { openTcpOver } from './tcp-link';
import { createSshPool, SshUnavailableError } from './ssh-pool';

export type { MachineAccess, AccessResult } from './machine-access';
export { refusal } from './machine-access';
export { SshUnavailableError } from './ssh-pool';

/** The machine or its agent cannot be reached for a person's request (the API answers `conflict`). */
export class AgentUnreachableError extends Error {
  override name = 'AgentUnreachableError';
  constructor(
    message: string,
    /** `agent.not-installed`, or the SSH failure code as `ssh.<code>`. */
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export interface DialOptions {
  timeoutMs?: number;
  keepaliveMs?: number;
  /** Only to read the key a machine presents (accepting a host key): no credential is sent. */
  keyOnly?: boolean;
  /**
   * Dial even though a connection saw the host key change (the connection test: it stops at the
   * key, before any credential, and shows the key presented now). Everything else is refused.
   */
  evenIfKeyChanged?: boolean;
}

/**
 * The one way the console reaches a machine. Provisioning, preflight, the connection test,
 * accepting a host key, the fleet watch, monitoring and every service's actions go through it:
 *
 * - `access(id)`: the login assembled from the store (address, port, user, credential, sudo
 *   password, accepted keys), with one mapping of what makes it unusable;
 * - `dial(access)`: a connection for one run, through the injected SSH edge; a changed host key
 *   seen here is recorded in `trust` for every connection of this console;
 * - `connection(id)` / `agent(id)`: the appliance's pooled connection and its agent session
 *   (token from the store, socket forwarding for root, the sudo bridge otherwise);
 * - a changed key — seen by this process or recorded by another one — closes the pooled
 *   connection at once, and nothing dials the endpoint again until a person accepts the new key.
 */
export interface Reach {
  access(applianceId: string): AccessResult;
  dial(access: Pick<MachineAccess, 'target' | 'credential' | 'trustedKeys'>, opts?: DialOptions): Promise<ConnectOutcome>;
  connection(applianceId: string): Promise<Client>;
  /** The open pooled connection, without dialling. */
  peekConnection(applianceId: string): Client | null;
  /** The agent over the pooled connection; AgentUnreachableError when there is none to reach. */
  agent(applianceId: string): Promise<AgentClient>;
  withAgent<T>(applianceId: string, fn: (agent: AgentClient) => Promise<T>): Promise<T>;
  /**
   * A TCP connection to a port on the appliance (a service's own protocol: Kodo's S3), tunnelled
   * through the pooled SSH connection (tcp-link.ts); AgentUnreachableError when the machine
   * cannot be reached.
   */
  tcp(applianceId: string, port: number): Promise<Duplex>;
  /** Whether this console installed an agent there (it holds its token). */
  hasAgent(applianceId: string): boolean;
  /** Closes the appliance's pooled connection and forgets its backoff (settings changed, removed, key changed). */
  forget(applianceId: string): void;
  closeAll(): void;
  pooledConnections(): number;
  trust: HostKeyTrust;
}

export interface ReachDeps {
  appliances: Pick<ApplianceStore, 'get' | 'list'>;
  credentials: Pick<CredentialStore, 'getLogin' | 'getSudoPassword'>;
  agentTokens: Pick<AgentTokenStore, 'get' | 'isInstalled'>;
  trust: HostKeyTrust;
  edge: SshEdge;
  clock: Clock;
  log: Logger;
  keepaliveMs?: number;
  initialBackoffMs?: number;
  agentTimeoutMs?: number;
}

export function createReach(deps: ReachDeps): Reach {
  const log = deps.log.child('reach');
  const access = machineAccessFromStore({ appliances: deps.appliances, credentials: deps.credentials, trust: deps.trust });
  const agentTimeoutMs = deps.agentTimeoutMs ?? 10_000;

  async function dial(target: { target: SshTarget; credential: MachineAccess['credential']; trustedKeys: MachineAccess['trustedKeys'] }, opts: DialOptions = {}): Promise<ConnectOutcome> {
    const changed = deps.trust.changed(target.target.address, target.target.port);
    if (changed && !opts.keyOnly && !opts.evenIfKeyChanged) return { ok: false, failure: hostKeyChangedFailure(changed) };
    const keyOnly = opts.keyOnly === true || target.trustedKeys.length === 0;
    const connect: ConnectOptions = {
      target: target.target,
      // A key no person accepted yet: dial to show it, and send nothing that could be captured.
      credential: keyOnly ? null : target.credential,
      trustedKeys: opts.keyOnly ? [] : target.trustedKeys,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.keepaliveMs !== undefined ? { keepaliveMs: opts.keepaliveMs } : {}),
    };
    const outcome = await deps.edge.connect(connect);
    if (outcome.hostKey && !opts.keyOnly) deps.trust.observe(target.target.address, target.target.port, outcome.hostKey);
    return outcome;
  }

  const pool = createSshPool({
    resolve: (id) => {
      const r = access(id);
      if (!r.ok) return { unavailable: r.failure };
      const refused = refusal(r.access);
      if (refused) return { unavailable: refused };
      return { target: r.access.target, credential: r.access.trustedKeys.length ? r.access.credential : null, trustedKeys: r.access.trustedKeys };
    },
    connect: (opts) => dial(opts, opts.keepaliveMs !== undefined ? { keepaliveMs: opts.keepaliveMs } : {}),
    clock: deps.clock,
    log: deps.log,
    ...(deps.keepaliveMs !== undefined ? { keepaliveMs: deps.keepaliveMs } : {}),
    ...(deps.initialBackoffMs !== undefined ? { initialBackoffMs: deps.initialBackoffMs } : {}),
  });

  /** One agent client per pooled connection: its `hello` session lives as long as the connection. */
  const agents = new WeakMap<Client, AgentClient>();

  // A key changed (seen here, or recorded by the CLI): every appliance at that endpoint loses its
  // connection now, not at its next dial: the old session may still be open and working.
  deps.trust.onChange((address, port) => {
    for (const a of deps.appliances.list()) {
      if (a.address.toLowerCase() === address.toLowerCase() && a.port === port) {
        log.warn('closing the connection of an appliance whose host key changed', { applianceId: a.id, endpoint: formatEndpoint(address, port) });
        pool.drop(a.id);
      }
    }
  });

  function unreachable(name: string, err: unknown): AgentUnreachableError {
    if (err instanceof SshUnavailableError) return new AgentUnreachableError(`${name} cannot be reached: ${err.failure.message}`, `ssh.${err.failure.code}`, { ...err.failure.params });
    const message = err instanceof Error ? err.message : String(err);
    return new AgentUnreachableError(`${name} cannot be reached: ${message}`, 'ssh.protocol-error', { detail: message });
  }

  async function connection(id: string): Promise<Client> {
    const a = deps.appliances.get(id);
    // Checked before the pool hands out a connection it already holds: another process may have
    // recorded a changed key since (the store's change watcher calls trust.refresh(), too).
    const changed = a ? deps.trust.changed(a.address, a.port) : null;
    if (changed) {
      pool.drop(id);
      throw new SshUnavailableError(hostKeyChangedFailure(changed), null);
    }
    return pool.acquire(id);
  }

  async function agent(id: string): Promise<AgentClient> {
    const a = deps.appliances.get(id);
    if (!a) throw new AgentUnreachableError(`appliance ${id} does not exist`, 'ssh.protocol-error');
    const token = deps.agentTokens.get(id);
    if (token === null) throw new AgentUnreachableError(`${a.name} has no agent yet: provision it first`, 'agent.not-installed', { name: a.name });
    let client: Client;
    try {
      client = await connection(id);
    } catch (err) {
      throw unreachable(a.name, err);
    }
    let session = agents.get(client);
    if (!session) {
      const sudoPassword = a.user === 'root' ? null : deps.credentials.getSudoPassword(id);
      session = agentClientOver(client, { user: a.user, sudoPassword, token, timeoutMs: agentTimeoutMs, onAnswer: () => pool.heard(id) });
      agents.set(client, session);
    }
    return session;
  }

  return {
    access,
    dial,
    connection,
    peekConnection: (id) => pool.peek(id),
    agent,
    async withAgent(id, fn) {
      return fn(await agent(id));
    },
    async tcp(id, port) {
      const a = deps.appliances.get(id);
      if (!a) throw new AgentUnreachableError(`appliance ${id} does not exist`, 'ssh.protocol-error');
      let client: Client;
      try {
        client = await connection(id);
      } catch (err) {
        throw unreachable(a.name, err);
      }
      try {
        return await openTcpOver(client, { address: a.address, port, timeoutMs: agentTimeoutMs });
      } catch (err) {
        throw unreachable(a.name, err);
      }
    },
    hasAgent: (id) => deps.agentTokens.isInstalled(id),
    forget: (id) => pool.drop(id),
    closeAll: () => pool.closeAll(),
    pooledConnections: () => pool.size(),
    trust: deps.trust,
  };
}

/** The failure a refused access carries, as a status reason code. */
export function reasonOf(failure: SshFailure): { code: string; params: Record<string, string | number> } {
  return { code: `ssh.${failure.code}`, params: { ...failure.params } };
}
