import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatcher } from '../../api/dispatcher';
import { CONTENT_SECURITY_POLICY } from '../../contract/content-security-policy';
import { ApiError, type ApiErrorCode } from '../../contract/errors';
import { HTTP_PATHS } from '../../contract/transport';
import type { EventBus } from '../../core/event-bus';
import type { Logger } from '../../core/log';
import { createSessionAuth, sessionCookieName } from './session-auth';
import { createStaticFiles } from './static-files';
import { loginRequiredPage } from './login-page';

export interface ServeHostOptions {
  dispatcher: Dispatcher;
  events: EventBus;
  log: Logger;
  /** The built renderer (out/renderer). */
  staticDir: string;
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** Fixed token (tests, scripted use); random by default. */
  token?: string;
  /** Who the audit log names as the caller. */
  actor: string;
}

export interface ServeHost {
  url: string;
  loginUrl: string;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const STATUS: Record<ApiErrorCode, number> = {
  'invalid-input': 400,
  'unknown-method': 404,
  'not-found': 404,
  conflict: 409,
  unauthorized: 401,
  'store-refused': 500,
  internal: 500,
};

/**
 * The headless host: the built UI and the API over HTTP (calls) and WebSocket (events), for a
 * console on a jump host or in a test. Every request needs the session token; POSTs and WebSocket
 * upgrades must also come from our own origin, so another page in the same browser cannot call the
 * API even if it guesses the port.
 */
export async function startServeHost(opts: ServeHostOptions): Promise<ServeHost> {
  const auth = createSessionAuth(opts.token);
  const files = createStaticFiles(opts.staticDir);
  const secure = Boolean(opts.tls);
  const scheme = secure ? 'https' : 'http';
  const log = opts.log;

  // The same on every response: built once.
  const securityHeaders: Readonly<Record<string, string>> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(secure ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  };
  const sendError = (res: http.ServerResponse, err: ApiError) => sendJson(res, STATUS[err.code], { ok: false, error: err.toBody() });

  /** Same-origin check: browsers always send Origin on POST and WebSocket; tools (curl, CLI) send none. */
  const originAllowed = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return origin === `${scheme}://${req.headers.host ?? ''}`;
  };

  async function handleCall(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { ...securityHeaders, Allow: 'POST' });
      res.end();
      return;
    }
    if (!originAllowed(req)) return sendError(res, new ApiError('unauthorized', 'Cross-origin calls are refused'));
    // Requiring JSON forces a CORS preflight for any cross-site form or fetch, which we never answer.
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendError(res, new ApiError('invalid-input', 'Send the call input as Content-Type: application/json'));
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        // The body was read and discarded (up to a bound), so the client gets to read why.
        res.setHeader('Connection', 'close');
        if (err.abort) res.once('finish', () => req.destroy());
        return sendJson(res, 413, { ok: false, error: new ApiError('invalid-input', err.message, { params: { limitKiB: MAX_BODY_BYTES / 1024 } }).toBody() });
      }
      return sendError(res, err instanceof ApiError ? err : new ApiError('invalid-input', 'The request body is not valid JSON'));
    }
    const outcome = await opts.dispatcher.call(method, body, { host: 'serve', actor: opts.actor });
    sendJson(res, outcome.ok ? 200 : STATUS[outcome.error.code], outcome);
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname === HTTP_PATHS.login) {
      if (!auth.matches(url.searchParams.get('token') ?? undefined)) {
        res.writeHead(401, { ...securityHeaders, 'Content-Type': 'text/html; charset=utf-8' });
        res.end(loginRequiredPage('The login link is wrong or has expired.'));
        return;
      }
      // Redirect so the token leaves the address bar and history.
      res.writeHead(302, { ...securityHeaders, 'Set-Cookie': auth.cookie(secure), Location: '/', 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (!auth.isAuthorised(req)) {
      if (url.pathname.startsWith('/api/')) return sendError(res, new ApiError('unauthorized', 'Log in with the URL printed by appliance-console serve'));
      res.writeHead(401, { ...securityHeaders, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(loginRequiredPage());
      return;
    }
    if (url.pathname.startsWith(HTTP_PATHS.call)) {
      const method = url.pathname.slice(HTTP_PATHS.call.length);
      handleCall(req, res, method).catch((err: unknown) => {
        log.error('call failed outside the dispatcher', { error: String(err) });
        if (!res.headersSent) sendError(res, new ApiError('internal', 'The console failed to answer'));
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, securityHeaders);
      res.end();
      return;
    }
    if (!files.send(url.pathname, res, securityHeaders)) {
      if (url.pathname === '/' && !files.exists()) {
        res.writeHead(503, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`The console UI is not built (${files.root} is missing). Run: npm run build\n`);
        return;
      }
      res.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    }
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : http.createServer(onRequest);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  // Events: one WebSocket per open console page, fed from the event bus.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== HTTP_PATHS.events || !auth.isAuthorised(req) || !originAllowed(req)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // The client only listens; anything it sends is ignored rather than parsed.
    });
  });
  const unsubscribe = opts.events.subscribe((event, payload) => {
    const msg = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
  });
  // Pings keep NATs and proxies from dropping idle sockets and let us notice dead peers.
  const pinger = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.ping();
  }, 25_000);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  auth.useCookieName(sessionCookieName(addr.port, secure));
  // A wildcard bind is reached by the machine's name, not by 0.0.0.0.
  const reachable = addr.address === '0.0.0.0' || addr.address === '::' ? os.hostname() : addr.address;
  const hostPart = net.isIPv6(reachable) ? `[${reachable}]` : reachable;
  const base = `${scheme}://${hostPart}:${addr.port}`;
  log.info('headless host listening', { url: base });

  return {
    url: base,
    loginUrl: `${base}${HTTP_PATHS.login}?token=${encodeURIComponent(auth.token)}`,
    token: auth.token,
    async close() {
      clearInterval(pinger);
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Past this, an oversized body is not even drained: the connection is cut after the answer. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

class BodyTooLargeError extends Error {
  constructor(readonly abort: boolean) {
    super(`The request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  }
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES. A larger one is read to its end and thrown away
 * (a client still sending cannot read an early answer; it sees a reset), unless it passes
 * MAX_DRAIN_BYTES, when we answer at once and close.
 */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN_BYTES) return reject(new BodyTooLargeError(true));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else chunks.length = 0;
      if (size > MAX_DRAIN_BYTES && !settled) {
        settled = true;
        reject(new BodyTooLargeError(true));
      }
    });
    req.on('end', () => {
      if (settled) return;
      if (size > MAX_BODY_BYTES) return reject(new BodyTooLargeError(false));
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError('invalid-input', 'The request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}
