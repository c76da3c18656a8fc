import type { LinkStatus } from './transport';

export interface EventSocketOptions {
  url: string;
  onMessage(event: string, payload: unknown): void;
  onStatus(status: LinkStatus): void;
  /** Called each time the socket closes unexpectedly, before the reconnect is scheduled. */
  onDrop?(): void;
  /** First and longest wait between reconnect attempts. */
  backoffMs?: { initial: number; max: number };
}

export interface EventSocket {
  /** Opens the socket if it is not open or connecting. */
  start(): void;
  /** Closes for good: no more reconnects. */
  stop(): void;
}

/**
 * The headless host's event stream, `{ event, payload }` JSON messages over one WebSocket, kept
 * open with exponential backoff (plus jitter, so many consoles behind one proxy do not reconnect
 * in lockstep). Reconnects at once when the browser says the network came back.
 */
export function createEventSocket(options: EventSocketOptions): EventSocket {
  const backoff = options.backoffMs ?? { initial: 500, max: 15_000 };
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let stopped = false;

  const onNetworkBack = (): void => {
    if (socket === null && !stopped) connectNow();
  };

  function clearRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  function connectNow(): void {
    clearRetry();
    if (stopped || socket !== null) return;
    options.onStatus('connecting');
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      options.onStatus('online');
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return; // Not ours to interpret; the host only sends JSON.
      }
      if (typeof parsed === 'object' && parsed !== null && 'event' in parsed && typeof parsed.event === 'string') {
        options.onMessage(parsed.event, 'payload' in parsed ? parsed.payload : undefined);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      options.onStatus('offline');
      options.onDrop?.();
      scheduleReconnect();
    };
    // An error is always followed by close; the reconnect is scheduled there.
    ws.onerror = () => {};
  }

  function scheduleReconnect(): void {
    if (stopped || retryTimer !== null) return;
    const base = Math.min(backoff.max, backoff.initial * 2 ** failures);
    const jittered = base * (0.8 + Math.random() * 0.4);
    failures += 1;
    retryTimer = setTimeout(connectNow, jittered);
  }

  return {
    start() {
      if (stopped) return;
      window.addEventListener('online', onNetworkBack);
      if (socket === null && retryTimer === null) connectNow();
    },
    stop() {
      stopped = true;
      clearRetry();
      window.removeEventListener('online', onNetworkBack);
      const ws = socket;
      socket = null;
      ws?.close();
    },
  };
}
