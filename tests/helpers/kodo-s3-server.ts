import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createHash, createHmac } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import type { RequestObservation } from '../../agents/services/kodo/access/request-metrics';
import { createS3Handler } from '../../agents/services/kodo/s3';
import { openStore, type ObjectStore, type StoreOptions } from '../../agents/services/kodo/store';

/**
 * Kodo's S3 handler on a real HTTP server (127.0.0.1, a free port) over a real store on tmp
 * directories (4+2 by default), with a static key list. Shared by every kodo-s3-* test (objects,
 * multipart, auth…): start it in beforeAll, close it in afterAll.
 *
 *   const s3 = await startKodoS3Server();
 *   const client = s3.client();                  // path-style, admin key
 *   const vh = s3.client(s3.keys.admin, { virtualHosted: true });  // bucket.s3.kodo.test → 127.0.0.1
 */

export const TEST_REGION = 'us-east-1';
/** Virtual-hosted-style suffix: `<bucket>.s3.kodo.test` resolves to 127.0.0.1 through the clients' own lookup. */
export const VIRTUAL_HOST_SUFFIX = 's3.kodo.test';

const key = (accessKeyId: string, bucket: string | null, access: AccessKey['access'], description: string): AccessKey => ({
  accessKeyId,
  secretKey: `${accessKeyId.toLowerCase()}-secret-0123456789abcdefghij`.slice(0, 40),
  bucket,
  access,
  created: '2026-01-01T00:00:00.000Z',
  description,
});

/** The static keys every test server knows. `scoped` may use the bucket SCOPED_BUCKET only. */
export const SCOPED_BUCKET = 'scoped-bucket';
export const TEST_KEYS = {
  admin: key('KODOADMIN00000000001', null, 'read-write', 'every bucket, read-write'),
  readOnly: key('KODOREADONLY00000001', null, 'read-only', 'every bucket, read-only'),
  scoped: key('KODOSCOPED0000000001', SCOPED_BUCKET, 'read-write', `${SCOPED_BUCKET} only, read-write`),
} as const;

export interface KodoS3ServerOptions {
  layout?: { k: number; m: number };
  /** Extra keys beside TEST_KEYS. */
  keys?: AccessKey[];
  region?: string;
  now?: () => Date;
  store?: Partial<Omit<StoreOptions, 'disks' | 'layout'>>;
  /** Where the disks' directories go (a small tmpfs, for a full-disk test); a fresh tmp dir by default. */
  diskRoot?: string;
  /** Node's request header limit (the Kodo server sets 16 KiB). */
  maxHeaderSize?: number;
}

export interface KodoS3Server {
  /** `http://127.0.0.1:<port>` (path-style). */
  endpoint: string;
  /** `http://s3.kodo.test:<port>`: virtual-hosted-style through `client(…, { virtualHosted: true })`. */
  virtualHostEndpoint: string;
  port: number;
  region: string;
  store: ObjectStore;
  disks: string[];
  keys: typeof TEST_KEYS;
  /** Every metrics observation, in order. */
  observations: RequestObservation[];
  /** Every log event the handler wrote. */
  logs: { event: string; fields: Record<string, unknown> }[];
  /** One HTTP request as sent (the path is not normalized: `..`, `%2e%2e`, NUL reach the handler), SigV4-signed by `key` unless null. */
  raw(request: RawRequest): Promise<RawResponse>;
  /** The same request, signed, left open: write the body (or not) and end or destroy it yourself. */
  rawStream(request: Omit<RawRequest, 'body'>): Promise<http.ClientRequest>;
  /** An S3 client for `key` (admin by default): path-style, or virtual-hosted with a lookup sending every host to 127.0.0.1. */
  client(key?: AccessKey, options?: { virtualHosted?: boolean; config?: Partial<S3ClientConfig> }): S3Client;
  close(): Promise<void>;
}

