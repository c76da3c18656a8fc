/**
 * What every request the S3 and Qiniu layers answer reports, for the service's metrics (requests,
 * errors, bytes, latency: the Storage page's charts and the agent's /metrics). Implemented by the
 * server (`../server/`); tests pass a no-op.
 */
export interface RequestObservation {
  api: 's3' | 'qiniu';
  /** The operation's name as S3 names it (`PutObject`, `ListObjectsV2`, …) or Qiniu's (`form-upload`, `stat`, …). */
  operation: string;
  /** The HTTP status answered. */
  status: number;
  /** Request and response body bytes actually transferred. */
  bytesIn: number;
  bytesOut: number;
  /** From the request's arrival to the last byte of the answer. */
  durationMs: number;
}

export interface RequestMetrics {
  observe(observation: RequestObservation): void;
}

export const NO_REQUEST_METRICS: RequestMetrics = { observe: () => undefined };
