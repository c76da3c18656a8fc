import type { AccessAction } from '../access/access-keys';
import type { S3Target } from './addressing';
import { createBucket, deleteBucket, getAcl, getBucketLocation, getBucketVersioning, headBucket, listBuckets, putBucketAcl } from './bucket-handlers';
import { copyObject } from './copy-object';
import { deleteObjects } from './delete-objects';
import { listObjects } from './list-handlers';
import { multipartRoute } from './multipart';
import { deleteObject, getObject, putObject } from './object-handlers';
import { methodNotAllowed, notImplemented } from './s3-errors';
import type { S3Context } from './s3-context';

/** One S3 operation: its name, what it needs of the key, and its handler. */
export interface Route {
  operation: string;
  action: AccessAction;
  /** Anonymous callers may run it on a public-read bucket (GET/HEAD of objects only). */
  anonymousRead?: boolean;
  run: (ctx: S3Context) => Promise<void>;
}

/** Subresources S3 serves that Kodo does not: answered NotImplemented with their name. */
const UNSERVED: Record<string, string> = {
  policy: 'Bucket policies',
  policyStatus: 'Bucket policy status',
  lifecycle: 'Lifecycle configuration',
  tagging: 'Tagging',
  cors: 'CORS configuration',
  website: 'Static website hosting',
  logging: 'Server access logging',
  notification: 'Event notifications',
  replication: 'Replication',
  encryption: 'Server-side encryption configuration',
  'object-lock': 'Object Lock',
  'legal-hold': 'Object Lock legal hold',
  retention: 'Object Lock retention',
  accelerate: 'Transfer acceleration',
  requestPayment: 'Requester pays',
  analytics: 'Storage class analysis',
  inventory: 'Inventory',
  metrics: 'CloudWatch request metrics configuration',
  'intelligent-tiering': 'Intelligent-Tiering',
  ownershipControls: 'Object ownership controls',
  publicAccessBlock: 'Public access block (use the bucket ACL: x-amz-acl public-read or private)',
  versions: 'Listing object versions (Kodo keeps one version per key)',
  versionId: 'Addressing an object by version id (Kodo keeps one version per key)',
  torrent: 'BitTorrent',
  restore: 'Restoring archived objects',
  select: 'S3 Select',
  attributes: 'GetObjectAttributes',
  session: 'S3 Express sessions',
};

const notAllowed = (method: string, what: string): Route => ({
  operation: 'Unknown',
  action: 'read',
  run: () => Promise.reject(methodNotAllowed(method, what)),
});

const unserved = (what: string): Route => ({ operation: 'NotImplemented', action: 'read', run: () => Promise.reject(notImplemented(what)) });

/** `isCopy`: the request carries x-amz-copy-source (a PUT of an object is then CopyObject). */
export function route(method: string, target: S3Target, isCopy: boolean): Route {
  const { bucket, key, query } = target;
  if (bucket === undefined) {
    if (method === 'GET') return { operation: 'ListBuckets', action: 'list-buckets', run: listBuckets };
    return notAllowed(method, 'the service');
  }
  const multipart = multipartRoute(method, target, isCopy);
  if (multipart) return multipart;
  if (query.has('versioning') && key === undefined) {
    if (method === 'GET') return { operation: 'GetBucketVersioning', action: 'read', run: getBucketVersioning };
    return unserved('Bucket versioning');
  }
  for (const [name, what] of Object.entries(UNSERVED)) if (query.has(name)) return unserved(what);

  if (key === undefined) {
    if (query.has('acl')) {
      if (method === 'GET') return { operation: 'GetBucketAcl', action: 'read', run: getAcl };
      if (method === 'PUT') return { operation: 'PutBucketAcl', action: 'bucket-admin', run: putBucketAcl };
      return notAllowed(method, 'the bucket ACL');
    }
    if (query.has('location')) {
      if (method === 'GET') return { operation: 'GetBucketLocation', action: 'read', run: getBucketLocation };
      return notAllowed(method, 'the bucket location');
    }
    if (query.has('delete')) {
      if (method === 'POST') return { operation: 'DeleteObjects', action: 'write', run: deleteObjects };
      return notAllowed(method, 'multi-object delete');
    }
    switch (method) {
      case 'GET':
        return { operation: query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', action: 'read', run: listObjects };
      case 'HEAD':
        return { operation: 'HeadBucket', action: 'read', run: headBucket };
      case 'PUT':
        return { operation: 'CreateBucket', action: 'bucket-admin', run: createBucket };
      case 'DELETE':
        return { operation: 'DeleteBucket', action: 'bucket-admin', run: deleteBucket };
      default:
        return notAllowed(method, 'a bucket');
    }
  }

  if (query.has('acl')) {
    if (method === 'GET') return { operation: 'GetObjectAcl', action: 'read', run: getAcl };
    return unserved('Object ACLs (an object is as public as its bucket: set the bucket ACL)');
  }
  switch (method) {
    case 'GET':
      return { operation: 'GetObject', action: 'read', anonymousRead: true, run: getObject };
    case 'HEAD':
      return { operation: 'HeadObject', action: 'read', anonymousRead: true, run: getObject };
    case 'PUT':
      if (isCopy) return { operation: 'CopyObject', action: 'write', run: copyObject };
      return { operation: 'PutObject', action: 'write', run: putObject };
    case 'DELETE':
      return { operation: 'DeleteObject', action: 'write', run: deleteObject };
    default:
      return notAllowed(method, 'an object');
  }
}
