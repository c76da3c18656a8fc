import type { S3Target } from '../addressing';
import type { Route } from '../routes';
import { methodNotAllowed, notImplemented } from '../s3-errors';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart } from './multipart-handlers';
import { uploadPartCopy } from './upload-part-copy';

/**
 * Which multipart operation a request is (`?uploads`, `?uploadId=…`, `?partNumber=…`), or null when
 * it is none. `isCopy`: the request carries x-amz-copy-source (a part PUT is then UploadPartCopy).
 */
export function multipartRoute(method: string, target: S3Target, isCopy: boolean): Route | null {
  const q = target.query;
  const uploads = q.has('uploads');
  const uploadId = q.has('uploadId');
  const partNumber = q.has('partNumber');
  if (!uploads && !uploadId && !partNumber) return null;
  const refuse = (what: string): Route => ({ operation: 'Unknown', action: 'read', run: () => Promise.reject(methodNotAllowed(method, what)) });

  if (target.key === undefined) {
    if (uploads && method === 'GET') return { operation: 'ListMultipartUploads', action: 'read', run: listMultipartUploads };
    return refuse('the bucket’s multipart uploads');
  }
  if (uploads) {
    if (method === 'POST') return { operation: 'CreateMultipartUpload', action: 'write', run: createMultipartUpload };
    return refuse('a new multipart upload');
  }
  if (uploadId) {
    switch (method) {
      case 'PUT':
        if (!partNumber) return refuse('a multipart upload without a part number');
        return isCopy ? { operation: 'UploadPartCopy', action: 'write', run: uploadPartCopy } : { operation: 'UploadPart', action: 'write', run: uploadPart };
      case 'POST':
        return { operation: 'CompleteMultipartUpload', action: 'write', run: completeMultipartUpload };
      case 'DELETE':
        return { operation: 'AbortMultipartUpload', action: 'write', run: abortMultipartUpload };
      case 'GET':
        return { operation: 'ListParts', action: 'read', run: listParts };
      default:
        return refuse('a multipart upload');
    }
  }
  // ?partNumber alone: GET/HEAD of one part of a completed object.
  return { operation: 'NotImplemented', action: 'read', run: () => Promise.reject(notImplemented('Reading one part of an object (partNumber)')) };
}
