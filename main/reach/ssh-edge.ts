import { connectSsh, type ConnectOptions, type ConnectOutcome } from '../ssh/ssh-connect';

/**
 * The SSH edge: where a connection to a machine is actually dialled (ssh2 behind main/ssh). The
 * reach module is its only caller and receives it as a dependency, so a test can put a fake edge
 * in its place and keep everything else real.
 */
export interface SshEdge {
  connect(opts: ConnectOptions): Promise<ConnectOutcome>;
}

export const sshEdge: SshEdge = { connect: connectSsh };
