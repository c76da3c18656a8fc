import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import type { RequestObservation } from '../../agents/services/kodo/access/request-metrics';
import { createQiniuHandler } from '../../agents/services/kodo/qiniu';
import { openStore, type ObjectStore } from '../../agents/services/kodo/store';

/**
 * Kodo's Qiniu API on a real HTTP server (127.0.0.1, a free port) over a real store on six temp
 * directories (4+2), with a static key list: what the server process mounts, minus the process.
 */
export interface QiniuTestServer {
  port: number;
  /** `127.0.0.1:<port>`: every Qiniu host (up, rs, rsf, io) of the SDK's zone. */
  host: string;
  store: ObjectStore;
  /** The six disk directories. */
  disks: string[];
  observations: RequestObservation[];
  close(): Promise<void>;
}

export function testKey(accessKeyId: string, secretKey: string, extra: Partial<AccessKey> = {}): AccessKey {
  return { accessKeyId, secretKey, bucket: null, access: 'read-write', created: '2026-01-01T00:00:00Z', description: 'test', ...extra };
}

export async function startQiniuTestServer(options: { keys: AccessKey[]; buckets: string[]; publicRead?: string[]; now?: () => Date }): Promise<QiniuTestServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-qiniu-'));
  const disks = Array.from({ length: 6 }, (_, i) => {
    const disk = path.join(root, `disk${i}`);
    fs.mkdirSync(disk);
    return disk;
  });
  const store = await openStore({ disks, layout: { k: 4, m: 2 } });
  for (const bucket of options.buckets) await store.createBucket(bucket);
  for (const bucket of options.publicRead ?? []) await store.setBucketSettings(bucket, { publicRead: true });
  const byId = new Map(options.keys.map((k) => [k.accessKeyId, k]));
  const observations: RequestObservation[] = [];
  const handler = createQiniuHandler({
    store,
    keys: { get: (id) => byId.get(id) },
    metrics: { observe: (o) => observations.push(o) },
    now: options.now,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    store,
    disks,
    observations,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
