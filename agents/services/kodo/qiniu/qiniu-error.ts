import { StoreError } from '../store';

/**
 * An answer in Qiniu's error shape: `{"error": "<Qiniu's text>", "hint": "<what to do>"}` with
 * Qiniu's status code. `error` keeps the exact text Qiniu's servers send ("bad token", "file
 * exists", …) because applications match on it; `hint` is ours, for the person reading the log.
 */
export class QiniuError extends Error {
  override readonly name = 'QiniuError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly hint: string,
  ) {
    super(`${status} ${error}: ${hint}`);
  }
}

export const badToken = (hint: string) => new QiniuError(401, 'bad token', hint);
export const expiredToken = (hint: string) => new QiniuError(401, 'expired token', hint);
export const forbidden = (error: string, hint: string) => new QiniuError(403, error, hint);
export const invalidArgument = (error: string, hint: string) => new QiniuError(400, error, hint);
export const noSuchFile = (bucket: string, key: string) =>
  new QiniuError(612, 'no such file or directory', `${bucket}/${key} does not exist: check the key (stat and list show what the bucket holds)`);
export const fileExists = (bucket: string, key: string) =>
  new QiniuError(614, 'file exists', `${bucket}/${key} already holds other content and this upload may not replace it (a token scoped to the bucket alone, or insertOnly): delete it first, or upload with a token scoped to "${bucket}:${key}"`);
export const noSuchBucket = (bucket: string) => new QiniuError(631, 'no such bucket', `there is no bucket named ${bucket} on this appliance: create it in the console first`);

/** The store's errors in Qiniu's terms (its status codes: 612, 631, 599 for the disks). */
export function fromStoreError(error: StoreError, bucket: string, key?: string): QiniuError {
  switch (error.code) {
    case 'NoSuchKey':
      return noSuchFile(bucket, key ?? '');
    case 'NoSuchBucket':
      return noSuchBucket(bucket);
    case 'InvalidBucketName':
      return invalidArgument('invalid bucket name', `${error.message}: bucket names are 3–63 lower-case letters, digits, '.' and '-'`);
    case 'InvalidKey':
      return invalidArgument('invalid key', `${error.message}: keys are at most 1024 bytes of valid UTF-8`);
    case 'InvalidRange':
      return new QiniuError(416, 'invalid range', `${error.message}: ask for a range inside the file`);
    case 'StorageFull':
      return new QiniuError(599, 'no space left on device', `${error.message}: free space or add disks, then retry`);
    case 'ReadQuorum':
    case 'WriteQuorum':
      return new QiniuError(599, 'service unavailable', `${error.message}: too many data disks are offline (${error.disks.join(', ') || 'see the Storage page'}); bring them back, then retry`);
    case 'NoSuchUpload':
      // 612 is what the SDK's resumable v2 retry looks for: it then starts the upload over.
      return new QiniuError(612, 'no such uploadId', `${error.message}: start the upload again`);
    case 'InvalidPart':
    case 'InvalidPartOrder':
    case 'EntityTooSmall':
    case 'InvalidArgument':
      return invalidArgument(error.code === 'EntityTooSmall' ? 'part too small' : 'invalid part', `${error.message}`);
    case 'BadBody':
      return invalidArgument('bad request body', error.message);
    default:
      return new QiniuError(599, 'internal error', `${error.code}: ${error.message}; see the Kodo service log`);
  }
}

export function toQiniuError(error: unknown, bucket: string, key?: string): QiniuError {
  if (error instanceof QiniuError) return error;
  if (error instanceof StoreError) return fromStoreError(error, bucket, key);
  return new QiniuError(599, 'internal error', `${error instanceof Error ? error.message : String(error)}; see the Kodo service log`);
}
