import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { authorize } from '../access/access-keys';
import type { ByteRange } from '../store';
import { decodePathSegment, type Exchange } from './http-io';
import { HASH_HEADER } from './object-hash';
import { verifyDownloadToken } from './qiniu-auth';
import { forbidden, invalidArgument, QiniuError, toQiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';

/**
 * Downloads (Qiniu's io / bucket domains): `GET /<bucket>/<key>`, with `?e=<deadline>&token=…`
 * (BucketManager.privateDownloadUrl with the domain `http://<appliance>:<port>/<bucket>`) unless
 * the bucket is public-read. Path-style because the appliance has no per-bucket domains;
 * HEAD and a single byte Range are served.
 */
export async function handleDownload(req: IncomingMessage, res: ServerResponse, deps: QiniuDeps, exchange: Exchange, url: URL): Promise<void> {
  exchange.operation = 'download';
  req.resume();
  const [, encodedBucket = '', ...rest] = url.pathname.split('/');
  const bucket = decodePathSegment(encodedBucket);
  const key = decodePathSegment(rest.join('/'));
  if (!bucket || !key) throw invalidArgument('invalid path', 'download URLs are http://<appliance>:<port>/<bucket>/<key>');
  const now = (deps.now ?? (() => new Date()))();
  const hasToken = url.searchParams.has('token');
  // A signed URL is checked even on a public bucket (a wrong one is refused, as Qiniu does).
  if (hasToken || !(await publicRead(deps, bucket))) {
    if (!hasToken) throw new QiniuError(401, 'download token not specified', `bucket ${bucket} is private: sign the URL (BucketManager.privateDownloadUrl), or make the bucket public-read`);
    const secure = (req.socket as TLSSocket).encrypted === true;
    const key = verifyDownloadToken({ url: req.url ?? '', host: req.headers.host ?? '', secure }, deps.keys, now);
    if (!authorize(key, 'read', bucket)) throw forbidden('permission denied', `access key "${key.accessKeyId}" may not read bucket ${bucket}: sign with a key for it`);
  }
  try {
    const range = parseRange(req.headers.range);
    const result = await deps.store.getObject(bucket, key, range);
    const { info, stream } = result;
    const headers: Record<string, string | number> = {
      'Content-Type': info.contentType,
      'Last-Modified': info.lastModified.toUTCString(),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'no-store',
    };
    // Qiniu's ETag is the hash; computing it for an object written through S3 would read it twice, so those send the MD5.
    const stored = info.headers[HASH_HEADER];
    headers.ETag = `"${stored ?? info.etag}"`;
    if (result.range) {
      headers['Content-Range'] = `bytes ${result.range.start}-${result.range.end}/${info.size}`;
      headers['Content-Length'] = result.range.end - result.range.start + 1;
    } else headers['Content-Length'] = info.size;
    res.writeHead(result.range ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    stream.on('data', (chunk: Buffer) => {
      exchange.bytesOut += chunk.length;
    });
    await pipeline(stream, res);
  } catch (error) {
    const e = toQiniuError(error, bucket, key);
    // Qiniu's download domains answer a missing file with 404, not rs's 612.
    if (e.status === 612 || e.status === 631) throw new QiniuError(404, 'Document not found', e.hint);
    throw e;
  }
}

function parseRange(header: string | undefined): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // several ranges or a malformed one: the whole object, as HTTP allows
  if (m[1] === '') return { suffix: Number(m[2]) };
  return m[2] === '' ? { start: Number(m[1]) } : { start: Number(m[1]), end: Number(m[2]) };
}

async function publicRead(deps: QiniuDeps, bucket: string): Promise<boolean> {
  try {
    return (await deps.store.getBucketSettings(bucket)).publicRead;
  } catch (error) {
    throw toQiniuError(error, bucket);
  }
}
