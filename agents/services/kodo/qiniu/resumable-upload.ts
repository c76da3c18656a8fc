import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Exchange } from './http-io';
import { QiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';

export function isResumablePath(pathname: string): boolean {
  return /^\/buckets\/[^/]+\/objects\/[^/]+\/uploads(\/|$)/.test(pathname);
}

export async function handleResumable(req: IncomingMessage, _res: ServerResponse, _deps: QiniuDeps, exchange: Exchange, _url: URL): Promise<void> {
  exchange.operation = 'resumable-upload';
  req.resume();
  throw new QiniuError(501, 'not implemented', 'resumable upload v2 waits for the store\'s multipart uploads: use form upload meanwhile');
}