export interface RawRequest {
  method: string;
  /** Path and query exactly as sent, percent-encoded (`/bucket/a%20b?acl`). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** The signer (admin by default); null: an anonymous request. */
  key?: AccessKey | null;
  /** Host header (virtual-hosted-style: `bucket.s3.kodo.test`); 127.0.0.1:<port> by default. */
  host?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:crypto behind the signer's hash interface. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const k = secret === undefined ? undefined : typeof secret === 'string' ? secret : Buffer.from(ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret));
    this.hash = k === undefined ? createHash('sha256') : createHmac('sha256', k);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** The request's headers, SigV4-signed unless its key is null. */
async function signedHeaders(port: number, region: string, request: RawRequest): Promise<Record<string, string>> {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const q = request.path.indexOf('?');
  const pathOnly = q === -1 ? request.path : request.path.slice(0, q);
  const query: Record<string, string> = {};
  if (q !== -1) {
    for (const part of request.path.slice(q + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      // Undecodable escapes (%FF) are kept as sent: such a request is refused whatever its signature.
      const decode = (text: string) => {
        try {
          return decodeURIComponent(text);
        } catch {
          return text;
        }
      };
      query[decode(eq === -1 ? part : part.slice(0, eq))] = eq === -1 ? '' : decode(part.slice(eq + 1));
    }
  }
  const headers: Record<string, string> = { host: request.host ?? `127.0.0.1:${port}`, ...request.headers };
  if (body.length > 0 || ['PUT', 'POST'].includes(request.method)) headers['content-length'] ??= String(body.length);
  const signer = request.key === null ? null : (request.key ?? TEST_KEYS.admin);
  if (!signer) return headers;
  const sigv4 = new SignatureV4({ service: 's3', region, credentials: { accessKeyId: signer.accessKeyId, secretAccessKey: signer.secretKey }, sha256: NodeSha256, uriEscapePath: false });
  headers['x-amz-content-sha256'] ??= createHash('sha256').update(body).digest('hex');
  const signed = await sigv4.sign({ method: request.method, protocol: 'http:', hostname: headers.host!, path: pathOnly, query, headers, body });
  return signed.headers;
}

async function openRaw(port: number, region: string, request: RawRequest): Promise<http.ClientRequest> {
  const headers = await signedHeaders(port, region, request);
  return http.request({ host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent: false });
}

async function sendRaw(port: number, region: string, request: RawRequest): Promise<RawResponse> {
  const req = await openRaw(port, region, request);
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}

/** An http.Agent whose DNS lookup answers 127.0.0.1 for every name (for `bucket.s3.kodo.test`). */
export function loopbackAgent(): http.Agent {
  const lookup = (_host: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  return new http.Agent({ keepAlive: true, lookup: lookup as unknown as http.AgentOptions['lookup'] });
}

export async function startKodoS3Server(options: KodoS3ServerOptions = {}): Promise<KodoS3Server> {
  const root = fs.mkdtempSync(path.join(options.diskRoot ?? os.tmpdir(), 'kodo-s3-'));
  const layout = options.layout ?? { k: 4, m: 2 };
  const disks = Array.from({ length: layout.k + layout.m }, (_, i) => {
    const disk = path.join(root, `disk${i}`);
    fs.mkdirSync(disk);
    return disk;
  });
  const store = await openStore({ ...options.store, disks, layout });
  const allKeys = [...Object.values(TEST_KEYS), ...(options.keys ?? [])];
  const observations: RequestObservation[] = [];
  const logs: KodoS3Server['logs'] = [];
  const region = options.region ?? TEST_REGION;
  const handler = createS3Handler({
    store,
    keys: { get: (id) => allKeys.find((k) => k.accessKeyId === id) },
    region,
    metrics: { observe: (o) => observations.push(o) },
    log: (event, fields) => logs.push({ event, fields }),
    virtualHostSuffixes: [VIRTUAL_HOST_SUFFIX],
    ...(options.now ? { now: options.now } : {}),
  });
  const server = http.createServer({ maxHeaderSize: options.maxHeaderSize ?? 16 * 1024, requestTimeout: 0 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const clients: S3Client[] = [];
  const agents: http.Agent[] = [];
  return {
    endpoint: `http://127.0.0.1:${port}`,
    virtualHostEndpoint: `http://${VIRTUAL_HOST_SUFFIX}:${port}`,
    port,
    region,
    store,
    disks,
    keys: TEST_KEYS,
    observations,
    logs,
    raw: (request) => sendRaw(port, region, request),
    rawStream: (request) => openRaw(port, region, request),
    client(k = TEST_KEYS.admin, clientOptions = {}) {
      const agent = clientOptions.virtualHosted ? loopbackAgent() : new http.Agent({ keepAlive: true });
      agents.push(agent);
      const client = new S3Client({
        region,
        endpoint: clientOptions.virtualHosted ? `http://${VIRTUAL_HOST_SUFFIX}:${port}` : `http://127.0.0.1:${port}`,
        forcePathStyle: !clientOptions.virtualHosted,
        credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey },
        requestHandler: new NodeHttpHandler({ httpAgent: agent }),
        maxAttempts: 1,
        ...clientOptions.config,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.destroy();
      for (const a of agents) a.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
