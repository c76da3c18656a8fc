import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, type AccessAction, type AccessKey } from '../access/access-keys';
import type { ObjectInfo, ObjectStore } from '../store';
import { readSmallBody, sendJson, type Exchange } from './http-io';
import { hashOf, headOrNull, HASH_HEADER } from './object-hash';
import { decodeBase64Url, verifyManagementRequest } from './qiniu-auth';
import { fileExists, forbidden, invalidArgument, QiniuError, toQiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';

/**
 * rs and rsf (developer.qiniu.com/kodo/api/1308/stat …): stat, delete, move, copy, batch of
 * those, and list. Signed with `Authorization: Qiniu …` (or QBox). Entries are
 * base64url("bucket:key").
 */

const MAX_BODY = 4 * 1024 * 1024;
const MAX_BATCH = 1000;

export function isManagementPath(pathname: string): boolean {
  return /^\/(stat|delete|move|copy|batch|list)(\/|$)/.test(pathname);
}

export async function handleManagement(req: IncomingMessage, res: ServerResponse, deps: QiniuDeps, exchange: Exchange, url: URL): Promise<void> {
  const body = await readSmallBody(req, exchange, MAX_BODY);
  const now = (deps.now ?? (() => new Date()))();
  const key = verifyManagementRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, deps.keys, now);
  const [, op] = url.pathname.split('/');
  if (op === 'list') {
    exchange.operation = 'list';
    sendJson(res, exchange, 200, await list(deps.store, key, url.searchParams));
    return;
  }
  if (op === 'batch') {
    exchange.operation = 'batch';
    const ops = new URLSearchParams(body.toString('utf8')).getAll('op');
    if (ops.length === 0) throw invalidArgument('empty op', 'send one or more op=/stat/<entry>… form fields');
    if (ops.length > MAX_BATCH) throw invalidArgument('too many ops', `a batch takes at most ${MAX_BATCH} operations: split it`);
    const results: { code: number; data?: unknown }[] = [];
    for (const line of ops) {
      try {
        const data = await runOp(deps.store, key, line);
        results.push(data === undefined ? { code: 200 } : { code: 200, data });
      } catch (error) {
        const e = toQiniuError(error, '');
        results.push({ code: e.status, data: { error: e.error, hint: e.hint } });
      }
    }
    // Qiniu answers 298 when some operations failed (each has its own code).
    sendJson(res, exchange, results.every((r) => r.code === 200) ? 200 : 298, results);
    return;
  }
  exchange.operation = op ?? 'unknown';
  const data = await runOp(deps.store, key, url.pathname);
  if (data === undefined) {
    res.writeHead(200, { 'Content-Length': 0, 'Cache-Control': 'no-store' });
    res.end();
  } else sendJson(res, exchange, 200, data);
}

function decodeEntry(entry: string | undefined): { bucket: string; key: string } {
  if (!entry) throw invalidArgument('invalid entry', 'an entry is base64url("bucket:key") in the path');
  const text = decodeBase64Url(entry).toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw invalidArgument('invalid entry', `"${text}" is not "bucket:key"`);
  return { bucket: text.slice(0, colon), key: text.slice(colon + 1) };
}

function requireAccess(key: AccessKey, action: AccessAction, bucket: string): void {
  if (!authorize(key, action, bucket)) {
    throw forbidden('permission denied', `access key "${key.accessKeyId}" may not ${action} in bucket ${bucket} (${key.access}${key.bucket ? `, bucket ${key.bucket} only` : ''}): use a key with that right`);
  }
}

