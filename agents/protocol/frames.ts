import * as z from 'zod/mini';
import { AgentError, AgentErrorBodySchema, toAgentIssues, type AgentErrorBody } from './errors';
import { exactCheck } from './exact-check';
import { AGENT_METHODS, isAgentMethodName, type AgentMethodName, type AgentMethodParams, type AgentMethodResult } from './methods';

/**
 * Frames: one JSON request per HTTP POST to `/rpc`, one JSON response per answer (see
 * docs/agent-protocol.md). Everything here is pure (no Node APIs) so the console, the agent and the
 * unit tests share it byte for byte.
 */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOLS: readonly number[] = [PROTOCOL_VERSION];
export const RPC_PATH = '/rpc';

/** Default and hard limits of a request body; the agent's config may choose within [MIN, MAX]. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
export const MIN_MAX_REQUEST_BYTES = 1024;
export const MAX_MAX_REQUEST_BYTES = 1024 * 1024;
/** What a console accepts as one response (an inventory of a large box is well under 1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** `name` or `name.vN`: lower-case words with dashes, optional payload version. */
export const METHOD_NAME_PATTERN = /^[a-z][a-z0-9-]{0,47}(\.v[1-9][0-9]{0,3})?$/;

export const RequestFrameSchema = z.strictObject({
  protocol: z.number().check(z.int(), z.minimum(1), z.maximum(65535)),
  /** Echoed in the response; lets a caller match answers on a kept-alive connection. */
  id: z.optional(z.string().check(z.maxLength(64))),
  method: z.string().check(z.regex(METHOD_NAME_PATTERN, 'expected a method name like "health.v1"')),
  params: z.optional(z.record(z.string(), z.unknown())),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

const responseBase = { protocol: z.number().check(z.int(), z.positive()), id: z.optional(z.string().check(z.maxLength(64))) };
export const ResponseFrameSchema = z.discriminatedUnion('ok', [
  z.object({ ...responseBase, ok: z.literal(true), method: z.string().check(z.maxLength(64)), result: z.unknown() }),
  z.object({ ...responseBase, ok: z.literal(false), error: AgentErrorBodySchema }),
]);
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

export type DecodedRequest = {
  [M in AgentMethodName]: { id: string | undefined; method: M; params: AgentMethodParams<M> };
}[AgentMethodName];

export type DecodeOutcome = { ok: true; request: DecodedRequest } | { ok: false; id: string | undefined; error: AgentError };

function byteLength(raw: Uint8Array | string): number {
  return typeof raw === 'string' ? new TextEncoder().encode(raw).length : raw.length;
}

function bestEffortId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}

/**
 * Reads one request frame. Order matters and is part of the spec: size, encoding, JSON, envelope,
 * protocol version, method, params — so an oversize or garbled frame is never parsed further.
 */
export function decodeRequest(raw: Uint8Array | string, maxBytes: number = DEFAULT_MAX_REQUEST_BYTES): DecodeOutcome {
  const size = byteLength(raw);
  if (size > maxBytes) {
    return { ok: false, id: undefined, error: new AgentError('protocol-error', `Request of ${size} bytes exceeds the limit of ${maxBytes} bytes`, { params: { limit: maxBytes } }) };
  }
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, id: undefined, error: new AgentError('protocol-error', 'Request is not valid UTF-8') };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: undefined, error: new AgentError('protocol-error', 'Request is not valid JSON') };
  }
  const id = bestEffortId(json);
  const frame = RequestFrameSchema.safeParse(json);
  if (!frame.success) {
    return { ok: false, id, error: new AgentError('protocol-error', 'Request is not a protocol frame ({ protocol, method, params?, id? })', { issues: toAgentIssues(frame.error) }) };
  }
  const { protocol, method } = frame.data;
  // `hello` answers whatever version is asked, so a console can always learn what this agent speaks.
  if (method !== 'hello' && !SUPPORTED_PROTOCOLS.includes(protocol)) {
    return { ok: false, id, error: new AgentError('protocol-error', `Protocol version ${protocol} is not supported (supported: ${SUPPORTED_PROTOCOLS.join(', ')})`, { params: { supported: SUPPORTED_PROTOCOLS.join(',') } }) };
  }
  if (!isAgentMethodName(method)) {
    return { ok: false, id, error: new AgentError('not-supported', `Method "${method}" is not supported by this agent`, { params: { method } }) };
  }
  const params = AGENT_METHODS[method].params.safeParse(frame.data.params ?? {});
  if (!params.success) {
    return { ok: false, id, error: new AgentError('invalid-input', `Invalid params for ${method}`, { issues: toAgentIssues(params.error) }) };
  }
  return { ok: true, request: { id, method, params: params.data } as DecodedRequest };
}

