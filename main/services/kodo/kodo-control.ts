import * as z from 'zod/mini';
import { KODO_CONTROL_METHODS, KODO_SERVICE_ID, type KodoControlMethodName, type KodoControlMethods } from '../../../agents/protocol/services/kodo';
import { ApiError } from '../../contract/errors';
import type { Reach } from '../../reach/reach';
import { callAgent } from '../agent-call';

/**
 * One of Kodo's own control methods on an appliance: `service-call.v1 { service: 'kodo', method,
 * params }` through the one way to the agent (callAgent maps an unreachable machine, an old agent,
 * a Kodo the agent does not have). The answer is checked against Kodo's schema here too, so a
 * mismatched agent cannot hand the console a shape it does not expect; a refusal by Kodo or by the
 * agent on its behalf becomes an API error whose `params.reason` the UI words
 * (`status.reason.kodo.*`, renderer/src/i18n/<locale>/kodo.ts).
 */

/** Kodo's refusals the console words; any other `kodo.*` code is `kodo.refused` with Kodo's message. */
export const KODO_REFUSALS = {
  // The control API's own (agents/services/kodo/server/kodo-runtime.ts).
  'kodo.not-initialized': 'conflict',
  'kodo.already-initialized': 'conflict',
  'kodo.layout-needs-disks': 'invalid-input',
  'kodo.store-unavailable': 'conflict',
  'kodo.not-supported': 'conflict',
  // The store's (StoreError codes, kebab-cased by control-api.ts).
  'kodo.invalid-layout': 'invalid-input',
  'kodo.no-such-bucket': 'not-found',
  'kodo.no-such-key': 'not-found',
  'kodo.bucket-already-exists': 'conflict',
  'kodo.bucket-not-empty': 'conflict',
  'kodo.invalid-bucket-name': 'invalid-input',
  'kodo.invalid-key': 'invalid-input',
  'kodo.read-quorum': 'conflict',
  'kodo.write-quorum': 'conflict',
  'kodo.storage-full': 'conflict',
  'kodo.disk-format': 'conflict',
} as const;
/** The agent's codes for a service that could not answer (agents/protocol/payloads/services.ts), as Kodo's reasons. */
const AGENT_REFUSALS: Record<string, string> = {
  'service.not-running': 'kodo.not-running',
  'service.unanswered': 'kodo.unanswered',
  'service.bad-answer': 'kodo.bad-answer',
  'service.invalid-config': 'kodo.invalid-config',
};

/** The reason code (status.reason.<code>) for a refusal code from service-call.v1. */
export function refusalReason(code: string): string {
  if (code in AGENT_REFUSALS) return AGENT_REFUSALS[code]!;
  if (code in KODO_REFUSALS) return code;
  return 'kodo.refused';
}

export type KodoParams<M extends KodoControlMethodName> = z.input<KodoControlMethods[M]['params']>;
export type KodoResult<M extends KodoControlMethodName> = z.output<KodoControlMethods[M]['result']>;

export interface KodoControlDeps {
  reach: Pick<Reach, 'withAgent'>;
}

export function createKodoControl(deps: KodoControlDeps) {
  return async function callKodo<M extends KodoControlMethodName>(applianceId: string, applianceName: string, method: M, params: KodoParams<M>): Promise<KodoResult<M>> {
    const subject = { what: 'its object store (Kodo)', params: { service: KODO_SERVICE_ID } };
    const answer = await callAgent(applianceName, subject, () =>
      deps.reach.withAgent(applianceId, (agent) => agent.call('service-call.v1', { service: KODO_SERVICE_ID, method, params: params as Record<string, unknown> })),
    );
    if (!answer.ok) {
      const reason = refusalReason(answer.error.code);
      const apiCode = (KODO_REFUSALS as Record<string, 'conflict' | 'invalid-input' | 'not-found'>)[reason] ?? 'conflict';
      throw new ApiError(apiCode, `Kodo on ${applianceName} refused ${method}: ${answer.error.message}`, {
        params: { reason, code: answer.error.code, detail: answer.error.message, service: KODO_SERVICE_ID },
      });
    }
    const parsed = KODO_CONTROL_METHODS[method].result.safeParse(answer.result);
    if (!parsed.success) {
      throw new ApiError('conflict', `Kodo on ${applianceName} answered ${method} in a shape this console does not know (${z.prettifyError(parsed.error).replace(/\n/g, ' ').slice(0, 300)}): upgrade the agent or the console so they match`, {
        params: { reason: 'kodo.bad-answer', code: 'service.bad-answer', detail: method, service: KODO_SERVICE_ID },
      });
    }
    return parsed.data as KodoResult<M>;
  };
}
export type CallKodo = ReturnType<typeof createKodoControl>;
