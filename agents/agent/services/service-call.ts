import * as z from 'zod/mini';
import { AgentError, toAgentIssues } from '../../protocol/errors';
import type { ServiceCallResult } from '../../protocol/payloads/services';
import type { ServiceContext, ServiceControlSpec } from '../../services/service-module';
import { unixSocketJson } from '../../services/unix-socket-json';

/**
 * service-call.v1: a module's own control method, forwarded to the running service over its Unix
 * socket (`POST /control/<method>`, JSON both ways). The agent checks the params before anything
 * reaches the service and the answer before anything reaches the console, so a service's bug
 * cannot put a malformed payload on the wire. A refusal by the service is an answer with its code.
 */

const DEFAULT_TIMEOUT_MS = 30_000;
/** A control answer larger than this is a bug in the service, not a listing: listings page. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export async function callServiceControl(args: {
  serviceId: string;
  control: ServiceControlSpec<Record<string, unknown>>;
  config: Record<string, unknown>;
  ctx: ServiceContext;
  method: string;
  params: Record<string, unknown>;
}): Promise<ServiceCallResult> {
  const { serviceId, control, method } = args;
  const spec = Object.prototype.hasOwnProperty.call(control.methods, method) ? control.methods[method] : undefined;
  if (!spec) {
    const known = Object.keys(control.methods).join(', ');
    throw new AgentError('invalid-input', `${serviceId} has no control method "${method}" (it has ${known})`, {
      issues: [{ path: 'method', code: 'unknown-method', message: `${serviceId} has no control method "${method}"`.slice(0, 512) }],
    });
  }
  const parsed = spec.params.safeParse(args.params);
  if (!parsed.success) {
    const issues = toAgentIssues(parsed.error).map((i) => ({ ...i, path: i.path ? `params.${i.path}` : 'params' }));
    throw new AgentError('invalid-input', `The params for ${serviceId}.${method} are not valid; nothing was sent to the service`, { issues });
  }
  const socketPath = control.socket(args.config, args.ctx);
  let answer: { status: number; body: unknown };
  try {
    answer = await unixSocketJson({ socketPath, method: 'POST', path: `/control/${method}`, body: parsed.data, timeoutMs: control.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBytes: MAX_ANSWER_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return refusal('service.not-running', `${serviceId} is not running (its control socket does not answer); start it and try again`);
    if (code === 'ETIMEDOUT') return refusal('service.unanswered', `${serviceId} did not answer ${method} within ${Math.round((control.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`);
    return refusal('service.unanswered', `${serviceId} did not answer ${method}: ${(error as Error).message}`);
  }
  const body = answer.body as { result?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  if (answer.status === 200 && body && 'result' in body) {
    const result = spec.result.safeParse(body.result);
    if (!result.success) return refusal('service.bad-answer', `${serviceId}'s answer to ${method} breaks its schema (${z.prettifyError(result.error).replace(/\n/g, ' ').slice(0, 400)}): a bug in the service`);
    return { ok: true, result: result.data };
  }
  const error = body?.error;
  if (error && typeof error.code === 'string' && /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/.test(error.code) && error.code.length <= 64 && typeof error.message === 'string') {
    return refusal(error.code, error.message.slice(0, 2048));
  }
  return refusal('service.bad-answer', `${serviceId} answered ${method} with HTTP ${answer.status} and no error it declares: a bug in the service`);
}

function refusal(code: string, message: string): ServiceCallResult {
  return { ok: false, error: { code, message } };
}
