/**
 * `appliance-agent bridge` (docs/agent-protocol.md, Transport): a process the console starts over an
 * SSH exec channel that connects its stdin/stdout to the control socket. It writes this line to
 * stderr once the socket is connected, so the console knows the channel now carries the agent's
 * HTTP and not sudo's prompt or an error. Pure constants, shared by both sides.
 */
export const BRIDGE_SUBCOMMAND = 'bridge';
export const BRIDGE_READY_LINE = 'appliance-agent-bridge-ready v1';
/** Where the provisioner installs the launcher (agents/README.md, Install layout). */
export const DEFAULT_AGENT_COMMAND = '/opt/appliance-agent/current/appliance-agent';
