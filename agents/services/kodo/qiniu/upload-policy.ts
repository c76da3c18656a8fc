import { randomUUID } from 'node:crypto';
import type { UploadGrant } from './qiniu-auth';
import { forbidden, invalidArgument, QiniuError } from './qiniu-error';

/** The put policy's rules for one upload, shared by form and resumable uploads. */

/** What an upload names before its bytes arrive, for the key and returnBody. */
export interface UploadRequest {
  /** The key the client sent (form `key`, resumable's encoded object name); null when it sent none. */
  key: string | null;
  fname: string;
  mimeType: string;
  /** `x:name` custom variables. */
  vars: Record<string, string>;
}

export interface StoredUpload {
  bucket: string;
  key: string;
  hash: string;
  fsize: number;
  mimeType: string;
  fname: string;
  endUser: string;
  vars: Record<string, string>;
}

/**
 * The object's key, as Qiniu decides it: forceSaveKey's saveKey, else the client's key, else
 * saveKey, else the key in the scope; then checked against the scope. Qiniu would use the file's
 * hash when nothing names a key; that needs the bytes before the key, which this store cannot do
 * (keys are fixed when a write starts), so it is refused.
 */
export function resolveKey(grant: UploadGrant, request: UploadRequest, now: Date): string {
  const { policy, scopeKey } = grant;
  const prefixal = policy.isPrefixalScope === 1;
  let key: string | null;
  if (policy.saveKey && policy.forceSaveKey) key = expandSaveKey(policy.saveKey, request, grant, now);
  else if (request.key !== null) key = request.key;
  else if (policy.saveKey) key = expandSaveKey(policy.saveKey, request, grant, now);
  else if (scopeKey !== null && !prefixal) key = scopeKey;
  else key = null;
  if (key === null) {
    throw invalidArgument('key is required', 'this appliance cannot name an object after its hash: send a key (or set saveKey or a "bucket:key" scope in the token)');
  }
  if (scopeKey !== null && (prefixal ? !key.startsWith(scopeKey) : key !== scopeKey)) {
    throw forbidden("key doesn't match with scope", `the token allows ${prefixal ? `keys starting "${scopeKey}"` : `only the key "${scopeKey}"`}, not "${key}": upload under that key or issue a token for this one`);
  }
  return key;
}

/**
 * Whether an existing object under the key may be replaced: only with a `bucket:key` scope and
 * no insertOnly (Qiniu: a bucket-only or prefixal scope adds new files; the same content again
 * succeeds without a write, other content is refused with 614).
 */
export function mayOverwrite(grant: UploadGrant): boolean {
  return grant.scopeKey !== null && grant.policy.isPrefixalScope !== 1 && grant.policy.insertOnly !== 1;
}

function expandSaveKey(template: string, request: UploadRequest, grant: UploadGrant, now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const dot = request.fname.lastIndexOf('.');
  const values: Record<string, string> = {
    fname: request.fname,
    ext: dot > 0 ? request.fname.slice(dot) : '',
    fprefix: dot > 0 ? request.fname.slice(0, dot) : request.fname,
    bucket: grant.bucket,
    endUser: grant.policy.endUser ?? '',
    uuid: randomUUID(),
    year: String(now.getUTCFullYear()),
    mon: two(now.getUTCMonth() + 1),
    day: two(now.getUTCDate()),
    hour: two(now.getUTCHours()),
    min: two(now.getUTCMinutes()),
    sec: two(now.getUTCSeconds()),
  };
  return template.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
    if (name.startsWith('x:')) {
      const value = request.vars[name];
      if (value !== undefined) return value;
      throw invalidArgument('invalid saveKey', `saveKey uses $(${name}) but the upload did not send it before the file: send custom variables before the file, or drop them from saveKey`);
    }
    const value = values[name];
    if (value === undefined) throw invalidArgument('invalid saveKey', `saveKey uses $(${name}), which this appliance cannot fill in before the upload's bytes arrive ($(etag) and $(hash) are known only after): use $(fname), $(ext), $(uuid), $(year)… or x: variables`);
    return value;
  });
}

/** mimeLimit: `image/*;text/plain` allows those, `!application/json;…` allows all but those. */
export function checkMime(grant: UploadGrant, mimeType: string): void {
  const limit = grant.policy.mimeLimit;
  if (!limit) return;
  const negated = limit.startsWith('!');
  const patterns = (negated ? limit.slice(1) : limit).split(';').map((p) => p.trim()).filter(Boolean);
  const type = mimeType.split(';')[0]!.trim().toLowerCase();
  const matches = patterns.some((p) => (p.endsWith('/*') ? type.startsWith(p.slice(0, -1).toLowerCase()) : type === p.toLowerCase()));
  if (matches === negated) throw forbidden('limited mimeType', `the token's mimeLimit "${limit}" does not allow ${type}: upload another type or issue a token that allows it`);
}

/** fsizeLimit while the bytes arrive, fsizeMin once they have. */
export function checkSize(grant: UploadGrant, size: number, done: boolean): void {
  const { fsizeLimit, fsizeMin } = grant.policy;
  if (fsizeLimit != null && size > fsizeLimit) throw new QiniuError(413, 'exceed FsizeLimit', `the token allows files up to ${fsizeLimit} bytes: upload a smaller file or issue a token with a larger fsizeLimit`);
  if (done && fsizeMin != null && size < fsizeMin) throw forbidden('file too small', `the token needs files of at least ${fsizeMin} bytes, this one has ${size}`);
}

/** The answer to a finished upload: returnBody with its magic variables, or Qiniu's default `{hash, key}`. */
export function renderReturnBody(grant: UploadGrant, upload: StoredUpload): string {
  const template = grant.policy.returnBody;
  if (!template) return JSON.stringify({ hash: upload.hash, key: upload.key });
  const dot = upload.fname.lastIndexOf('.');
  const values: Record<string, string> = {
    bucket: upload.bucket,
    key: upload.key,
    etag: upload.hash,
    hash: upload.hash,
    fsize: String(upload.fsize),
    mimeType: upload.mimeType,
    fname: upload.fname,
    ext: dot > 0 ? upload.fname.slice(dot) : '',
    fprefix: dot > 0 ? upload.fname.slice(0, dot) : upload.fname,
    endUser: upload.endUser,
  };
  // Values go in as the inside of a JSON string ("$(key)" in the template), as Qiniu's do.
  const inString = (value: string) => JSON.stringify(value).slice(1, -1);
  return template.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
    const value = name.startsWith('x:') ? upload.vars[name] : values[name];
    return value === undefined ? '' : inString(value);
  });
}
