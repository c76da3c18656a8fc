import type { Duplex } from 'node:stream';
import { AgentError } from '../protocol/errors';
import { RPC_PATH } from '../protocol/frames';

/**
 * HTTP/1.1 exchanges with the agent over streams the caller opens (an SSH channel to the agent's
 * socket, the sudo bridge's exec channel, a Unix socket in tests), with one stream kept for the
 * next exchange.
 *
 * Why not Node's `http` client: each call through it built a ClientRequest, an agent entry, a
 * parser and an IncomingMessage, and on a console watching 40 appliances that machinery was a
 * third of the CPU of a call (perf, `npm run bench -- fleet`). The agent is the other end and
 * always answers one JSON body with a Content-Length, so an exchange here is one write and a
 * bounded read: the status line, headers up to 16 KiB (Content-Length required, no chunking), and
 * exactly that many body bytes, at most `maxBytes`. Anything else is a `protocol-error`. The
 * frame inside is then read through the protocol's schemas as before.
 */

/** How long a console keeps a finished exchange's stream for the next one (see the agent's 75 s). */
export const KEPT_STREAM_IDLE_MS = 30_000;

const MAX_HEADER_BYTES = 16 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export type StreamOpener = () => Promise<Duplex>;

/**
 * The request went out on a kept stream that ended before any byte of an answer: the agent had
 * closed it (restarted, or its idle limit passed as the request was sent), so no handler saw it.
 */
export class StaleStreamError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'StaleStreamError';
  }
}

export interface Exchange {
  /** The response body (the frame), as text. */
  answer: Promise<string>;
  /** Gives up (the caller's deadline): the stream is destroyed, never reused. */
  abort(reason: Error): void;
}

interface Reader {
  onData(chunk: Buffer): void;
  onEnd(err: Error): void;
}

/** One stream and the exchange running on it, if any. */
class AgentStream {
  private reader: Reader | null = null;
  closed = false;

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      // Bytes nobody asked for: the stream is out of step with the requests; never reuse it.
      if (this.reader) this.reader.onData(chunk);
      else this.destroy();
    });
    const ended = (err?: Error) => {
      if (this.closed) return;
      this.closed = true;
      if (this.reader) this.reader.onEnd(err ?? new Error('the agent closed the connection'));
      else stream.destroy();
    };
    stream.on('error', ended);
    stream.on('end', () => ended());
    stream.on('close', () => ended());
  }

  /**
   * Writes the request and reads one response. `reused`: the stream carried an exchange before, so
   * ending before any answer byte is a StaleStreamError (the request is safe to send again).
   */
  exchange(request: string, maxBytes: number, reused: boolean): { answer: Promise<{ body: string; keep: boolean }>; abort(err: Error): void } {
    let settle!: { resolve(v: { body: string; keep: boolean }): void; reject(e: Error): void };
    const answer = new Promise<{ body: string; keep: boolean }>((resolve, reject) => (settle = { resolve, reject }));
    const chunks: Buffer[] = [];
    let received = 0;
    let bodyStart = -1;
    let bodyLength = -1;
    let keep = true;
    let done = false;
    const finish = (err: Error | null, body?: string) => {
      if (done) return;
      done = true;
      this.reader = null;
      if (err) {
        this.destroy();
        settle.reject(err);
      } else settle.resolve({ body: body!, keep: keep && !this.closed });
    };
    const protocolError = (message: string, params?: Record<string, string | number>) => new AgentError('protocol-error', message, params ? { params } : {});
    this.reader = {
      onData: (chunk) => {
        chunks.push(chunk);
        received += chunk.length;
        if (bodyStart < 0) {
          const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
          const end = head.indexOf(HEADER_END);
          if (end < 0) {
            if (received > MAX_HEADER_BYTES) finish(protocolError(`Response headers exceed ${MAX_HEADER_BYTES} bytes`));
            return;
          }
          const parsed = parseHead(head.toString('latin1', 0, end));
          if ('error' in parsed) return finish(protocolError(parsed.error));
          if (parsed.contentLength > maxBytes) return finish(protocolError(`Response exceeds the limit of ${maxBytes} bytes`, { limit: maxBytes }));
          keep = parsed.keepAlive;
          bodyStart = end + HEADER_END.length;
          bodyLength = parsed.contentLength;
          chunks.length = 0;
          chunks.push(head);
        }
        if (received > bodyStart + bodyLength) return finish(protocolError('The agent sent more than the response it announced'));
        if (received === bodyStart + bodyLength) {
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          finish(null, all.toString('utf8', bodyStart, bodyStart + bodyLength));
        }
      },
      onEnd: (err) => finish(reused && received === 0 ? new StaleStreamError(err) : err),
    };
    if (this.closed) finish(reused ? new StaleStreamError(new Error('the agent closed the connection')) : new Error('the agent closed the connection'));
    else this.stream.write(request);
    return { answer, abort: (err) => finish(err) };
  }

  destroy(): void {
    this.closed = true;
    this.stream.destroy();
  }
}

