import { AgentError } from '../protocol/errors';
import type { HelloResult } from '../protocol/payloads/hello';

/**
 * What the console decides from an agent's `hello`, kept pure so it is tested without a transport.
 * The rules are the protocol's (docs/agent-protocol.md, Handshake): use the highest protocol version
 * both sides speak, and call only methods the agent announced. When they do not fit, the error tells
 * the operator what to do (reprovision the agent, or update the console) rather than guessing.
 */
export interface AgentSession {
  /** The protocol version every request of this session carries. */
  protocol: number;
  hello: HelloResult;
}

const list = (versions: readonly number[]) => [...versions].sort((a, b) => a - b).join(', ');

export function chooseProtocol(hello: HelloResult, consoleProtocols: readonly number[]): number {
  const common = hello.protocols.filter((v) => consoleProtocols.includes(v));
  if (common.length > 0) return Math.max(...common);
  const agent = `appliance-agent ${hello.agentVersion}`;
  // No common version: tell which side is behind, because the fix differs.
  const agentIsOlder = hello.protocols.length === 0 || Math.max(...hello.protocols) < Math.min(...consoleProtocols);
  const message = agentIsOlder
    ? `The agent (${agent}) speaks protocol ${list(hello.protocols) || 'none'}, older than this console (${list(consoleProtocols)}): upgrade the agent by reprovisioning the appliance`
    : `The agent (${agent}) speaks protocol ${list(hello.protocols)}, newer than this console (${list(consoleProtocols)}): update the console, or reprovision the appliance with the agent this console ships`;
  throw new AgentError('protocol-error', message, {
    params: { agentProtocols: list(hello.protocols), consoleProtocols: list(consoleProtocols), action: agentIsOlder ? 'reprovision-agent' : 'update-console' },
  });
}

/** Refuses, before anything is sent, a method the agent did not list in `capabilities.methods`. */
export function requireMethod(session: AgentSession, method: string): void {
  if (session.hello.capabilities.methods.includes(method)) return;
  throw new AgentError('not-supported', `The agent (appliance-agent ${session.hello.agentVersion}) does not offer ${method}: upgrade the agent by reprovisioning the appliance`, {
    params: { method, agentVersion: session.hello.agentVersion, action: 'reprovision-agent' },
  });
}
