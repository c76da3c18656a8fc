/**
 * Errors raised on the console's side of a call, never sent by an agent. They are a separate class
 * from `AgentError` on purpose: `AgentError.code` is the wire vocabulary (adding a code there is a
 * protocol change), and a UI that sees `internal` blames the agent. A console that gave up waiting,
 * or an SSH bridge that could not start, is not the agent's fault and must read differently.
 *
 *   timeout       the console stopped waiting (`params.method`, `params.seconds`); the agent may
 *                 still be working, or the link is slow or down
 *   bridge-failed `appliance-agent bridge` did not start over the SSH exec channel: not installed,
 *                 agent not running, no permission on the socket (the agent's stderr, redacted)
 *   sudo-failed   sudo refused: wrong password, or the login user may not run the bridge as root
 */
export const AGENT_CLIENT_ERROR_CODES = ['timeout', 'bridge-failed', 'sudo-failed'] as const;
export type AgentClientErrorCode = (typeof AGENT_CLIENT_ERROR_CODES)[number];

export class AgentClientError extends Error {
  readonly code: AgentClientErrorCode;
  readonly params: Record<string, string | number>;

  constructor(code: AgentClientErrorCode, message: string, params: Record<string, string | number> = {}) {
    super(message);
    this.name = 'AgentClientError';
    this.code = code;
    this.params = params;
  }
}