/** A request frame; `protocol` is the version the caller negotiated with `hello` (the console's client picks it). */
export function encodeRequest<M extends AgentMethodName>(method: M, params: unknown, id?: string, protocol: number = PROTOCOL_VERSION): string {
  const frame: RequestFrame = { protocol, method, ...(id !== undefined ? { id } : {}), ...(params !== undefined ? { params: params as Record<string, unknown> } : {}) };
  return JSON.stringify(frame);
}

export function successFrame(method: AgentMethodName, result: unknown, id: string | undefined): ResponseFrame {
  return { protocol: PROTOCOL_VERSION, ...(id !== undefined ? { id } : {}), ok: true, method, result };
}

export function errorFrame(error: AgentErrorBody, id: string | undefined): ResponseFrame {
  return { protocol: PROTOCOL_VERSION, ...(id !== undefined ? { id } : {}), ok: false, error };
}

/** HTTP status for an error code: informative only; clients read the frame, not the status. */
export function httpStatusFor(code: AgentErrorBody['code']): number {
  switch (code) {
    case 'protocol-error':
      return 400;
    case 'invalid-input':
      return 422;
    case 'unauthorized':
      return 401;
    case 'not-supported':
      return 404;
    case 'internal':
      return 500;
  }
}

const resultChecks = new Map<AgentMethodName, (value: unknown) => boolean>();
function exactResultCheck(method: AgentMethodName): (value: unknown) => boolean {
  let check = resultChecks.get(method);
  if (!check) resultChecks.set(method, (check = exactCheck(AGENT_METHODS[method].result)));
  return check;
}

/**
 * The console's side: reads a response frame and the result of `method` through its schema. A
 * malformed frame or result is a `protocol-error`; an `ok: false` frame is thrown as the agent's error.
 */
export function decodeResponse<M extends AgentMethodName>(method: M, raw: Uint8Array | string, maxBytes: number = DEFAULT_MAX_RESPONSE_BYTES): AgentMethodResult<M> {
  const size = byteLength(raw);
  if (size > maxBytes) throw new AgentError('protocol-error', `Response of ${size} bytes exceeds the limit of ${maxBytes} bytes`, { params: { limit: maxBytes } });
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new AgentError('protocol-error', 'Response is not valid JSON');
  }
  const frame = ResponseFrameSchema.safeParse(json);
  if (!frame.success) throw new AgentError('protocol-error', 'Response is not a protocol frame', { issues: toAgentIssues(frame.error) });
  if (!frame.data.ok) throw AgentError.fromBody(frame.data.error);
  if (frame.data.method !== method) throw new AgentError('protocol-error', `Response is for "${frame.data.method}", not "${method}"`);
  const schema: z.ZodMiniType = AGENT_METHODS[method].result;
  // A result zod would accept exactly as it is (the usual case: the agent validated it with the
  // same schema) is that result; anything else is parsed by zod (exact-check.ts says why).
  if (exactResultCheck(method)(frame.data.result)) return frame.data.result as AgentMethodResult<M>;
  const result = schema.safeParse(frame.data.result);
  if (!result.success) throw new AgentError('protocol-error', `Result of ${method} does not match its schema`, { issues: toAgentIssues(result.error) });
  // The schema is the one declared for M, so its output is AgentMethodResult<M>.
  return result.data as AgentMethodResult<M>;
}
