import { apiMethods, isMethodName, type MethodName } from '../contract/api.contract';
import { ApiError } from '../contract/errors';
import { redactSecrets } from '../contract/redact';
import type { CallResult } from '../contract/transport';
import { parseOrThrow } from '../contract/validate';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { AuditStore } from '../store/audit-store';
import type { CallContext, Handlers } from './handlers';

export interface Dispatcher {
  call(method: string, input: unknown, ctx: CallContext): Promise<CallResult<unknown>>;
}

/** The audit target: the record a call is about, when it names one. */
function targetOf(input: unknown, result: unknown): string | null {
  for (const v of [input, result]) {
    if (v && typeof v === 'object' && 'id' in v && typeof (v as { id: unknown }).id === 'string') return (v as { id: string }).id;
  }
  return null;
}

/**
 * The one place every call passes through, whatever the transport: look the method up, validate
 * the input, run the handler, validate the output, audit mutating calls, and turn every failure
 * into a typed error. Nothing thrown here escapes to a transport.
 */
export function createDispatcher(deps: { handlers: Handlers; audit: AuditStore; clock: Clock; log: Logger }): Dispatcher {
  async function run(method: MethodName, input: unknown, ctx: CallContext): Promise<unknown> {
    const spec = apiMethods[method];
    const parsed = parseOrThrow(spec.input, input ?? {}, `input for ${method}`);
    const handler = deps.handlers[method] as (i: unknown, c: CallContext) => unknown;
    const result = await handler(parsed, ctx);
    const checked = spec.output.safeParse(result);
    if (!checked.success) {
      // A handler broke its own contract: a bug, reported as `internal` without internals.
      deps.log.error('handler returned output that breaks the contract', { method, issues: checked.error.issues.slice(0, 5) });
      throw new ApiError('internal', `The console failed to complete ${method}; see the console log`);
    }
    return checked.data;
  }

  return {
    async call(method, input, ctx) {
      if (!isMethodName(method)) {
        return { ok: false, error: new ApiError('unknown-method', `Unknown method: ${String(method).slice(0, 100)}`).toBody() };
      }
      const mutating = apiMethods[method].mutating;
      let outcome: CallResult<unknown>;
      try {
        outcome = { ok: true, result: await run(method, input, ctx) };
      } catch (err) {
        const apiErr =
          err instanceof ApiError ? err : new ApiError('internal', `The console failed to complete ${method}; see the console log`);
        if (!(err instanceof ApiError)) deps.log.error('handler failed', { method, error: err instanceof Error ? err.stack : String(err) });
        outcome = { ok: false, error: apiErr.toBody() };
      }
      if (mutating) {
        try {
          deps.audit.append({
            at: deps.clock.now().toISOString(),
            host: ctx.host,
            actor: ctx.actor,
            method,
            target: targetOf(input, outcome.ok ? outcome.result : undefined),
            input: redactSecrets(input ?? null),
            result: outcome.ok ? 'ok' : 'error',
            errorCode: outcome.ok ? null : outcome.error.code,
          });
        } catch (err) {
          deps.log.error('audit write failed', { method, error: String(err) });
        }
      }
      return outcome;
    },
  };
}
