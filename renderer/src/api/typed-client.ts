import type { ApiEvents, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../../main/contract/api.contract';
import { ApiError, isApiErrorBody } from '../../../main/contract/errors';
import type { ConsoleBridge, TypedClient } from '../../../main/contract/transport';

/**
 * The typed face of a bridge: `{ok:false}` becomes a thrown ApiError so react-query sees a
 * failure. Results are not re-validated here: both hosts validate every output against the
 * contract before sending it, and re-parsing 1,000 appliances on each refetch costs frames.
 * Events are small and arrive unprompted, so those are checked against their schema. The
 * schemas (and zod) load on the first event rather than with the shell; the chained promise keeps
 * events in arrival order meanwhile.
 */
export function createTypedClient(bridge: ConsoleBridge): TypedClient {
  let eventSchemas: Promise<ApiEvents> | null = null;
  const loadEventSchemas = (): Promise<ApiEvents> =>
    (eventSchemas ??= import('../../../main/contract/api.contract').then((contract) => contract.apiEvents));

  return {
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const answer = await bridge.invoke(method, input);
      if (answer.ok) return answer.result as MethodOutput<M>;
      const body = answer.error;
      throw isApiErrorBody(body) ? ApiError.fromBody(body) : new ApiError('internal', 'Malformed error from the console host');
    },

    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.subscribe((name, payload) => {
        if (name !== event) return;
        void loadEventSchemas().then((schemas) => {
          const parsed = schemas[event].safeParse(payload);
          if (parsed.success) listener(parsed.data as EventPayload<E>);
          else console.warn(`Ignoring malformed ${event} event`, parsed.error.issues);
        });
      });
    },
  };
}
