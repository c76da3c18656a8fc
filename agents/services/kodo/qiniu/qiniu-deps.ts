import type { AccessKeyLookup } from '../access/access-keys';
import type { RequestMetrics } from '../access/request-metrics';
import type { ObjectStore } from '../store';

/** One structured event (`kodo.qiniu.…`), as the server's log takes it. */
export type QiniuLog = (event: string, fields: Record<string, unknown>) => void;

/** What the Qiniu API needs: the store, the keys, the metrics sink; the clock and the log for tests and the server. */
export interface QiniuDeps {
  store: ObjectStore;
  keys: AccessKeyLookup;
  metrics: RequestMetrics;
  now?: () => Date;
  log?: QiniuLog;
}
