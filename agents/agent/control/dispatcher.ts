import * as z from 'zod/mini';
import { AgentError } from '../../protocol/errors';
import { decodeRequest, errorFrame, httpStatusFor, successFrame, type DecodedRequest, type ResponseFrame } from '../../protocol/frames';
import { AGENT_METHODS, type AgentMethodName, type AgentMethodParams, type AgentMethodResult } from '../../protocol/methods';
import type { Logger } from '../logging/logger';

/** Exactly one handler per protocol method: adding a method without a handler fails the type check. */
export type AgentHandlers = {
  [M in AgentMethodName]: (params: AgentMethodParams<M>) => Promise<AgentMethodResult<M>> | AgentMethodResult<M>;
};

export interface DispatchOutcome {
  status: number;
  frame: ResponseFrame;
}

export type Dispatch = (body: Uint8Array) => Promise<DispatchOutcome>;

function fail(error: AgentError, id: string | undefined): DispatchOutcome {
  return { status: httpStatusFor(error.code), frame: errorFrame(error.toBody(), id) };
}

/**
 * The single path of every request: decode and validate the frame and its params (frames.ts), run
 * the handler, validate its result against the same schema the console uses, and turn any
 * unexpected failure into `internal` without internals (those go to the log).
 */
export function createDispatcher(deps: { handlers: AgentHandlers; maxRequestBytes: number; log: Logger }): Dispatch {
  async function run(request: DecodedRequest): Promise<unknown> {
    // The decoded union pairs each method with its params; TypeScript cannot follow that pairing
    // through an index, so the handler is looked up as a function of the union.
    const handler = deps.handlers[request.method] as (params: DecodedRequest['params']) => unknown;
    return handler(request.params);
  }

  return async (body) => {
    const decoded = decodeRequest(body, deps.maxRequestBytes);
    if (!decoded.ok) {
      deps.log.info('control.rejected', { code: decoded.error.code, msg: decoded.error.message });
      return fail(decoded.error, decoded.id);
    }
    const { method, id } = decoded.request;
    const started = performance.now();
    try {
      const raw = await run(decoded.request);
      const schema: z.ZodMiniType = AGENT_METHODS[method].result;
      const result = schema.safeParse(raw);
      if (!result.success) {
        deps.log.error('control.invalid-result', { method, msg: z.prettifyError(result.error) });
        return fail(new AgentError('internal', `The agent produced an invalid ${method} result; see the agent log`), id);
      }
      deps.log.debug('control.call', { method, ms: Math.round(performance.now() - started) });
      return { status: 200, frame: successFrame(method, result.data, id) };
    } catch (err) {
      if (err instanceof AgentError) return fail(err, id);
      deps.log.error('control.handler-failed', { method, error: err as Error });
      return fail(new AgentError('internal', `${method} failed on the agent; see the agent log`), id);
    }
  };
}
