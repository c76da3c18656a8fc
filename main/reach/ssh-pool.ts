import type { Client } from 'ssh2';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { SshFailure } from '../ssh/ssh-failure';
import type { ConnectOptions, ConnectOutcome } from '../ssh/ssh-connect';

/**
 * One SSH connection per appliance, kept open and shared by everything that talks to it (status
 * checks, agent calls, metric collection), as Cockpit and cephadm do: a check every 10 s must not
 * pay a key exchange and a login each time, nor fill the appliance's auth log.
 *
 * - Keepalive: ssh2 sends SSH keepalives (every `keepaliveMs`, 3 missed = dead), so a silently
 *   dropped link (cable, NAT timeout) is noticed and closed within about 3 × keepaliveMs. An agent
 *   answer proves the link as well as a keepalive reply does (`heard`): it restarts the keepalive
 *   timer, so a connection the watch uses every 10 s sends none (15 s > a round), and one left
 *   idle is still probed. A keepalive was a second SSH packet each way per appliance per round
 *   beside the round's one request (`npm run bench -- fleet`).
 * - Reconnect: a closed connection is forgotten; the next `acquire` dials again, but not sooner than
 *   the backoff allows (1 s doubling to 60 s after consecutive failures, with jitter so a fleet that
 *   came back does not reconnect in lockstep). Within the backoff `acquire` fails fast with the
 *   last failure: an unreachable appliance costs nothing between attempts.
 * - Single flight: concurrent `acquire`s of one appliance share one dial.
 * - What to dial is looked up on each dial (`resolve`), so an edited address, credential or newly
 *   accepted host key applies to the next connection; `drop` closes the current one at once.
 * - Closing never waits on the network: `drop` sends the SSH disconnect and destroys the socket if
 *   the peer has not closed it within CLOSE_GRACE_MS. Over a dead link a polite close would hold
 *   the socket (and a stopping `serve`, whose event loop it keeps alive) for TCP's retry timeouts.
 */
export type PoolTarget = Omit<ConnectOptions, 'keepaliveMs'>;

export class SshUnavailableError extends Error {
  constructor(
    readonly failure: SshFailure,
    /** When the pool will dial again (ms since epoch); null when it will on the next acquire. */
    readonly retryAt: number | null,
  ) {
    super(failure.message);
    this.name = 'SshUnavailableError';
  }
}

interface Entry {
  client: Client | null;
  /** Closes `client` for certain (ConnectOutcome.close); a no-op while there is none. */
  close: () => void;
  dialing: Promise<Client> | null;
  failures: number;
  lastFailure: SshFailure | null;
  retryAt: number;
  /** Bumped by `drop`, so a dial that finishes after it closes its result instead of keeping it. */
  generation: number;
}

export interface SshPoolOptions {
  /** What to dial for an appliance, or why there is nothing to dial (the message says why). */
  resolve(applianceId: string): PoolTarget | { unavailable: SshFailure };
  /** Dials (the reach module's edge, which also records a changed host key). */
  connect(opts: ConnectOptions): Promise<ConnectOutcome>;
  clock: Clock;
  log: Logger;
  keepaliveMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

export interface SshPool {
  acquire(applianceId: string): Promise<Client>;
  /** Closes the appliance's connection and forgets its backoff (its settings changed, or it was removed). */
  drop(applianceId: string): void;
  /** The connection if one is open now; never dials. */
  peek(applianceId: string): Client | null;
  /** Something arrived over the appliance's connection just now (an agent answered): its keepalive can wait. */
  heard(applianceId: string): void;
  size(): number;
  closeAll(): void;
}

/** Longer than a watch round (10 s): a watched connection's answers always come before its keepalive is due. */
export const KEEPALIVE_MS = 15_000;

/**
 * ssh2 restarts its keepalive timer only on replies to channel requests; `_resetKA` (ssh2 1.x,
 * set when the connection is made) is that restart. Without it (another ssh2), keepalives simply
 * go on at their interval.
 */
function restartKeepalive(client: Client): void {
  const restart = (client as Client & { _resetKA?: unknown })._resetKA;
  if (typeof restart === 'function') (restart as () => void).call(client);
}

export function createSshPool(opts: SshPoolOptions): SshPool {
  const entries = new Map<string, Entry>();
  const keepaliveMs = opts.keepaliveMs ?? KEEPALIVE_MS;
  const initial = opts.initialBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const log = opts.log.child('ssh-pool');
  const now = () => opts.clock.now().getTime();

  const entryOf = (id: string): Entry => {
    let e = entries.get(id);
    if (!e) {
      e = { client: null, close: () => {}, dialing: null, failures: 0, lastFailure: null, retryAt: 0, generation: 0 };
      entries.set(id, e);
    }
    return e;
  };

  async function connect(id: string, e: Entry): Promise<Client> {
    const generation = e.generation;
    const target = opts.resolve(id);
    // Nothing to dial (host key changed, unreadable login): no backoff, the store is asked again next time.
    if ('unavailable' in target) throw new SshUnavailableError(target.unavailable, null);
    const outcome: ConnectOutcome = await opts.connect({ ...target, keepaliveMs });
    if (!outcome.ok) {
      // Reported even when the entry was dropped meanwhile: a dial that met a changed host key
      // drops it itself (the trust listener), and the person must see that reason.
      e.failures += 1;
      e.lastFailure = outcome.failure;
      // Full jitter on the upper half: spread, but never sooner than half the nominal delay.
      const nominal = Math.min(max, initial * 2 ** (e.failures - 1));
      e.retryAt = now() + nominal / 2 + (random() * nominal) / 2;
      // Host key and credential problems need a person; retrying faster would not help either way.
      throw new SshUnavailableError(outcome.failure, e.retryAt);
    }
    if (generation !== e.generation) {
      outcome.close();
      throw new SshUnavailableError({ code: 'protocol-error', message: 'the connection was closed while it was being opened (the appliance was changed or removed)' }, null);
    }
    const client = outcome.client;
    e.client = client;
    e.close = outcome.close;
    e.failures = 0;
    e.lastFailure = null;
    e.retryAt = 0;
    const forget = () => {
      if (e.client === client) e.client = null;
    };
    client.on('close', forget);
    // After `ready`, errors (keepalive timeout, reset) are followed by `close`; log them once here.
    client.on('error', (err: Error) => log.info('connection lost', { applianceId: id, error: err.message }));
    log.info('connected', { applianceId: id, latencyMs: Math.round(outcome.latencyMs) });
    return client;
  }

  return {
    acquire(id) {
      const e = entryOf(id);
      if (e.client) return Promise.resolve(e.client);
      if (e.dialing) return e.dialing;
      if (e.lastFailure && now() < e.retryAt) return Promise.reject(new SshUnavailableError(e.lastFailure, e.retryAt));
      const dialing = connect(id, e).finally(() => {
        if (e.dialing === dialing) e.dialing = null;
      });
      e.dialing = dialing;
      return dialing;
    },
    drop(id) {
      const e = entries.get(id);
      if (!e) return;
      e.generation += 1;
      e.close();
      entries.delete(id);
    },
    peek: (id) => entries.get(id)?.client ?? null,
    heard(id) {
      const client = entries.get(id)?.client;
      if (client) restartKeepalive(client);
    },
    size: () => [...entries.values()].filter((e) => e.client).length,
    closeAll() {
      for (const id of [...entries.keys()]) this.drop(id);
    },
  };
}
