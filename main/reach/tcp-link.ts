import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';

/**
 * A TCP connection to a port on an appliance, for a service's own protocol (Kodo's S3 port for the
 * object browser's uploads and downloads). Through the pooled SSH connection first (a direct-tcpip
 * channel, as `ssh -L` opens): it needs no port open between the laptop and the machine, and the
 * bytes are encrypted on the way. The channel goes to 127.0.0.1 on the machine, then to its own
 * address (a service bound to one address only). Only where sshd forbids forwarding
 * (`AllowTcpForwarding no`: "administratively prohibited") does the console connect to the
 * address directly, as any S3 client would.
 */
export async function openTcpOver(client: Client, target: { address: string; port: number; timeoutMs: number }): Promise<Duplex> {
  let lastRefusal: Error | null = null;
  for (const host of ['127.0.0.1', target.address]) {
    try {
      return socketLike(await forwardOut(client, host, target.port));
    } catch (err) {
      const e = err as Error & { reason?: number };
      // RFC 4254 §5.1: 1 = administratively prohibited; 2 = connect failed (nothing listens there).
      if (e.reason === 1 || /prohibited/i.test(e.message)) return connectDirect(target);
      lastRefusal = e;
    }
  }
  throw new Error(`nothing answers on port ${target.port} of the machine (${lastRefusal?.message ?? 'connect failed'})`);
}

function forwardOut(client: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => (err ? reject(err) : resolve(channel))));
}

function connectDirect(target: { address: string; port: number; timeoutMs: number }): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.address, port: target.port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from ${target.address} port ${target.port} within ${Math.round(target.timeoutMs / 1000)} s`)), target.timeoutMs);
    socket.once('connect', () => (clearTimeout(timer), resolve(socket)));
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

/**
 * node:http treats its connection as a net.Socket and calls these on it; an SSH channel has none
 * (ssh2's own HTTPAgent adds the same no-ops).
 */
function socketLike(channel: Duplex): Duplex {
  const s = channel as Duplex & Record<string, unknown>;
  for (const name of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    if (typeof s[name] !== 'function') s[name] = () => s;
  }
  return s;
}
