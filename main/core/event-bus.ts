import { apiEvents, type EventName, type EventPayload } from '../contract/api.contract';

export type EventListener = (event: EventName, payload: unknown) => void;

/** In-process fan-out of contract events to every connected transport (IPC windows, WebSockets). */
export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  subscribe(listener: EventListener): () => void;
}

export interface EventBusOptions {
  /** One broken subscriber must not stop the others: its error is reported here. */
  onListenerError?: (err: unknown) => void;
  /** A payload that breaks its event's schema: a bug in the emitter, reported here and not delivered. */
  onInvalidEvent?: (event: EventName, issues: { path: string; message: string }[]) => void;
}

/**
 * Every event is checked against its schema in the contract before it is delivered, as every call's
 * input and output are (main/api/dispatcher.ts): a service cannot push a field the contract does not
 * declare (a credential, say) to an open UI, and a UI never receives a payload its types do not
 * describe. The renderer checks again on arrival (renderer/src/api/typed-client.ts).
 */
export function createEventBus(opts: EventBusOptions = {}): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      const checked = apiEvents[event].safeParse(payload);
      if (!checked.success) {
        opts.onInvalidEvent?.(event, checked.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })));
        return;
      }
      for (const l of [...listeners]) {
        try {
          l(event, checked.data);
        } catch (err) {
          opts.onListenerError?.(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
