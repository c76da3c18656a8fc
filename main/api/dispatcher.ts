import { apiMethods, isMethodName, type MethodName } from '../contract/api.contract';
import type { MethodSpec } from '../contract/define';
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

/** An audit row's input is a record of what was asked, not a dump: long values are cut. */
const MAX_AUDIT_INPUT_CHARS = 4096;

/** The audit target: the record a call is about, when it names one (`id`, else `applianceId`). */
function targetOf(...candidates: unknown[]): string | null {
  for (const key of ['id', 'applianceId']) {
    for (const v of candidates) {
      if (v && typeof v === 'object' && key in v && typeof (v as Record<string, unknown>)[key] === 'string') return (v as Record<string, string>)[key]!;
    }
  }
  return null;
}

function boundedForAudit(value: unknown): unknown {
  const text = JSON.stringify(value) ?? 'null';
  return text.length <= MAX_AUDIT_INPUT_CHARS ? value : { truncated: true, preview: text.slice(0, MAX_AUDIT_INPUT_CHARS) };
}

/** `ok`, `error` (the call was refused) or `failed` (taken, but the operation it started failed). */
function auditResult(spec: MethodSpec, outcome: CallResult<unknown>): { result: 'ok' | 'error' | 'failed'; errorCode: string | null } {
  if (!outcome.ok) return { result: 'error', errorCode: outcome.error.code };
  const failure = spec.failureOf?.(outcome.result) ?? null;
  return failure === null ? { result: 'ok', errorCode: null } : { result: 'failed', errorCode: failure };
}

/**
 * The one place every call passes through, whatever the transport: look the method up, validate
 * the input, run the handler, validate the output, audit mutating calls, and turn every failure
 * into a typed error. Nothing thrown here escapes to a transport.
 *
 * The audit log records the *validated* input (secrets redacted). Input that failed validation is
 * recorded only as the fields and reasons it failed on: a misspelt `pasword` field must not carry
 * its value into the log.
 */
export function createDispatcher(deps: { handlers: Handlers; audit: AuditStore; clock: Clock; log: Logger }): Dispatcher {
  return {
    async call(method, input, ctx) {
      if (!isMethodName(method)) {
        return { ok: false, error: new ApiError('unknown-method', `Unknown method: ${String(method).slice(0, 100)}`).toBody() };
      }
      const spec = apiMethods[method as MethodName];
      let parsed: unknown;
      let outcome: CallResult<unknown>;
      try {
        parsed = parseOrThrow(spec.input, input ?? {}, `input for ${method}`);
        const handler = deps.handlers[method] as (i: unknown, c: CallContext) => unknown;
        const result = await handler(parsed, ctx);
        const checked = spec.output.safeParse(result);
        if (!checked.success) {
          // A handler broke its own contract: a bug, reported as `internal` without internals.
          deps.log.error('handler returned output that breaks the contract', { method, issues: checked.error.issues.slice(0, 5) });
          throw new ApiError('internal', `The console failed to complete ${method}; see the console log`);
        }
        outcome = { ok: true, result: checked.data };
      } catch (err) {
        const apiErr = err instanceof ApiError ? err : new ApiError('internal', `The console failed to complete ${method}; see the console log`);
        if (!(err instanceof ApiError)) deps.log.error('handler failed', { method, error: err instanceof Error ? err.message : String(err) });
        outcome = { ok: false, error: apiErr.toBody() };
      }
      if (spec.mutating) {
        const recorded =
          parsed !== undefined
            ? redactSecrets(parsed)
            : { invalid: (outcome.ok ? [] : (outcome.error.issues ?? [])).map((i) => ({ path: i.path, code: i.code })) };
        try {
          deps.audit.append({
            at: deps.clock.now().toISOString(),
            host: ctx.host,
            actor: ctx.actor,
            method,
            target: targetOf(parsed, outcome.ok ? outcome.result : undefined),
            input: boundedForAudit(recorded),
            ...auditResult(spec, outcome),
          });
        } catch (err) {
          deps.log.error('audit write failed', { method, error: String(err) });
        }
      }
      return outcome;
    },
  };
}
