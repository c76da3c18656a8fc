import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { BRIDGE_READY_LINE } from '../protocol/bridge';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes';

/**
 * `appliance-agent bridge`: connects stdin/stdout to the control socket and nothing else. The
 * console runs it over an SSH exec channel (through `sudo -S` when it logged in as a sudo user),
 * because sshd would open a forwarded socket as the login user and the socket is root's 0600. The
 * bridge adds no protocol: the console's HTTP and the bearer token pass through unchanged, so the
 * agent checks the token exactly as for a forwarded socket. It never reads the token file and logs
 * nothing; readiness and errors go to stderr, which the console reads apart from stdout.
 */
export interface BridgeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function runBridge(socketPath: string, io: BridgeIo): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(socketPath);
    let connected = false;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      // Whatever the agent sent must be out before the process exits.
      io.stdout.write('', () => resolve(code));
    };
    sock.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) {
        const hint = err.code === 'EACCES' ? ' (the socket is root-only: run the bridge as root, e.g. with sudo)' : err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ' (is the agent running?)' : '';
        io.stderr.write(`appliance-agent bridge: cannot connect to ${socketPath}: ${err.code ?? err.message}${hint}\n`);
        finish(EXIT_FAILURE);
      } else finish(EXIT_OK);
    });
    sock.once('connect', () => {
      connected = true;
      io.stderr.write(`${BRIDGE_READY_LINE}\n`);
      sock.pipe(io.stdout, { end: false });
      io.stdin.pipe(sock);
      // The console closed its side (call done, or it gave up): let the agent see EOF too.
      io.stdin.once('end', () => sock.end());
      io.stdin.once('error', () => sock.destroy());
      // Nobody reads our answers any more (EPIPE): drop the connection.
      io.stdout.once('error', () => sock.destroy());
    });
    sock.once('close', () => finish(EXIT_OK));
  });
}
