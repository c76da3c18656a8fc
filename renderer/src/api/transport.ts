import type { ConsoleBridge } from '../../../main/contract/transport';
import type { ValueStore } from './value-store';

/** Whether live events are reaching us. The desktop bridge is always `online`. */
export type LinkStatus = 'connecting' | 'online' | 'offline';
/** `expired` once the headless host answered 401: only a new login URL helps then. */
export type SessionStatus = 'active' | 'expired';

/** One way of reaching a host: the bridge itself plus the state the shell shows about it. */
export interface Transport {
  kind: 'desktop' | 'http';
  bridge: ConsoleBridge;
  link: ValueStore<LinkStatus>;
  session: ValueStore<SessionStatus>;
  /** Stops sockets and timers (tests, hot reload). */
  close(): void;
}

/**
 * A failure to reach the host at all (network down, host stopped, proxy page instead of JSON).
 * Distinct from ApiError, which is the host answering "no".
 */
export class TransportError extends Error {
  readonly reason: 'unreachable' | 'bad-response';

  constructor(reason: 'unreachable' | 'bad-response', message: string) {
    super(message);
    this.name = 'TransportError';
    this.reason = reason;
  }
}
