/**
 * The reach module's TCP link to a port on a machine (main/reach/tcp-link.ts), against a real
 * OpenSSH server: tunnelled as a direct-tcpip channel (the peer sees the connection come from the
 * machine itself, not from the console), straight to the address where sshd forbids forwarding,
 * and a clear error where nothing listens.
 */
import http from 'node:http';
import net from 'node:net';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshEdge } from '../../main/reach/ssh-edge';
import { openTcpOver } from '../../main/reach/tcp-link';
import { sha256Fingerprint } from '../../main/ssh/host-key';
import { freeTcpPort } from '../helpers/free-port';
import { startLocalSshd, sshdMissingReason, type LocalSshd } from '../helpers/local-sshd';

const skip = sshdMissingReason();
if (skip) console.warn(`[skip] TCP link tests skipped: ${skip}`);

async function dial(sshd: LocalSshd): Promise<Client> {
  const keyBlob = Buffer.from(sshd.hostKeyPub.split(' ')[1]!, 'base64');
  const outcome = await sshEdge.connect({
    target: { address: '127.0.0.1', port: sshd.port, user: 'root' },
    credential: { kind: 'private-key', privateKey: sshd.clientKey },
    trustedKeys: [{ keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(keyBlob) }],
  });
  if (!outcome.ok) throw new Error(outcome.failure.message);
  return outcome.client;
}

describe.skipIf(skip)('a TCP link to a port on the machine', () => {
  let web: http.Server;
  let webPort: number;
  /** Each request's peer as the web server saw it, and the bytes it read. */
  const seen: { remotePort: number; body: number }[] = [];
  let forwarding: LocalSshd;
  let noForwarding: LocalSshd;

  beforeAll(async () => {
    web = http.createServer((req, res) => {
      let body = 0;
      req.on('data', (c: Buffer) => (body += c.length));
      req.on('end', () => {
        seen.push({ remotePort: req.socket.remotePort ?? 0, body });
        res.end(`got ${body}`);
      });
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as net.AddressInfo).port;
    [forwarding, noForwarding] = await Promise.all([startLocalSshd(), startLocalSshd({ extraConfig: ['AllowTcpForwarding no'] })]);
  });
  afterAll(async () => {
    await Promise.all([forwarding?.stop(), noForwarding?.stop()]);
    web?.close();
  });

  /** A PUT of `bytes` over the link, as the object browser's uploads make them. */
  async function put(socket: NodeJS.ReadWriteStream, bytes: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request({ method: 'PUT', path: '/x', headers: { host: `127.0.0.1:${webPort}`, 'content-length': bytes }, createConnection: () => socket as never }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(Buffer.alloc(bytes, 7));
    });
  }

  it('goes through the SSH connection as a forwarded channel, carrying HTTP both ways', async () => {
    const client = await dial(forwarding);
    try {
      const socket = await openTcpOver(client, { address: '127.0.0.1', port: webPort, timeoutMs: 5000 });
      expect(socket).not.toBeInstanceOf(net.Socket); // a channel, not a direct connection
      expect(await put(socket, 3 * 1024 * 1024)).toBe(`got ${3 * 1024 * 1024}`);
      expect(seen.at(-1)!.body).toBe(3 * 1024 * 1024);
    } finally {
      client.end();
    }
  });

  it('connects straight to the address when sshd forbids forwarding', async () => {
    const client = await dial(noForwarding);
    try {
      const socket = await openTcpOver(client, { address: '127.0.0.1', port: webPort, timeoutMs: 5000 });
      expect(socket).toBeInstanceOf(net.Socket);
      expect(await put(socket, 10)).toBe('got 10');
    } finally {
      client.end();
    }
  });

  it('says nothing answers on the port when nothing listens there', async () => {
    const client = await dial(forwarding);
    try {
      const closed = await freeTcpPort();
      await expect(openTcpOver(client, { address: '127.0.0.1', port: closed, timeoutMs: 5000 })).rejects.toThrow(new RegExp(`nothing answers on port ${closed} of the machine`));
    } finally {
      client.end();
    }
  });
});
