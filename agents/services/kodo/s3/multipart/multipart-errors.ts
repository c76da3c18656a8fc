import { StoreError } from '../../store';
import { S3Error } from '../s3-errors';

/**
 * S3's errors for the store's multipart codes, with what to do. The S3 layer's fromStoreError maps
 * the store's other codes; these are added here, where the operations are, and applied by
 * `withMultipartErrors` around each handler's store calls.
 */
export function fromMultipartError(error: StoreError, bucket: string, key?: string): S3Error | null {
  const where: Record<string, string> = { BucketName: bucket, ...(key !== undefined ? { Key: key } : {}) };
  switch (error.code) {
    case 'NoSuchUpload':
      return new S3Error(
        'NoSuchUpload',
        404,
        'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed: start a new upload.',
        where,
      );
    case 'InvalidPart':
      return new S3Error('InvalidPart', 400, `One or more of the specified parts could not be found, or the specified entity tag might not have matched the part's entity tag: ${error.message}.`, where);
    case 'InvalidPartOrder':
      return new S3Error('InvalidPartOrder', 400, `The list of parts was not in ascending order. Parts must be ordered by part number: ${error.message}.`, where);
    case 'EntityTooSmall':
      return new S3Error('EntityTooSmall', 400, `Your proposed upload is smaller than the minimum allowed object size: ${error.message}.`, { ...where, MinSizeAllowed: String(5 * 1024 * 1024) });
    case 'InvalidArgument':
      return new S3Error('InvalidArgument', 400, `${error.message}.`, where);
    default:
      return null;
  }
}

export async function withMultipartErrors<T>(bucket: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) {
      const mapped = fromMultipartError(error, bucket, key);
      if (mapped) throw mapped;
    }
    throw error;
  }
}
