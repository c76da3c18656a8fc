import { AgentClientError } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import { ApiError, type ApiIssue } from '../contract/errors';
import { silenceCause } from '../connectivity/silence-cause';
import { AgentUnreachableError } from '../reach/reach';

const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/** A bug of ours, not a failure of the machine: never reworded as one (it is logged as internal). */
function isProgrammingError(err: unknown): boolean {
  return PROGRAMMING_ERRORS.some((E) => err instanceof E);
}

/** What the call was about, for the English message and the error's params (e.g. `{ service: 'kodo' }`). */
export interface AgentCallSubject {
  /** Named in the English message: "the change to <what>", "does not manage <what> this way". */
  what: string;
  params?: Record<string, string | number>;
}

/**
 * One agent call of a console action, its failures as API errors a person can act on: the agent's
 * field issues stay field issues (a form marks the fields), an agent older than this console says
 * to upgrade it, an unreachable machine says why. `params.reason` is a status reason code (with its
 * parameters beside it), which the UI words as it words an appliance's status. Shared by the
 * service control and the agent's own settings (main/agent-settings).
 */
export async function callAgent<T>(applianceName: string, subject: AgentCallSubject, call: () => Promise<T>): Promise<T> {
  const extra = subject.params ?? {};
  try {
    return await call();
  } catch (err) {
    if (err instanceof AgentError) {
      if (err.code === 'invalid-input') {
        const issues: ApiIssue[] = (err.issues ?? []).map((i) => ({ path: i.path, code: i.code, message: i.message }));
        // Refused for what is named, not for a field a person filled (no such service on this
        // agent, a module for another role, a hand-made service that cannot be configured): a
        // conflict with the machine's state, worded by its code (status.reason.service.<code>).
        const first = issues[0];
        if (first && issues.every((i) => i.path === 'id')) {
          throw new ApiError('conflict', `${applianceName} refused the change to ${subject.what}: ${err.message}`, { params: { ...extra, reason: `service.${first.code}` } });
        }
        throw new ApiError('invalid-input', `${applianceName} refused the change to ${subject.what}: ${err.message}`, { issues, params: extra });
      }
      if (err.code === 'not-supported') {
        throw new ApiError('conflict', `the agent on ${applianceName} does not manage ${subject.what} this way (it is older than this console): upgrade it, then try again`, {
          params: { reason: 'agent.too-old', ...extra },
        });
      }
      throw new ApiError('conflict', `the agent on ${applianceName} failed: ${err.message}`, { params: { reason: 'agent.silent', cause: silenceCause(err), detail: err.message, ...extra } });
    }
    // The SSH failure's parameters (endpoint, seconds, user…) go with its code: the UI words it with them.
    if (err instanceof AgentUnreachableError) throw new ApiError('conflict', err.message, { params: { ...err.params, ...extra, reason: err.code } });
    if (err instanceof AgentClientError) throw new ApiError('conflict', `the agent on ${applianceName} did not answer: ${err.message}`, { params: { reason: 'agent.silent', cause: silenceCause(err), detail: err.message, ...extra } });
    // The SSH layer's own failures on the way to the agent (ssh2's "(SSH) Channel open failure"
    // while the agent restarts and its socket is gone) are a silent agent too, as the fleet watch
    // counts them; a bug of ours (TypeError and the like) stays an internal error, logged.
    if (err instanceof Error && !(err instanceof ApiError) && !isProgrammingError(err)) {
      throw new ApiError('conflict', `the agent on ${applianceName} did not answer: ${err.message}`, { params: { reason: 'agent.silent', cause: silenceCause(err), detail: err.message, ...extra } });
    }
    throw err;
  }
}

/**
 * Why `callAgent` could not get an answer, as a status reason code and its parameters — for a read
 * that shows what the console last knew instead of failing (service.list, agentSettings.get). Null
 * for anything else, which the caller rethrows.
 */
export function unansweredReason(err: unknown): { code: string; params: Record<string, string | number> } | null {
  if (!(err instanceof ApiError) || err.code !== 'conflict' || typeof err.params?.reason !== 'string') return null;
  const { reason, ...params } = err.params;
  return { code: reason, params };
}
