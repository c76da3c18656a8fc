/**
 * The store's one error type. `code` is what the S3 layer maps to an S3 error (NoSuchKey → 404
 * NoSuchKey, StorageFull → 507 XMinioStorageFull-like, …); `disks` names the disks behind a
 * quorum or format failure, so a person (and healing) knows which ones.
 */
export type StoreErrorCode =
  | 'InvalidBucketName'
  | 'InvalidKey'
  | 'NoSuchBucket'
  | 'BucketAlreadyExists'
  | 'BucketNotEmpty'
  | 'NoSuchKey'
  | 'InvalidRange'
  | 'ReadQuorum'
  | 'WriteQuorum'
  | 'StorageFull'
  | 'DiskFormat'
  | 'InvalidLayout'
  | 'BadBody'
  | 'NoSuchUpload'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'EntityTooSmall'
  | 'InvalidArgument';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly disks: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

/** Errors that mean "the disk is full" rather than "the disk is broken". */
export function isNoSpace(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}
