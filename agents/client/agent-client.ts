import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { AgentError } from '../protocol/errors';
import { decodeResponse, DEFAULT_MAX_RESPONSE_BYTES, encodeRequest, RPC_PATH } from '../protocol/frames';
import type { AgentMethodName, AgentMethodParamsInput, AgentMethodResult } from '../protocol/methods';
import type { HelloResult } from '../protocol/payloads/hello';

/**
 * The console's client of the agent's control API. It speaks HTTP/1.1 over any byte stream the
 * caller opens — a local Unix socket in tests, an SSH channel to the appliance's socket
 * (`openssh_forwardOutStreamLocal`) or to its loopback TCP port (`forwardOut`) in the console — and
 * reads every answer through the shared protocol schemas: a result the schema refuses is a
 * `protocol-error`, never data. One stream per call (`Connection: close`): calls are rare and an
 * SSH channel is cheap, and nothing is left half-open when a call times out.
 */
export type StreamOpener = () => Promise<Duplex>;

export interface AgentClientOptions {
  open: StreamOpener;
  token: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface AgentClient {
  call<M extends AgentMethodName>(method: M, params?: AgentMethodParamsInput<M>): Promise<AgentMethodResult<M>>;
  /** `hello`, checking that the agent speaks protocol 1. */
  hello(client?: string): Promise<HelloResult>;
}

export function unixSocketOpener(socketPath: string): StreamOpener {
  return () =>
    new Promise((resolve, reject) => {
      const sock = net.connect(socketPath);
      sock.once('connect', () => resolve(sock));
      sock.once('error', reject);
    });
}

export function tcpOpener(host: string, port: number): StreamOpener {
  return () =>
    new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      sock.once('connect', () => resolve(sock));
      sock.once('error', reject);
    });
}

/** The part of an ssh2 `Client` the openers use (kept structural so this file does not import ssh2). */
export interface SshForwarder {
  openssh_forwardOutStreamLocal(socketPath: string, cb: (err: Error | undefined, channel: Duplex) => void): unknown;
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: (err: Error | undefined, channel: Duplex) => void): unknown;
}

/** The agent's Unix socket on the far side of an SSH connection (sshd's AllowStreamLocalForwarding). */
export function sshSocketOpener(ssh: SshForwarder, socketPath: string): StreamOpener {
  return () => new Promise((resolve, reject) => ssh.openssh_forwardOutStreamLocal(socketPath, (err, channel) => (err ? reject(err) : resolve(channel))));
}

/** The agent's loopback TCP fallback on the far side of an SSH connection (AllowTcpForwarding). */
export function sshTcpOpener(ssh: SshForwarder, host: string, port: number): StreamOpener {
  return () => new Promise((resolve, reject) => ssh.forwardOut('127.0.0.1', 0, host, port, (err, channel) => (err ? reject(err) : resolve(channel))));
}

export function createAgentClient(opts: AgentClientOptions): AgentClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  function post(body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = http.request({
        method: 'POST',
        path: RPC_PATH,
        host: 'appliance-agent',
        headers: {
          Authorization: `Bearer ${opts.token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Connection: 'close',
        },
        // The stream is opened asynchronously (an SSH channel); Node's http waits for `oncreate`,
        // which takes no socket when it reports an error (@types/node declares it as required).
        createConnection: (_options, oncreate) => {
          const done = oncreate as (err: Error | null, socket?: Duplex) => void;
          opts.open().then(
            (stream) => done(null, stream),
            (err: Error) => done(err),
          );
          return undefined;
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        settle(() => reject(new AgentError('internal', `The agent did not answer within ${Math.round(timeoutMs / 1000)} s`)));
      }, timeoutMs);
      req.once('error', (err) => settle(() => reject(err)));
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            settle(() => reject(new AgentError('protocol-error', `Response exceeds the limit of ${maxBytes} bytes`, { params: { limit: maxBytes } })));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => settle(() => resolve(Buffer.concat(chunks).toString('utf8'))));
        res.once('error', (err) => settle(() => reject(err)));
      });
      req.end(body);
    });
  }

  const client: AgentClient = {
    async call(method, params) {
      const text = await post(encodeRequest(method, params ?? {}));
      return decodeResponse(method, text, maxBytes);
    },
    async hello(name) {
      const result = await client.call('hello', name === undefined ? {} : { client: name });
      if (!result.protocols.includes(1)) throw new AgentError('protocol-error', `The agent speaks protocol ${result.protocols.join(', ')}; this console speaks 1`);
      return result;
    },
  };
  return client;
}
