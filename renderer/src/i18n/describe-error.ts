import { ApiError, type ApiIssue } from '../../../main/contract/errors';
import { TransportError } from '../api/transport';
import { reasonText } from './reason-text';
import type { Translator } from './translate';

/**
 * A field issue in the user's language: the most specific text first — `issues.<code>.<origin>`
 * (too-small for a string vs a number) or `issues.<code>.<expected>` (invalid-type of an int) —
 * then `issues.<code>`, then the host's English text. A one-character minimum on a string reads
 * better as "required".
 */
export function describeIssue(translator: Translator, issue: ApiIssue): string {
  const params = issue.params ?? {};
  const variant = typeof params.origin === 'string' ? params.origin : typeof params.expected === 'string' ? params.expected : undefined;
  if (issue.code === 'too-small' && variant === 'string' && params.limit === 1) return translator.t('issues.required');
  return (
    (variant ? translator.lookup(`issues.${issue.code}.${variant}`, params) : undefined) ??
    translator.lookup(`issues.${issue.code}`, params) ??
    issue.message
  );
}

/** Any failure in the user's language: ApiError by code, transport trouble, else a generic line. */
export function describeError(translator: Translator, error: unknown): string {
  if (error instanceof ApiError) {
    // Why the appliance could not do it (unreachable, agent too old): worded as its status is.
    const reason = error.params?.reason;
    const why = typeof reason === 'string' ? reasonText(translator, reason, error.params ?? {}, null) : null;
    return why ?? translator.lookup(`errors.${error.code}`, error.params) ?? error.message;
  }
  if (error instanceof TransportError) return translator.t(error.reason === 'unreachable' ? 'transport.unreachable' : 'transport.bad-response');
  return translator.t('errors.unexpected');
}
