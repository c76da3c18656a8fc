import { isApiErrorBody } from '../../../main/contract/errors';
import { HTTP_PATHS, type CallResult, type ConsoleBridge } from '../../../main/contract/transport';
import { createEventSocket } from './event-socket';
import { TransportError, type LinkStatus, type SessionStatus, type Transport } from './transport';
import { createValueStore } from './value-store';

function isCallResult(body: unknown): body is CallResult<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  if (body.ok === true) return 'result' in body;
  return body.ok === false && 'error' in body && isApiErrorBody(body.error);
}

function eventsUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${HTTP_PATHS.events}`;
}

/**
 * The headless host's transport: POST /api/call/<method> for calls, a WebSocket for events.
 * Authentication is the HttpOnly session cookie the login URL set, so nothing secret is ever
 * visible to this code. Any 401 marks the session expired for good: the shell then asks for a
 * fresh login URL instead of retrying.
 */
export function createHttpTransport(location: Location = window.location): Transport {
  const link = createValueStore<LinkStatus>('connecting');
  const session = createValueStore<SessionStatus>('active');
  const listeners = new Set<(event: string, payload: unknown) => void>();

  async function invoke(method: string, input: unknown): Promise<CallResult<unknown>> {
    let response: Response;
    try {
      response = await fetch(HTTP_PATHS.call + encodeURIComponent(method), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (cause) {
      throw new TransportError('unreachable', `Cannot reach the console host: ${String(cause)}`);
    }
    if (response.status === 401) expireSession();
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isCallResult(body)) return body;
    if (response.status === 401) return { ok: false, error: { code: 'unauthorized', message: 'The session has expired' } };
    throw new TransportError('bad-response', `Unexpected answer from the console host (HTTP ${response.status})`);
  }

  const socket = createEventSocket({
    url: eventsUrl(location),
    onStatus: (status) => link.set(status),
    onMessage: (event, payload) => {
      for (const listener of [...listeners]) listener(event, payload);
    },
    // A browser never sees why a WebSocket upgrade failed; one cheap call tells an expired
    // session (401, handled in invoke) from a host that is merely down.
    onDrop: () => {
      if (session.get() === 'active') invoke('settings.get', {}).catch(() => undefined);
    },
  });

  function expireSession(): void {
    session.set('expired');
    socket.stop();
    link.set('offline');
  }

  const bridge: ConsoleBridge = {
    invoke,
    subscribe(listener) {
      listeners.add(listener);
      socket.start();
      return () => listeners.delete(listener);
    },
  };

  return { kind: 'http', bridge, link, session, close: () => socket.stop() };
}
