import { AgentClientError } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import { ApiError, type ApiIssue } from '../contract/errors';
import { AgentUnreachableError } from '../reach/reach';

const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

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
        throw new ApiError('invalid-input', `${applianceName} refused the change to ${subject.what}: ${err.message}`, { issues, params: extra });
      }
      if (err.code === 'not-supported') {
        throw new ApiError('conflict', `the agent on ${applianceName} does not manage ${subject.what} this way (it is older than this console): upgrade it, then try again`, {
          params: { reason: 'agent.too-old', ...extra },
        });
      }
      throw new ApiError('conflict', `the agent on ${applianceName} failed: ${err.message}`, { params: { reason: 'agent.silent', cause: err.code, ...extra } });
    }
    if (err instanceof AgentUnreachableError) throw new ApiError('conflict', err.message, { params: { reason: err.code, ...extra } });
    if (err instanceof AgentClientError) throw new ApiError('conflict', `the agent on ${applianceName} did not answer: ${err.message}`, { params: { reason: 'agent.silent', cause: err.code, ...extra } });
    // The SSH layer's own failures on the way to the agent (ssh2's "(SSH) Channel open failure"
    // while the agent restarts and its socket is gone) are a silent agent too, as the fleet watch
    // counts them; a bug of ours (TypeError and the like) stays an internal error, logged.
    if (err instanceof Error && !(err instanceof ApiError) && !PROGRAMMING_ERRORS.some((E) => err instanceof E)) {
      throw new ApiError('conflict', `the agent on ${applianceName} did not answer: ${err.message}`, { params: { reason: 'agent.silent', cause: 'unknown', detail: err.message, ...extra } });
    }
    throw err;
  }
}
