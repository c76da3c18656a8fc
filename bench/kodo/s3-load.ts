import crypto from 'node:crypto';
import http from 'node:http';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 load for Kodo's bench, run as its own process (`node --import tsx bench/kodo/s3-load.ts
 * '<job JSON>'`) so the clients' CPU is not spent in the server's process. The same program loads
 * Kodo and Ceph RGW, with the same SDK settings, so what differs is the server.
 *
 * Prints one JSON line: { ops, bytes, seconds, cpuSeconds, keys? }.
 */

export interface LoadJob {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  op: 'create-bucket' | 'put' | 'get' | 'list';
  /** Concurrent clients (each its own request loop over one keep-alive connection pool). */
  clients: number;
  /** Objects per client (put/get); list: how many pages to read. */
  perClient: number;
  /** Object size in bytes (put). */
  size?: number;
  /** Keys are `${prefix}${client}-${n}` so puts and gets of one phase name the same objects. */
  prefix?: string;
  /** put: stop early after this many seconds (filling a bucket for listing in bounded time). */
  maxSeconds?: number;
}

export interface LoadResult {
  ops: number;
  bytes: number;
  seconds: number;
  /** CPU (user + system) this client process spent, to tell when the client is what limits. */
  cpuSeconds: number;
  /** list: keys returned per page, and each page's time. */
  keysPerPage?: number[];
  pageMs?: number[];
}

export function keyName(prefix: string, client: number, n: number): string {
  return `${prefix}${String(client).padStart(2, '0')}-${String(n).padStart(7, '0')}`;
}

function makeClient(job: LoadJob): S3Client {
  const client = new S3Client({
    endpoint: job.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey },
    // No CRC of every body on the client: on a 2-core machine the client's hashing would take CPU
    // from the server under test (both peers get the same requests).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: job.clients * 2 }), requestTimeout: 600_000 },
    maxAttempts: 1,
  });
  // Signed headers, unsigned body (UNSIGNED-PAYLOAD, which S3, RGW and Kodo accept): the signer
  // keeps a given x-amz-content-sha256 instead of hashing 64 MiB bodies on the client's core.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'unsignedPayload', priority: 'low' },
  );
  return client;
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) n += chunk.length;
  return n;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const s3 = makeClient(job);
  const prefix = job.prefix ?? '';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ops = 0;
  let bytes = 0;
  const keysPerPage: number[] = [];
  const pageMs: number[] = [];
  const deadline = job.maxSeconds ? t0 + job.maxSeconds * 1000 : Infinity;
  if (job.op === 'create-bucket') {
    await s3.send(new CreateBucketCommand({ Bucket: job.bucket }));
    ops = 1;
  } else if (job.op === 'list') {
    // The first page each time: with the buckets the bench can fill in its time (a few thousand
    // keys) that is the one full 1,000-key page; a continuation would time the short last page.
    for (let page = 0; page < job.perClient; page++) {
      const p0 = performance.now();
      const answer = await s3.send(new ListObjectsV2Command({ Bucket: job.bucket, MaxKeys: 1000 }));
      pageMs.push(performance.now() - p0);
      keysPerPage.push(answer.KeyCount ?? answer.Contents?.length ?? 0);
      ops += 1;
    }
  } else {
    const body = job.op === 'put' ? crypto.randomBytes(job.size ?? 0) : Buffer.alloc(0);
    await Promise.all(
      Array.from({ length: job.clients }, async (_, c) => {
        for (let n = 0; n < job.perClient && performance.now() < deadline; n++) {
          const Key = keyName(prefix, c, n);
          if (job.op === 'put') {
            await s3.send(new PutObjectCommand({ Bucket: job.bucket, Key, Body: body, ContentLength: body.length }));
            bytes += body.length;
          } else {
            const got = await s3.send(new GetObjectCommand({ Bucket: job.bucket, Key }));
            // Awaited first: `bytes += await …` would read `bytes` before the await and lose the
            // other clients' additions made meanwhile.
            const n = await drain(got.Body);
            bytes += n;
          }
          ops += 1;
        }
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  s3.destroy();
  return { ops, bytes, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(keysPerPage.length ? { keysPerPage, pageMs } : {}) };
}

if (process.argv[1] && /s3-load\.ts$/.test(process.argv[1]) && process.argv[2]) {
  runLoad(JSON.parse(process.argv[2]) as LoadJob).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`s3-load: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
      process.exit(1);
    },
  );
}
