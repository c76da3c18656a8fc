import type { S3Target } from './addressing';
import type { Route } from './routes';
import { notImplemented } from './s3-errors';

/**
 * Multipart uploads (`?uploads`, `?uploadId=…`, `?partNumber=…`): handled by ./multipart (its own
 * helper's work). Until its handlers are wired here, every multipart request is NotImplemented;
 * null: not a multipart request.
 */
export function multipartRoute(method: string, target: S3Target): Route | null {
  const q = target.query;
  if (!q.has('uploads') && !q.has('uploadId') && !q.has('partNumber')) return null;
  void method;
  return { operation: 'Multipart', action: 'write', run: () => Promise.reject(notImplemented('Multipart upload')) };
}
