/**
 * Typed API errors. Every failure that crosses a host boundary is one of these codes, so the
 * renderer can translate it (`errors.<code>` in the dictionaries) and scripts can branch on it.
 * The English `message` is for logs and the CLI; it never contains a secret.
 */
export const API_ERROR_CODES = [
  'invalid-input', // the input failed its schema; `issues` says which field and why
  'unknown-method', // no such method in the contract
  'not-found', // the named record does not exist
  'conflict', // the change clashes with existing data (e.g. a duplicate name)
  'unauthorized', // the session token is missing or wrong (headless host)
  'store-refused', // the data directory's database is from a newer console, another program, or not SQLite
  'internal', // a bug: the host logged details; the caller gets no internals
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** One field-level problem, reported with a stable code so it can be translated. */
export interface ApiIssue {
  /** Dotted path of the offending field, e.g. `port` or `auth.privateKey`. */
  path: string;
  /** Stable, translatable code: `required`, `too-small`, `too-big`, `invalid-format`, ... */
  code: string;
  /** English text for logs and the CLI. */
  message: string;
  /** Values for the translated message (limits, expected formats). */
  params?: Record<string, string | number>;
}

/** The wire form of an error: plain JSON, identical over IPC, HTTP and the CLI. */
export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  params?: Record<string, string | number>;
  issues?: ApiIssue[];
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly params?: Record<string, string | number>;
  readonly issues?: ApiIssue[];

  constructor(code: ApiErrorCode, message: string, extra: { params?: Record<string, string | number>; issues?: ApiIssue[] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.params = extra.params;
    this.issues = extra.issues;
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = { code: this.code, message: this.message };
    if (this.params) body.params = this.params;
    if (this.issues) body.issues = this.issues;
    return body;
  }

  static fromBody(body: ApiErrorBody): ApiError {
    return new ApiError(body.code, body.message, { params: body.params, issues: body.issues });
  }
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (API_ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string';
}
