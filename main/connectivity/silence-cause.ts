import { AgentClientError } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';

/**
 * Why an agent call failed, as a word the UI translates (`status.reason.agent.cause.<cause>`,
 * the `agent.silent` reason's `cause`): the console's own errors (timeout, bridge-failed,
 * sudo-failed), the agent's wire codes (unauthorized, internal, …), or `unknown`. The English
 * message stays in the reason's `detail`, for the log and for a UI older than a new cause.
 */
export function silenceCause(err: unknown): string {
  if (err instanceof AgentClientError || err instanceof AgentError) return err.code;
  return 'unknown';
}
