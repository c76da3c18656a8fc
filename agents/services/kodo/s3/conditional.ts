import type { ObjectInfo } from '../store';

/**
 * Conditional requests, with S3's precedence (RFC 7232 §6):
 *  1. If-Match fails → 412; when it holds, If-Unmodified-Since is not looked at
 *     (S3: If-Match true and If-Unmodified-Since false → 200);
 *  2. otherwise If-Unmodified-Since fails → 412;
 *  3. If-None-Match matches → 304 for GET/HEAD; when present, If-Modified-Since is not looked at
 *     (S3: If-None-Match false and If-Modified-Since true → 304);
 *  4. otherwise If-Modified-Since not modified since → 304.
 * CopyObject's x-amz-copy-source-if-* follow the same order, and answer 412 for all four.
 * Dates are compared at HTTP's one-second resolution; an unparsable date is ignored, as HTTP says.
 */

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export type ConditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/** Whether an If-Match / If-None-Match list names this ETag (`*` names any). */
export function etagListMatches(list: string, etag: string): boolean {
  return list
    .split(',')
    .map((item) => item.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .some((item) => item === '*' || item === etag);
}

function parseDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export function evaluateConditions(c: Conditions, info: ObjectInfo): ConditionOutcome {
  const modified = seconds(info.lastModified.getTime());
  if (c.ifMatch !== undefined) {
    if (!etagListMatches(c.ifMatch, info.etag)) return 'precondition-failed';
  } else {
    const since = parseDate(c.ifUnmodifiedSince);
    if (since !== null && modified > seconds(since)) return 'precondition-failed';
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagListMatches(c.ifNoneMatch, info.etag)) return 'not-modified';
  } else {
    const since = parseDate(c.ifModifiedSince);
    if (since !== null && modified <= seconds(since)) return 'not-modified';
  }
  return 'proceed';
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

export function requestConditions(headers: Record<string, string | string[] | undefined>, prefix = ''): Conditions {
  return {
    ifMatch: header(headers[`${prefix}if-match`]),
    ifNoneMatch: header(headers[`${prefix}if-none-match`]),
    ifModifiedSince: header(headers[`${prefix}if-modified-since`]),
    ifUnmodifiedSince: header(headers[`${prefix}if-unmodified-since`]),
  };
}

export const hasConditions = (c: Conditions): boolean => Object.values(c).some((v) => v !== undefined);