/** One operation: `/stat/<entry>`, `/delete/<entry>`, `/move|copy/<src>/<dest>[/force/true]`. */
async function runOp(store: ObjectStore, key: AccessKey, line: string): Promise<unknown> {
  const [, op, first, second, ...rest] = line.split('/');
  const src = decodeEntry(first);
  try {
    switch (op) {
      case 'stat': {
        requireAccess(key, 'read', src.bucket);
        return await stat(store, await store.headObject(src.bucket, src.key));
      }
      case 'delete': {
        requireAccess(key, 'write', src.bucket);
        const { deleted } = await store.deleteObject(src.bucket, src.key);
        if (!deleted) throw new QiniuError(612, 'no such file or directory', `${src.bucket}/${src.key} does not exist: nothing to delete`);
        return undefined;
      }
      case 'move':
      case 'copy': {
        const dest = decodeEntry(second);
        const force = rest[0] === 'force' && rest[1] === 'true';
        requireAccess(key, op === 'move' ? 'write' : 'read', src.bucket);
        requireAccess(key, 'write', dest.bucket);
        await copyObject(store, src, dest, force);
        if (op === 'move' && (src.bucket !== dest.bucket || src.key !== dest.key)) await store.deleteObject(src.bucket, src.key);
        return undefined;
      }
      default:
        throw invalidArgument('unknown op', `"${op ?? ''}" is not served here: stat, delete, move, copy, batch and list are (see the Kodo Qiniu API's README)`);
    }
  } catch (error) {
    throw toQiniuError(error, src.bucket, src.key);
  }
}

async function stat(store: ObjectStore, info: ObjectInfo) {
  const metadata = Object.fromEntries(Object.entries(info.userMetadata).map(([name, value]) => [`x-qn-meta-${name}`, value]));
  return {
    fsize: info.size,
    hash: await hashOf(store, info),
    mimeType: info.contentType,
    putTime: putTime(info),
    type: 0,
    status: 0,
    ...(/^[0-9a-f]{32}$/.test(info.etag) ? { md5: info.etag } : {}),
    ...(Object.keys(metadata).length > 0 ? { 'x-qn-meta': metadata } : {}),
  };
}

/** Qiniu's putTime: 100-nanosecond units since the epoch. */
const putTime = (info: ObjectInfo) => info.lastModified.getTime() * 10_000;

async function copyObject(store: ObjectStore, src: { bucket: string; key: string }, dest: { bucket: string; key: string }, force: boolean): Promise<void> {
  if (src.bucket === dest.bucket && src.key === dest.key) {
    await store.headObject(src.bucket, src.key);
    return;
  }
  if (!force && (await headOrNull(store, dest.bucket, dest.key))) throw fileExists(dest.bucket, dest.key);
  const { info, stream } = await store.getObject(src.bucket, src.key);
  const headers = { ...info.headers };
  try {
    await store.putObject(dest.bucket, dest.key, stream, { contentType: info.contentType, userMetadata: info.userMetadata, headers });
  } finally {
    stream.destroy();
  }
}

async function list(store: ObjectStore, key: AccessKey, params: URLSearchParams) {
  const bucket = params.get('bucket') ?? '';
  if (!bucket) throw invalidArgument('bucket is required', 'list takes ?bucket=<name>&prefix=&marker=&limit=&delimiter=');
  requireAccess(key, 'read', bucket);
  const limit = Number(params.get('limit') || 1000);
  if (!Number.isInteger(limit) || limit < 1) throw invalidArgument('invalid limit', 'limit is 1…1000');
  const marker = params.get('marker') || undefined;
  try {
    const page = await store.listObjects(bucket, {
      prefix: params.get('prefix') || undefined,
      delimiter: params.get('delimiter') || undefined,
      maxKeys: Math.min(limit, 1000),
      continuationToken: marker,
    });
    return {
      ...(page.isTruncated && page.nextContinuationToken ? { marker: page.nextContinuationToken } : {}),
      ...(page.commonPrefixes.length > 0 ? { commonPrefixes: page.commonPrefixes } : {}),
      items: page.objects.map((o) => ({
        key: o.key,
        // Objects written through S3 have no stored hash; list does not read them to compute one (stat does).
        hash: o.headers[HASH_HEADER] ?? '',
        fsize: o.size,
        mimeType: o.contentType,
        putTime: putTime(o),
        type: 0,
        status: 0,
        ...(/^[0-9a-f]{32}$/.test(o.etag) ? { md5: o.etag } : {}),
      })),
    };
  } catch (error) {
    throw toQiniuError(error, bucket);
  }
}
