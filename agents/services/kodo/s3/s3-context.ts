import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessKey, AccessKeyLookup } from '../access/access-keys';
import type { RequestMetrics } from '../access/request-metrics';
import type { ObjectStore } from '../store';
import type { S3Target } from './addressing';
import type { AuthResult } from './auth/authenticate-request';

/** What the S3 handler is built from (createS3Handler's argument). */
export interface S3Deps {
  store: ObjectStore;
  keys: AccessKeyLookup;
  /** The region this endpoint signs for and reports (GetBucketLocation). */
  region: string;
  metrics: RequestMetrics;
  now?: () => Date;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Host suffixes for virtual-hosted-style requests: `photos.s3.example` with suffix `s3.example` is bucket `photos`. */
  virtualHostSuffixes?: string[];
}

/** One request as every operation handler sees it; the router builds it. */
export interface S3Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly store: ObjectStore;
  readonly keys: AccessKeyLookup;
  readonly region: string;
  readonly now: () => Date;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  readonly requestId: string;
  /** Set by the router once the URL is read (a placeholder before, for errors about the URL itself). */
  target: S3Target;
  /** The authenticated key; null for an anonymous request (allowed only to read public-read buckets). */
  principal: AccessKey | null;
  /** What authentication found (how verifyPayload must check the body). */
  auth: AuthResult;
  /** S3's name of the operation (PutObject, ListObjectsV2…), for metrics and logs. */
  operation: string;
  /** Body bytes read from the request and written to the response so far (metrics). */
  bytesIn: number;
  bytesOut: number;
}

/** The bucket of a request that must name one (the router only routes bucket operations when it does). */
export function bucketOf(ctx: S3Context): string {
  const bucket = ctx.target.bucket;
  if (bucket === undefined) throw new Error('bucket operation routed without a bucket');
  return bucket;
}

export function keyOf(ctx: S3Context): string {
  const key = ctx.target.key;
  if (key === undefined) throw new Error('object operation routed without a key');
  return key;
}
