import type { EventBus } from '../../main/core/event-bus';

/**
 * Every event the console emits from now on, as the JSON a transport would carry (the WebSocket
 * and IPC send `{ event, payload }`), so a test can search what reached the UI.
 */
export function recordEvents(bus: EventBus): { texts(): string[]; stop(): void } {
  const seen: string[] = [];
  const stop = bus.subscribe((event, payload) => seen.push(JSON.stringify({ event, payload })));
  return { texts: () => [...seen], stop };
}
