import * as z from 'zod/mini';
import './zod-locale';

/**
 * The agent's typed errors. Adding a code is a protocol change (a new protocol version), so a
 * console can branch on every code it may receive. `message` is English for logs; it never echoes
 * request input (which may carry a secret) and never contains a stack trace.
 */
export const AGENT_ERROR_CODES = [
  'protocol-error', // the frame is not a protocol request: too big, not JSON, wrong envelope, unsupported protocol version
  'not-supported', // the method (or its payload version) is not implemented by this agent
  'unauthorized', // the bearer token is missing or wrong
  'invalid-input', // the method exists but its params failed their schema; `issues` says which field
  'internal', // a bug or an unexpected failure on the agent; details are in the agent's log only
] as const;

export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

export const AgentIssueSchema = z.object({
  path: z.string().check(z.maxLength(256)),
  code: z.string().check(z.maxLength(64)),
  message: z.string().check(z.maxLength(512)),
});
export type AgentIssue = z.infer<typeof AgentIssueSchema>;

export const AgentErrorBodySchema = z.object({
  code: z.enum(AGENT_ERROR_CODES),
  message: z.string().check(z.maxLength(2048)),
  params: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
  issues: z.optional(z.array(AgentIssueSchema).check(z.maxLength(64))),
});
export type AgentErrorBody = z.infer<typeof AgentErrorBodySchema>;

export class AgentError extends Error {
  readonly code: AgentErrorCode;
  readonly params?: Record<string, string | number>;
  readonly issues?: AgentIssue[];

  constructor(code: AgentErrorCode, message: string, extra: { params?: Record<string, string | number>; issues?: AgentIssue[] } = {}) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
    if (extra.params) this.params = extra.params;
    if (extra.issues) this.issues = extra.issues;
  }

  toBody(): AgentErrorBody {
    const body: AgentErrorBody = { code: this.code, message: this.message };
    if (this.params) body.params = this.params;
    if (this.issues) body.issues = this.issues;
    return body;
  }

  static fromBody(body: AgentErrorBody): AgentError {
    return new AgentError(body.code, body.message, { ...(body.params ? { params: body.params } : {}), ...(body.issues ? { issues: body.issues } : {}) });
  }
}

/** zod issues as protocol issues: dotted path, zod's code in kebab-case, message. Input is never copied. */
export function toAgentIssues(error: z.core.$ZodError): AgentIssue[] {
  return error.issues.slice(0, 64).map((issue) => ({
    path: issue.path.map(String).join('.').slice(0, 256),
    code: issue.code.replace(/_/g, '-'),
    message: issue.message.slice(0, 512),
  }));
}
