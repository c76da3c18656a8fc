import net from 'node:net';
import type { Duplex } from 'node:stream';
import { decodeResponse, DEFAULT_MAX_RESPONSE_BYTES, encodeRequest, SUPPORTED_PROTOCOLS } from '../protocol/frames';
import type { AgentMethodName, AgentMethodParamsInput, AgentMethodResult } from '../protocol/methods';
import type { HelloResult } from '../protocol/payloads/hello';
import { AgentClientError } from './client-errors';
import { startDeadline } from './deadline';
import { chooseProtocol, requireMethod, type AgentSession } from './negotiate';
import { createKeptStreams, StaleStreamError, type StreamOpener } from './kept-streams';

export { AgentClientError } from './client-errors';
export { KEPT_STREAM_IDLE_MS } from './kept-streams';
export type { AgentSession } from './negotiate';
export { sshExecBridgeOpener } from './ssh-bridge-opener';

/**
 * The console's client of the agent's control API. It speaks HTTP/1.1 over any byte stream the
 * caller opens — a local Unix socket in tests, an SSH channel to the appliance's socket
 * (`openssh_forwardOutStreamLocal`) or to its loopback TCP port (`forwardOut`) in the console — and
 * reads every answer through the shared protocol schemas: a result the schema refuses is a
 * `protocol-error`, never data.
 *
 * With `idleMs`, streams are kept alive (HTTP/1.1 keep-alive, `kept-streams.ts`): the stream a
 * call finished on carries the next call, and is closed after `idleMs` without one. A call made
 * while that stream is busy opens one of its own (so a slow `smart.v1` never holds up a health
 * check), and a call that times out destroys its stream, so nothing is left half-open. Why: a
 * stream per call costs SSH packets for the channel's open and close around the request and an
 * accepted connection on the agent; a kept stream sends the request alone. With Node's http client
 * replaced as well, a watch call over SSH to a testbed agent went from 0.63 to 0.40 ms of the
 * console's CPU. Without `idleMs` (the provisioner, tests) each call has its own stream.
 *
 * Every session starts with `hello` (done for the caller before its first call): the client picks
 * the highest protocol version both sides speak and refuses, without sending it, a method the agent
 * did not announce. A failed call drops the session, so the next one shakes hands again (the agent
 * may have been restarted or reprovisioned meanwhile).
 */
export type { StreamOpener } from './kept-streams';

export interface AgentClientOptions {
  open: StreamOpener;
  token: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Sent in the implicit `hello` (the agent logs it). */
  clientName?: string;
  /** Protocol versions this console speaks; defaults to the shared schemas' (a test seam). */
  protocols?: readonly number[];
  /**
   * How long a finished call's stream is kept for the next call (default 0: a stream per call,
   * `Connection: close`). The console's pooled connections keep one (KEPT_STREAM_IDLE_MS).
   */
  idleMs?: number;
  /** Called whenever the agent answered: the link is alive (the SSH pool defers its keepalive). */
  onAnswer?: () => void;
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

/** Methods that start something on the appliance: never sent twice, even when the first send surely did not arrive. */
const NOT_RETRIED: ReadonlySet<string> = new Set(['smart-selftest.v1']);

export function createAgentClient(opts: AgentClientOptions): AgentClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const streams = createKeptStreams({ open: opts.open, idleMs: opts.idleMs ?? 0, token: opts.token });

  /**
   * One exchange on the kept stream when it is free, else on a new one. A kept stream the agent
   * closed just as this request went out (an agent restarting, or an older agent whose idle limit
   * is 5 s) ends before any answer: the request never reached a handler, so it is sent again once
   * on a new stream — except a method that starts something (`smart-selftest.v1`).
   */
  async function post(method: string, body: string): Promise<string> {
    try {
      return await postOnce(method, body);
    } catch (err) {
      if (err instanceof StaleStreamError && !NOT_RETRIED.has(method)) return postOnce(method, body);
      throw err instanceof StaleStreamError ? (err.cause as Error) : err;
    }
  }

  async function postOnce(method: string, body: string): Promise<string> {
    const exchange = streams.exchange(body, maxBytes);
    const deadline = startDeadline(timeoutMs, () => {
      // The console gave up: not the agent's `internal`, which would blame the agent for a slow link.
      const seconds = timeoutMs / 1000;
      exchange.abort(new AgentClientError('timeout', `No answer to ${method} within ${seconds} s (the console stopped waiting; the agent may still be working, or the connection is slow)`, { method, seconds }));
    });
    try {
      const text = await exchange.answer;
      opts.onAnswer?.();
      return text;
    } finally {
      deadline.cancel();
    }
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
