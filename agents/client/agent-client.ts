import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { AgentError } from '../protocol/errors';
import { decodeResponse, DEFAULT_MAX_RESPONSE_BYTES, encodeRequest, RPC_PATH, SUPPORTED_PROTOCOLS } from '../protocol/frames';
import type { AgentMethodName, AgentMethodParamsInput, AgentMethodResult } from '../protocol/methods';
import type { HelloResult } from '../protocol/payloads/hello';
import { AgentClientError } from './client-errors';
import { chooseProtocol, requireMethod, type AgentSession } from './negotiate';

export { AgentClientError } from './client-errors';
export type { AgentSession } from './negotiate';
export { sshExecBridgeOpener } from './ssh-bridge-opener';

/**
 * The console's client of the agent's control API. It speaks HTTP/1.1 over any byte stream the
 * caller opens — a local Unix socket in tests, an SSH channel to the appliance's socket
 * (`openssh_forwardOutStreamLocal`) or to its loopback TCP port (`forwardOut`) in the console — and
 * reads every answer through the shared protocol schemas: a result the schema refuses is a
 * `protocol-error`, never data. One stream per call (`Connection: close`): calls are rare and an
 * SSH channel is cheap, and nothing is left half-open when a call times out.
 *
 * Every session starts with `hello` (done for the caller before its first call): the client picks
 * the highest protocol version both sides speak and refuses, without sending it, a method the agent
 * did not announce. A failed call drops the session, so the next one shakes hands again (the agent
 * may have been restarted or reprovisioned meanwhile).
 */
export type StreamOpener = () => Promise<Duplex>;

export interface AgentClientOptions {
  open: StreamOpener;
  token: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Sent in the implicit `hello` (the agent logs it). */
  clientName?: string;
  /** Protocol versions this console speaks; defaults to the shared schemas' (a test seam). */
  protocols?: readonly number[];
}

export interface AgentClient {
  /**
   * Calls a method, shaking hands first if needed. Rejects with `AgentError` `not-supported` when
   * the agent did not announce the method, and with `AgentClientError` `timeout` when the console
   * stopped waiting.
   */
  call<M extends AgentMethodName>(method: M, params?: AgentMethodParamsInput<M>): Promise<AgentMethodResult<M>>;
  /** `hello`: negotiates the protocol version (a `protocol-error` when there is none in common). */
  hello(client?: string): Promise<HelloResult>;
  /** The current session, null before the first handshake or after a failed call. */
  session(): AgentSession | null;
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

/**
 * The agent's Unix socket on the far side of an SSH connection (sshd's AllowStreamLocalForwarding).
 * sshd connects as the login user and the socket is root's: root logins only. Anyone else (a sudo
 * user), or where forwarding is off: `sshExecBridgeOpener`.
 */
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

  function post(method: string, body: string): Promise<string> {
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
        // The console gave up: not the agent's `internal`, which would blame the agent for a slow link.
        const seconds = timeoutMs / 1000;
        settle(() => reject(new AgentClientError('timeout', `No answer to ${method} within ${seconds} s (the console stopped waiting; the agent may still be working, or the connection is slow)`, { method, seconds })));
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

  const consoleProtocols = opts.protocols ?? SUPPORTED_PROTOCOLS;
  const newest = Math.max(...consoleProtocols);
  let session: AgentSession | null = null;
  let handshake: Promise<AgentSession> | null = null;

  async function send<M extends AgentMethodName>(method: M, params: unknown, protocol: number): Promise<AgentMethodResult<M>> {
    try {
      const text = await post(method, encodeRequest(method, params ?? {}, undefined, protocol));
      return decodeResponse(method, text, maxBytes);
    } catch (err) {
      session = null;
      throw err;
    }
  }

  function shakeHands(params: AgentMethodParamsInput<'hello'>): Promise<AgentSession> {
    // `hello` is answered whatever version it carries: send our newest, then settle on the common one.
    const attempt = send('hello', params, newest).then((hello) => {
      const next = { protocol: chooseProtocol(hello, consoleProtocols), hello };
      session = next;
      return next;
    });
    handshake = attempt;
    const clear = () => {
      if (handshake === attempt) handshake = null;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  async function currentSession(): Promise<AgentSession> {
    return session ?? handshake ?? shakeHands(opts.clientName === undefined ? {} : { client: opts.clientName });
  }

  const client: AgentClient = {
    async call(method, params) {
      if (method === 'hello') {
        // The schema of M is hello's here; the cast only restates what the branch proved.
        return (await shakeHands((params ?? {}) as AgentMethodParamsInput<'hello'>)).hello as AgentMethodResult<typeof method>;
      }
      const current = await currentSession();
      requireMethod(current, method);
      return send(method, params, current.protocol);
    },
    async hello(name) {
      return (await shakeHands(name === undefined ? {} : { client: name })).hello;
    },
    session: () => session,
  };
  return client;
}
