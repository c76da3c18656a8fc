import type { ApiErrorBody } from './errors';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './api.contract';

/**
 * What every transport carries. Results are wrapped (never thrown across the boundary) so IPC,
 * HTTP and the CLI deliver identical, typed errors.
 */
export type CallResult<T> = { ok: true; result: T } | { ok: false; error: ApiErrorBody };

/** The single surface preload exposes and the browser client implements. */
export interface ConsoleBridge {
  invoke(method: string, input: unknown): Promise<CallResult<unknown>>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** The typed view of a bridge that the renderer's hooks use. */
export interface TypedClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** HTTP paths of the headless host. */
export const HTTP_PATHS = {
  call: '/api/call/', // POST /api/call/<method> with a JSON body
  events: '/api/events', // WebSocket
  login: '/login', // GET /login?token=… sets the session cookie
} as const;

export const SESSION_COOKIE = 'ac_session';

/** Electron IPC channels (preload bundles this constant; it cannot load main's modules at run time). */
export const IPC_CHANNELS = { invoke: 'console:invoke', event: 'console:event' } as const;
