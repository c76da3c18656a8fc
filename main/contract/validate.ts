import type { z } from 'zod';
import { ApiError, type ApiIssue } from './errors';

/** zod's issue codes, in the kebab-case the dictionaries use (`issues.<code>`). */
function issueCode(issue: z.core.$ZodIssue): string {
  const custom = (issue as { params?: { code?: unknown } }).params?.code;
  if (typeof custom === 'string') return custom;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.code.replace(/_/g, '-');
}

function issueParams(issue: z.core.$ZodIssue): Record<string, string | number> | undefined {
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    return { limit: typeof limit === 'bigint' ? Number(limit) : limit, origin: issue.origin };
  }
  if (issue.code === 'invalid_value') return { expected: issue.values.map(String).join(', ') };
  if (issue.code === 'unrecognized_keys') return { keys: issue.keys.join(', ') };
  if (issue.code === 'invalid_type') return { expected: issue.expected };
  if (issue.code === 'custom') return customParams(issue.params);
  return undefined;
}

/** A refinement's own values for its message (`{ code: 'too-long', limit: 64 }` → `{ limit: 64 }`). */
function customParams(params: Record<string, unknown> | undefined): Record<string, string | number> | undefined {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (key !== 'code' && (typeof value === 'string' || typeof value === 'number')) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function toApiIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((issue) => {
    const out: ApiIssue = { path: issue.path.map(String).join('.'), code: issueCode(issue), message: issue.message };
    const params = issueParams(issue);
    if (params) out.params = params;
    return out;
  });
}

/**
 * Parse with a schema or throw `invalid-input`. `reportInput` lets us tell a missing field from a
 * wrong one; the input itself is dropped here and never leaves this function (it may be a secret).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = toApiIssues(parsed.error);
  const first = issues[0];
  const where = first && first.path ? ` (${first.path}: ${first.message})` : first ? ` (${first.message})` : '';
  return throwInvalid(`Invalid ${what}${where}`, issues);
}

function throwInvalid(message: string, issues: ApiIssue[]): never {
  throw new ApiError('invalid-input', message, { issues });
}
