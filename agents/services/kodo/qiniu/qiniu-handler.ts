import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDownload } from './download';
import { handleFormUpload } from './form-upload';
import { sendError, type Exchange } from './http-io';
import { handleManagement, isManagementPath } from './management';
import { QiniuError, toQiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';
import { createResumableHandler, isResumablePath, type ResumableHandler } from './resumable-upload';

export type QiniuHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Qiniu's API on one port (README.md beside this file): what Qiniu spreads over up, rs, rsf and io
 * hosts is told apart here by method, path and credentials:
 *  - `POST /` multipart/form-data: form upload;
 *  - `/buckets/<bucket>/objects/<key>/uploads…`: resumable upload v2;
 *  - `/stat|delete|move|copy|batch|list…` signed with `Authorization: Qiniu|QBox`: rs and rsf;
 *  - any other GET or HEAD: a download, `/<bucket>/<key>`.
 * Never throws: every failure is a Qiniu-style JSON error, and every request is observed by the metrics.
 */
export function createQiniuHandler(deps: QiniuDeps): QiniuHandler {
  const resumable = createResumableHandler(deps);
  return (req, res) => {
    const started = performance.now();
    const exchange: Exchange = { operation: 'unknown', bytesIn: 0, bytesOut: 0 };
    res.on('close', () => {
      try {
        // A connection closed before the answer was sent counts as 499 (nginx's "client closed request"), not the 200 not yet written.
        deps.metrics.observe({ api: 'qiniu', operation: exchange.operation, status: res.writableFinished ? res.statusCode : 499, bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut, durationMs: performance.now() - started });
      } catch {
        // a metrics sink that fails must not take the request with it
      }
    });
    route(req, res, deps, resumable, exchange).catch((error: unknown) => {
      const qiniuError = toQiniuError(error, '');
      if (!(error instanceof QiniuError)) deps.log?.('kodo.qiniu.error', { operation: exchange.operation, method: req.method, msg: error instanceof Error ? error.message : String(error) });
      try {
        sendError(res, exchange, qiniuError);
      } catch {
        res.destroy();
      }
      // What the client did not send yet is read and dropped, so the error reaches it (closing mid-upload would show as a reset).
      if (!req.readableEnded) req.resume();
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: QiniuDeps, resumable: ResumableHandler, exchange: Exchange): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kodo');
  const method = req.method ?? 'GET';
  const authorization = req.headers.authorization ?? '';
  if (method === 'POST' && url.pathname === '/') return handleFormUpload(req, res, deps, exchange);
  if (isResumablePath(url.pathname)) return resumable(req, res, exchange, url);
  if (isManagementPath(url.pathname) && /^(Qiniu|QBox) /.test(authorization)) return handleManagement(req, res, deps, exchange, url);
  if (method === 'GET' || method === 'HEAD') return handleDownload(req, res, deps, exchange, url);
  req.resume();
  throw new QiniuError(405, 'method not allowed', `${method} ${url.pathname} is not a Qiniu API this appliance serves (form upload, resumable upload v2, stat/delete/move/copy/batch/list, downloads): see the Kodo Qiniu API's README`);
}
