import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AgentError } from '../../protocol/errors';
import { errorFrame, httpStatusFor, RPC_PATH, type ResponseFrame } from '../../protocol/frames';
import type { Logger } from '../logging/logger';
import type { Dispatch } from './dispatcher';

/**
 * The control API: HTTP/1.1 on a Unix socket (mode 0600 in a 0700 directory), and on loopback TCP
 * where configured. HTTP because ssh2's `openssh_forwardOutStreamLocal` and `curl --unix-socket`
 * carry it as is, and a request/response per call needs no framing of our own. Order of checks:
 * bearer token first (nothing of an unauthenticated request is parsed), then path, content type and
 * size (the body is never buffered past the limit), then the frame itself (dispatcher).
 */
export interface ControlServer {
  listen(): Promise<string[]>;
  close(): Promise<void>;
}

export interface ControlServerDeps {
  dispatch: Dispatch;
  checkToken: (authorization: string | undefined) => boolean;
  maxRequestBytes: number;
  socketPath: string;
  /** The agent's private run directory: forced to 0700 when it holds the socket. */
  runDir: string;
  tcp: { host: string; port: number } | null;
  log: Logger;
}

function send(res: http.ServerResponse, status: number, frame: ResponseFrame, close = false): void {
  const body = JSON.stringify(frame);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

function reject(res: http.ServerResponse, error: AgentError, close = false): void {
  send(res, httpStatusFor(error.code), errorFrame(error.toBody(), undefined), close);
}

/** How long an idle kept-alive connection stays open: longer than a console's own idle limit (30 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 75_000;

export function createControlServer(deps: ControlServerDeps): ControlServer {
  const { log, maxRequestBytes } = deps;

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!deps.checkToken(req.headers.authorization)) {
      log.warn('control.unauthorized', { msg: req.headers.authorization ? 'wrong bearer token' : 'no bearer token', path: (req.url ?? '').slice(0, 64) });
      return reject(res, new AgentError('unauthorized', 'A valid bearer token is required'), true);
    }
    if (req.method !== 'POST' || req.url !== RPC_PATH) {
      return reject(res, new AgentError('not-supported', `Only POST ${RPC_PATH} is served`));
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return reject(res, new AgentError('protocol-error', 'Content-Type must be application/json'), true);
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxRequestBytes) {
      return reject(res, new AgentError('protocol-error', `Request of ${declared} bytes exceeds the limit of ${maxRequestBytes} bytes`, { params: { limit: maxRequestBytes } }), true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      if (tooBig) return;
      size += chunk.length;
      if (size > maxRequestBytes) {
        // Chunked bodies have no declared length: stop reading at the limit and drop the connection.
        tooBig = true;
        reject(res, new AgentError('protocol-error', `Request exceeds the limit of ${maxRequestBytes} bytes`, { params: { limit: maxRequestBytes } }), true);
        // Let the answer reach the client, then drop the rest of the body with the connection.
        res.once('finish', () => req.destroy());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooBig) return;
      deps
        .dispatch(Buffer.concat(chunks))
        .then(({ status, frame }) => send(res, status, frame))
        .catch((err: unknown) => {
          log.error('control.dispatch-failed', { error: err as Error });
          reject(res, new AgentError('internal', 'The agent failed to answer; see the agent log'));
        });
    });
  }

  function makeServer(): http.Server {
    // A console keeps one connection per appliance open between its 10-second rounds and closes it
    // after 30 s idle (KEPT_STREAM_IDLE_MS, agents/client); idle connections are closed here only
    // well after that, so the console, not the agent, ends an idle one (no request races a close).
    const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handle);
    server.maxConnections = 64;
    server.on('clientError', (_err, socket) => socket.destroy());
    return server;
  }

  const servers: http.Server[] = [];

  function listenOn(server: http.Server, target: string | { host: string; port: number }): Promise<void> {
    return new Promise((resolve, rejectListen) => {
      server.once('error', rejectListen);
      const done = () => {
        server.off('error', rejectListen);
        resolve();
      };
      if (typeof target === 'string') {
        // bind(2) creates the socket file inside listen(): with this umask it is born 0600, so no
        // client can connect in a window before the chmod below.
        const previous = process.umask(0o177);
        try {
          server.listen(target, done);
        } finally {
          process.umask(previous);
        }
      } else server.listen(target.port, target.host, done);
    });
  }

  return {
    async listen() {
      const addresses: string[] = [];
      // TCP first: the Unix socket answering is the readiness signal (--daemon, the console, tests),
      // so it must be the last listener to come up.
      if (deps.tcp) {
        const tcpServer = makeServer();
        await listenOn(tcpServer, deps.tcp);
        servers.push(tcpServer);
        const addr = tcpServer.address();
        addresses.push(typeof addr === 'object' && addr ? `tcp:${addr.address}:${addr.port}` : `tcp:${deps.tcp.host}:${deps.tcp.port}`);
      }
      const socketDir = path.dirname(deps.socketPath);
      fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
      if (path.resolve(socketDir) === path.resolve(deps.runDir)) fs.chmodSync(socketDir, 0o700);
      // The caller holds the pid lock, so a socket file left here belongs to a dead agent.
      fs.rmSync(deps.socketPath, { force: true });
      const unixServer = makeServer();
      await listenOn(unixServer, deps.socketPath);
      fs.chmodSync(deps.socketPath, 0o600);
      servers.push(unixServer);
      addresses.unshift(`unix:${deps.socketPath}`);
      return addresses;
    },
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      servers.length = 0;
      fs.rmSync(deps.socketPath, { force: true });
    },
  };
}
