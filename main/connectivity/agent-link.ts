import type { Client } from 'ssh2';
import { createAgentClient, sshExecBridgeOpener, sshSocketOpener, type AgentClient } from '../../agents/client/agent-client';
import { RUN_DIR } from '../provision/layout';

/** Where provisioning puts the control socket (agent.json's default under RUN_DIR). */
export const CONTROL_SOCKET = `${RUN_DIR}/control.sock`;

/**
 * An agent client over an appliance's pooled SSH connection. Root logins reach the socket by SSH
 * stream forwarding (no process starts on the appliance per call); other logins go through the
 * `appliance-agent bridge` under sudo, because sshd opens a forwarded socket as the login user and
 * the socket is root's. One client per connection: its session (the `hello` handshake) lives as
 * long as the connection, and a new connection (after a drop) shakes hands again.
 */
export function agentClientOver(client: Client, opts: { user: string; sudoPassword: string | null; token: string; timeoutMs: number }): AgentClient {
  const open =
    opts.user === 'root'
      ? sshSocketOpener(client, CONTROL_SOCKET)
      : sshExecBridgeOpener(client, opts.sudoPassword !== null ? { sudoPassword: opts.sudoPassword, readyTimeoutMs: opts.timeoutMs } : { sudo: true, readyTimeoutMs: opts.timeoutMs });
  return createAgentClient({ open, token: opts.token, timeoutMs: opts.timeoutMs, clientName: 'appliance-console' });
}
