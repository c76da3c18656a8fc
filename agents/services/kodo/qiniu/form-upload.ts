import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import busboy from 'busboy';
import { sendText, type Exchange } from './http-io';
import { hashOnly, hashOf, headOrNull, putHashed, type HashedPut } from './object-hash';
import { verifyUploadToken, type UploadGrant } from './qiniu-auth';
import { fileExists, invalidArgument, QiniuError, toQiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';
import { checkMime, checkSize, mayOverwrite, renderReturnBody, resolveKey, type StoredUpload, type UploadRequest } from './upload-policy';

/**
 * Form upload (developer.qiniu.com/kodo/api/1312/upload): `POST /` as multipart/form-data with
 * `token`, `key`, the `file`, then (the SDK sends them after the file) `x:` variables,
 * `x-qn-meta-*` metadata and `crc32`. The file streams into the store as it arrives (memory: the
 * store's stripe, whatever the file's size); the fields after it are read before the object is
 * committed, so a crc32 mismatch or a bad field aborts the write.
 */
export async function handleFormUpload(req: IncomingMessage, res: ServerResponse, deps: QiniuDeps, exchange: Exchange): Promise<void> {
  exchange.operation = 'form-upload';
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    throw invalidArgument('invalid multipart format', 'a form upload is a multipart/form-data POST with token, key and file fields (FormUploader.put)');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 1000, fieldSize: 64 * 1024, parts: 1002 } });
  } catch (error) {
    throw invalidArgument('invalid multipart format', `${error instanceof Error ? error.message : String(error)}: send a well-formed multipart/form-data body`);
  }
  const fields = new Map<string, string>();
  let upload: Promise<{ grant: UploadGrant; stored: StoredUpload }> | null = null;
  let fileStream: Readable | null = null;
  const formDone = new Promise<void>((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', (error: unknown) => {
      const malformed = invalidArgument('invalid multipart format', `${error instanceof Error ? error.message : String(error)}: the form body is malformed or cut short`);
      fileStream?.destroy(malformed); // a write in progress ends with the form
      reject(malformed);
    });
  });
  formDone.catch(() => undefined); // awaited below; a failure before then is not unhandled
  parser.on('field', (name, value) => fields.set(name, value));
  // A client that goes away mid-form ends the write too (the store removes what it wrote), rather than leaving it waiting for bytes.
  req.on('close', () => {
    if (req.complete) return;
    const gone = invalidArgument('upload interrupted', 'the client closed the connection before the form ended: upload again');
    fileStream?.destroy(gone);
    parser.destroy(gone);
  });
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || upload) {
      stream.resume();
      return;
    }
    fileStream = stream;
    upload = receiveFile(stream, info.filename ?? '', info.mimeType, fields, formDone, deps);
    // A refused or failed upload stops reading the file: drain it, so the form (and the request) ends and the answer can go out.
    upload.catch(() => stream.resume());
  });
  countedReq(req, exchange).pipe(parser);
  await formDone;
  if (!upload) throw invalidArgument('file is required', 'the form has no "file" part: send the file in a part named "file"');
  const { grant, stored } = await (upload as Promise<{ grant: UploadGrant; stored: StoredUpload }>);
  const body = renderReturnBody(grant, stored);
  if (grant.policy.returnUrl) {
    // Qiniu's returnUrl: the browser is sent on with the result (base64url) as upload_ret.
    const target = `${grant.policy.returnUrl}${grant.policy.returnUrl.includes('?') ? '&' : '?'}upload_ret=${Buffer.from(body).toString('base64url')}`;
    res.writeHead(303, { Location: target, 'Content-Length': 0 });
    res.end();
    return;
  }
  sendText(res, exchange, 200, body, 'application/json');
}

function countedReq(req: IncomingMessage, exchange: Exchange): IncomingMessage {
  req.on('data', (chunk: Buffer) => {
    exchange.bytesIn += chunk.length;
  });
  return req;
}

async function receiveFile(
  file: Readable,
  filename: string,
  partMime: string,
  fields: Map<string, string>,
  formDone: Promise<void>,
  deps: QiniuDeps,
): Promise<{ grant: UploadGrant; stored: StoredUpload }> {
  const token = fields.get('token');
  if (!token) throw invalidArgument('token not specified', 'send the upload token in a "token" field before the file (FormUploader does)');
  const now = (deps.now ?? (() => new Date()))();
  const grant = verifyUploadToken(token, deps.keys, now);
  const vars = customVars(fields);
  const mimeType = partMime || 'application/octet-stream';
  const request: UploadRequest = { key: fields.has('key') ? fields.get('key')! : null, fname: filename, mimeType, vars };
  const key = resolveKey(grant, request, now);
  checkMime(grant, mimeType);
  const { bucket } = grant;
  let receivedCrc = 0;
  try {
    const options: HashedPut = {
      contentType: mimeType,
      userMetadata: {},
      onProgress: (size) => checkSize(grant, size, false),
      beforeCommit: async (size) => {
        await formDone; // the fields sent after the file are in
        checkSize(grant, size, true);
        const sent = fields.get('crc32');
        if (sent !== undefined && sent !== '') {
          // crc32 of the bytes as they arrived; the check the SDK asks for with checkCrc.
          if (Number(sent) !== receivedCrc) throw new QiniuError(406, 'crc32 not match', `the file's CRC32 is ${receivedCrc}, the form says ${sent}: the bytes changed on the way; upload again`);
        }
        return metadataFields(fields);
      },
    };
    const body = (async function* () {
      // Not destroyed when the write stops early: a refused upload drains the rest of the file
      // (below), so busboy reaches the end of the form and the error can be answered.
      for await (const chunk of file.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        receivedCrc = crc32(chunk, receivedCrc);
        yield chunk;
      }
    })();
    const existing = mayOverwrite(grant) ? null : await headOrNull(deps.store, bucket, key);
    let hash: string;
    let size: number;
    if (existing) {
      // Add-only: the same bytes again succeed without a write; other bytes are refused.
      ({ hash, size } = await hashOnly(body, options));
      if (hash !== (await hashOf(deps.store, existing))) throw fileExists(bucket, key);
    } else {
      const put = await putHashed(deps.store, bucket, key, body, options);
      ({ hash } = put);
      size = put.info.size;
    }
    return { grant, stored: { bucket, key, hash, fsize: size, mimeType, fname: filename, endUser: grant.policy.endUser ?? '', vars: customVars(fields) } };
  } catch (error) {
    throw toQiniuError(error, bucket, key);
  }
}

export function customVars(fields: Map<string, string> | Record<string, string>): Record<string, string> {
  const entries = fields instanceof Map ? [...fields] : Object.entries(fields);
  return Object.fromEntries(entries.filter(([name]) => name.startsWith('x:')));
}

/** `x-qn-meta-<name>` fields → the store's user metadata `<name>` (what S3 shows as x-amz-meta-<name>). */
export function metadataFields(fields: Map<string, string> | Record<string, string>): Record<string, string> {
  const entries = fields instanceof Map ? [...fields] : Object.entries(fields);
  return Object.fromEntries(entries.filter(([name]) => name.toLowerCase().startsWith('x-qn-meta-')).map(([name, value]) => [name.slice('x-qn-meta-'.length).toLowerCase(), value]));
}

