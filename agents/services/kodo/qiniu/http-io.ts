import type { IncomingMessage, ServerResponse } from 'node:http';
import { QiniuError } from './qiniu-error';

/** What one request did, for the metrics (../access/request-metrics.ts). */
export interface Exchange {
  operation: string;
  bytesIn: number;
  bytesOut: number;
}

export function sendJson(res: ServerResponse, exchange: Exchange, status: number, body: unknown): void {
  sendText(res, exchange, status, JSON.stringify(body), 'application/json');
}

export function sendText(res: ServerResponse, exchange: Exchange, status: number, text: string, contentType: string): void {
  const bytes = Buffer.from(text);
  exchange.bytesOut += bytes.length;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
  res.end(bytes);
}

export function sendError(res: ServerResponse, exchange: Exchange, error: QiniuError): void {
  if (res.headersSent) {
    res.destroy(error); // mid-body: the client sees a cut response, never a wrong one
    return;
  }
  sendJson(res, exchange, error.status, { error: error.error, hint: error.hint });
}

/**
 * The whole request body, for the small ones (management ops, a complete's part list); refused
 * past `limit` so a client cannot make the server hold an unbounded body.
 */
export async function readSmallBody(req: IncomingMessage, exchange: Exchange, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Not destroyed on an early exit: the rest is drained (below) so the error answer reaches the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    exchange.bytesIn += buffer.length;
    if (size > limit) {
      req.resume(); // drain the rest so the answer reaches the client
      throw new QiniuError(413, 'request entity too large', `this request's body is over ${limit} bytes: send fewer operations per request`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A path segment's percent-decoding; a malformed one is the client's error (400), not the server's. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new QiniuError(400, 'invalid path', `"${segment.slice(0, 80)}" is not valid percent-encoding: encode the key as the SDK does`);
  }
}
