import { StoreError } from '../store';
import { S3AuthError } from './auth/s3-auth-error';

/**
 * S3's errors: a code, an HTTP status and a message a person can act on. Everything the S3 layer
 * answers with a failure is one of these (router.ts writes it as S3's XML error document); a
 * StoreError is mapped here, in one place, and anything else becomes InternalError.
 */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra elements of the error document (BucketName, Key, Disks…), as S3 adds them. */
    readonly fields: Record<string, string> = {},
    /** Extra response headers (Content-Range on 416, Allow on 405…). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const accessDenied = (why: string) => new S3Error('AccessDenied', 403, `Access Denied: ${why}`);
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error('InvalidArgument', 400, message, name !== undefined ? { ArgumentName: name, ArgumentValue: value ?? '' } : {});
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', 400, message);
export const malformedXml = (why: string) =>
  new S3Error('MalformedXML', 400, `The XML you provided was not well-formed or did not validate against our published schema (${why}).`);
export const methodNotAllowed = (method: string, what: string) =>
  new S3Error('MethodNotAllowed', 405, `The specified method (${method}) is not allowed against ${what}.`, { Method: method, ResourceType: what });
export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', 501, `${what} is not served by Kodo's S3 API (see agents/services/kodo/s3/README.md for what is).`);

/** The disks a quorum error names, for the message. */
function disksOf(error: StoreError): string {
  return error.disks.length > 0 ? ` Disks: ${error.disks.join(', ')}.` : '';
}

/** Store codes that are S3 error codes as they are, with S3's status. */
const SAME_NAME_STATUS: Record<string, number> = { NoSuchUpload: 404, InvalidPart: 400, InvalidPartOrder: 400, EntityTooSmall: 400, InvalidArgument: 400 };

/** S3's error for a store failure. Bucket and key name the resource, for the error's fields. */
export function fromStoreError(error: StoreError, bucket?: string, key?: string): S3Error {
  const where: Record<string, string> = {};
  if (bucket !== undefined) where.BucketName = bucket;
  if (key !== undefined) where.Key = key;
  switch (error.code) {
    case 'NoSuchKey':
      return new S3Error('NoSuchKey', 404, 'The specified key does not exist.', where);
    case 'NoSuchBucket':
      return new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist.', where);
    case 'BucketNotEmpty':
      return new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty: delete its objects (and abort its multipart uploads) first.', where);
    case 'BucketAlreadyExists':
      return new S3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', where);
    case 'InvalidBucketName':
      return new S3Error('InvalidBucketName', 400, `The specified bucket is not valid: ${error.message}.`, where);
    case 'InvalidKey':
      if (key !== undefined && Buffer.byteLength(key, 'utf8') > 1024) {
        return new S3Error('KeyTooLongError', 400, 'Your key is too long: an object key is at most 1024 bytes of UTF-8.', where);
      }
      return new S3Error('InvalidArgument', 400, `The object key is not valid: ${error.message}.`, where);
    case 'InvalidRange':
      return new S3Error('InvalidRange', 416, `The requested range is not satisfiable: ${error.message}.`, where);
    case 'StorageFull':
      // MinIO answers XMinioStorageFull (507): the same, under our name.
      return new S3Error(
        'XKodoStorageFull',
        507,
        `Storage is full: too few of the appliance's data disks have room for this object. Free space (delete objects) or add disks, then retry.${disksOf(error)}`,
        where,
      );
    case 'ReadQuorum':
      return new S3Error(
        'XKodoReadQuorum',
        503,
        `Too few data disks could be read to serve this request. Bring the named disks back online (check their cables and mounts on the appliance's Storage page), then retry.${disksOf(error)}`,
        { ...where, Disks: error.disks.join(', ') },
      );
    case 'WriteQuorum':
      return new S3Error(
        'XKodoWriteQuorum',
        503,
        `Too few data disks could be written to store this change. Bring the named disks back online (check the appliance's Storage page), then retry.${disksOf(error)}`,
        { ...where, Disks: error.disks.join(', ') },
      );
    case 'BadBody':
      return new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.', where);
    case 'DiskFormat':
    case 'InvalidLayout':
      return new S3Error('InternalError', 500, `The storage is not usable: ${error.message}. See the appliance's Storage page.${disksOf(error)}`, where);
    default: {
      // Codes the store added for multipart (NoSuchUpload, InvalidPart…) are S3's own names.
      const status = SAME_NAME_STATUS[String(error.code)];
      if (status !== undefined) return new S3Error(String(error.code), status, `${error.message}.`, where);
      return new S3Error('InternalError', 500, `The storage failed (${String(error.code)}): ${error.message}.`, where);
    }
  }
}

/** Any failure as an S3 error (an unexpected one becomes InternalError; the caller logs it). */
export function toS3Error(error: unknown, bucket?: string, key?: string): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof StoreError) return fromStoreError(error, bucket, key);
  if (error instanceof S3AuthError) return new S3Error(error.code, error.httpStatus, error.message, error.details);
  return new S3Error('InternalError', 500, 'We encountered an internal error. Please try again; if it persists, the Kodo service log has the details under this request id.');
}