/** The status line and the headers this client needs; the rest is ignored. */
function parseHead(head: string): { contentLength: number; keepAlive: boolean } | { error: string } {
  const lines = head.split('\r\n');
  if (!/^HTTP\/1\.[01] \d{3}( .*)?$/.test(lines[0] ?? '')) return { error: 'Response is not HTTP/1.1' };
  let contentLength = -1;
  let keepAlive = lines[0]!.startsWith('HTTP/1.1');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: 'Response has a malformed header line' };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,12}$/.test(value) || contentLength >= 0) return { error: 'Response has an invalid Content-Length' };
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') return { error: 'Response uses a transfer encoding; the agent always sends a Content-Length' };
    else if (name === 'connection') keepAlive = !/\bclose\b/i.test(value);
  }
  if (contentLength < 0) return { error: 'Response has no Content-Length' };
  return { contentLength, keepAlive };
}

/**
 * Exchanges over kept streams: the stream an exchange finished on carries the next one, and is
 * closed after `idleMs` unused (0: a stream per exchange, `Connection: close`, as the console did
 * before). An exchange that finds the kept stream busy opens its own, so a slow call (inventory,
 * SMART with refresh) never holds up a health check; when it finishes, its stream is kept only if
 * none is. The idle timer is unref'd: a kept stream never holds a short-lived process open.
 */
export function createKeptStreams(opts: { open: StreamOpener; idleMs: number; token: string }) {
  let idle: { stream: AgentStream; timer: NodeJS.Timeout } | null = null;
  const keepAlive = opts.idleMs > 0;

  const take = (): AgentStream | null => {
    if (!idle) return null;
    const { stream, timer } = idle;
    idle = null;
    clearTimeout(timer);
    return stream.closed ? null : stream;
  };
  const putBack = (stream: AgentStream) => {
    if (!keepAlive || idle || stream.closed) return stream.destroy();
    const timer = setTimeout(() => {
      if (idle?.stream === stream) idle = null;
      stream.destroy();
    }, opts.idleMs);
    timer.unref();
    idle = { stream, timer };
  };

  function request(body: string): string {
    return (
      `POST ${RPC_PATH} HTTP/1.1\r\nHost: appliance-agent\r\nAuthorization: Bearer ${opts.token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n${body}`
    );
  }

  return {
    exchange(body: string, maxBytes: number): Exchange {
      let aborted: Error | null = null;
      let running: { abort(err: Error): void } | null = null;
      let giveUp: (err: Error) => void = () => undefined;
      const stopped = new Promise<never>((_resolve, reject) => (giveUp = reject));
      // Settles with the answer, or at once when the caller gives up (a stream still opening too).
      const answer = Promise.race([
        stopped,
        (async () => {
          const kept = take();
          const stream = kept ?? new AgentStream(await opts.open());
          if (aborted) {
            stream.destroy();
            throw aborted;
          }
          const ex = stream.exchange(request(body), maxBytes, kept !== null);
          running = ex;
          const { body: text, keep } = await ex.answer;
          if (keep) putBack(stream);
          else stream.destroy();
          return text;
        })(),
      ]);
      // The race's loser may reject later (the stream opened after the deadline): nobody waits for it.
      answer.catch(() => undefined);
      return {
        answer,
        abort(err) {
          aborted = err;
          running?.abort(err);
          giveUp(err);
        },
      };
    },
    /** Closes the kept stream (the connection it runs on is going away). */
    close(): void {
      take()?.destroy();
    },
  };
}
