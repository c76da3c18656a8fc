import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { createAgentClient, KEPT_STREAM_IDLE_MS, sshExecBridgeOpener, sshSocketOpener, type AgentClient, type StreamOpener } from '../../agents/client/agent-client';
import { RUN_DIR } from '../provision/layout';

/** Where provisioning puts the control socket (agent.json's default under RUN_DIR). */
export const CONTROL_SOCKET = `${RUN_DIR}/control.sock`;

/**
 * How the console reaches an agent over an SSH connection. Root logins use SSH stream forwarding
 * to the socket: nothing starts on the appliance per call (the bridge is a Node process, ~50 ms of
 * CPU each time). Where sshd forbids stream forwarding (AllowStreamLocalForwarding no) the
 * forwarding fails while the bridge works: the opener then switches to the bridge for good. Other
 * logins always use the bridge under sudo, because sshd opens a forwarded socket as the login user
 * and the socket is root's.
 */
export function agentOpener(client: Client, opts: { user: string; sudoPassword: string | null; readyTimeoutMs: number }): StreamOpener {
  const bridge = sshExecBridgeOpener(
    client,
    opts.user === 'root' ? { readyTimeoutMs: opts.readyTimeoutMs } : opts.sudoPassword !== null ? { sudoPassword: opts.sudoPassword, readyTimeoutMs: opts.readyTimeoutMs } : { sudo: true, readyTimeoutMs: opts.readyTimeoutMs },
  );
  if (opts.user !== 'root') return bridge;
  const socket = sshSocketOpener(client, CONTROL_SOCKET);
  let forwardingRefused = false;
  return async (): Promise<Duplex> => {
    if (forwardingRefused) return bridge();
    try {
      return await socket();
    } catch (err) {
      // Either forwarding is off, or the agent is not listening (yet): the bridge tells them apart.
      const stream = await bridge().catch(() => {
        throw err;
      });
      forwardingRefused = true;
      return stream;
    }
  };
}

/**
 * An agent client over an appliance's pooled SSH connection; its `hello` session lives as long as
 * the connection. It keeps its stream between calls (KEPT_STREAM_IDLE_MS): a watch round is then
 * one SSH packet to the appliance instead of a channel opened and closed per call, and with the
 * sudo bridge one `appliance-agent bridge` process stays up instead of one starting per call
 * (≈ 0.1–0.3 s of the appliance's CPU each; the kept one holds ≈ 40 MiB there while the console watches).
 */
export function agentClientOver(client: Client, opts: { user: string; sudoPassword: string | null; token: string; timeoutMs: number; onAnswer?: () => void }): AgentClient {
  return createAgentClient({
    open: agentOpener(client, { user: opts.user, sudoPassword: opts.sudoPassword, readyTimeoutMs: opts.timeoutMs }),
    token: opts.token,
    timeoutMs: opts.timeoutMs,
    clientName: 'appliance-console',
    idleMs: KEPT_STREAM_IDLE_MS,
    ...(opts.onAnswer ? { onAnswer: opts.onAnswer } : {}),
  });
}
