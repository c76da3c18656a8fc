import fs from 'node:fs';
import http from 'node:http';
import type { KodoControlMethodName, KodoStatus } from '../../../protocol/services/kodo';
import { KODO_CONTROL_METHODS } from '../../../protocol/services/kodo';
import { StoreError } from '../store';
import { LINK_KEY_DESCRIPTION } from './access-key-store';
import type { KodoRuntime } from './kodo-runtime';

/**
 * Kodo's control methods (agents/protocol/services/kodo.ts) on a Unix socket in the service's
 * state directory (0600 inside a 0700 directory: only root, i.e. the agent, reaches it). The agent
 * validates params before forwarding (service-call.v1); they are parsed again here, because a
 * socket is an entry point whoever the caller is. Answers: 200 `{ result }`, or 4xx/5xx
 * `{ error: { code: 'kodo.<what>', message } }` with a message a person can act on.
 */

export class ControlRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 409,
  ) {
    super(message);
  }
}

const MAX_REQUEST_BYTES = 64 * 1024;

export function startControlServer(socketPath: string, runtime: KodoRuntime, readMetrics: () => unknown): Promise<http.Server> {
  fs.rmSync(socketPath, { force: true }); // a socket file left by a killed run
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const data = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      res.end(data);
    };
    if (req.method === 'GET' && req.url === '/metrics') return send(200, readMetrics());
    const match = /^\/control\/([a-z0-9.-]+)$/.exec(req.url ?? '');
    const name = match?.[1];
    if (req.method !== 'POST' || !name || !Object.prototype.hasOwnProperty.call(KODO_CONTROL_METHODS, name)) {
      return send(404, { error: { code: 'kodo.unknown-method', message: `no control method at ${req.method} ${req.url}` } });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) return send(413, { error: { code: 'kodo.request-too-large', message: `a control request is at most ${MAX_REQUEST_BYTES} bytes` } });
      let input: unknown;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return send(400, { error: { code: 'kodo.malformed-request', message: 'the control request is not JSON' } });
      }
      const method = name as KodoControlMethodName;
      const parsed = KODO_CONTROL_METHODS[method].params.safeParse(input);
      if (!parsed.success) return send(400, { error: { code: 'kodo.invalid-params', message: `invalid params for ${method}` } });
      runMethod(runtime, method, parsed.data).then(
        (result) => send(200, { result }),
        (error: unknown) => {
          if (error instanceof ControlRefusal) return send(error.status, { error: { code: error.code, message: error.message } });
          if (error instanceof StoreError) return send(409, { error: { code: `kodo.${storeCode(error.code)}`, message: error.message } });
          runtime.log('control.failed', { method, msg: error instanceof Error ? error.message : String(error) });
          send(500, { error: { code: 'kodo.internal', message: `${method} failed: ${error instanceof Error ? error.message : String(error)}` } });
        },
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      fs.chmodSync(socketPath, 0o600);
      resolve(server);
    });
  });
}

/** StoreError codes (PascalCase) as control codes (kebab-case): NoSuchBucket → no-such-bucket. */
function storeCode(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

async function runMethod(runtime: KodoRuntime, method: KodoControlMethodName, params: unknown): Promise<unknown> {
  // Parsed against the method's schema by the caller.
  const p = params as Record<string, unknown>;
  switch (method) {
    case 'status.v1':
      return runtime.status() satisfies Promise<KodoStatus>;
    case 'init.v1':
      return runtime.init(p.layout as { k: number; m: number });
    case 'keys-list.v1':
      return { keys: runtime.keys.list().map(({ secretKey: _secret, ...key }) => key) };
    case 'keys-create.v1': {
      const bucket = p.bucket as string | null;
      // The link key is found by its description: a person's key must not take that name.
      if (p.description === LINK_KEY_DESCRIPTION) throw new ControlRefusal('kodo.reserved-description', `"${LINK_KEY_DESCRIPTION}" names the key Kodo signs presigned links with; describe this key otherwise`, 400);
      const store = runtime.requireStore(); // keys before the store would name buckets that cannot exist yet
      if (bucket !== null) await store.headBucket(bucket); // NoSuchBucket → kodo.no-such-bucket
      const key = runtime.keys.create({ bucket, access: p.access as 'read-write' | 'read-only', description: p.description as string });
      runtime.log('keys.created', { accessKeyId: key.accessKeyId, bucket, access: key.access });
      const { secretKey, ...shown } = key;
      return { key: shown, secretKey };
    }
    case 'keys-revoke.v1': {
      const revoked = runtime.keys.revoke(p.accessKeyId as string);
      runtime.log('keys.revoked', { accessKeyId: p.accessKeyId, revoked });
      return { revoked };
    }
    case 'bucket-create.v1': {
      const store = runtime.requireStore();
      await store.createBucket(p.name as string);
      if (p.publicRead) await runtime.setPublicRead(p.name as string, true);
      return { name: p.name };
    }
    case 'bucket-delete.v1':
      await runtime.requireStore().deleteBucket(p.name as string);
      return { deleted: true };
    case 'bucket-settings.v1':
      await runtime.setPublicRead(p.name as string, p.publicRead as boolean);
      return { name: p.name, publicRead: p.publicRead };
    case 'heal.v1':
      return runtime.heal(p as { start: boolean; priority?: 'low' | 'normal' | 'high'; rescanDisks: boolean });
    case 'objects-list.v1': {
      const page = await runtime.requireStore().listObjects(p.bucket as string, {
        prefix: p.prefix as string,
        ...(p.delimiter ? { delimiter: p.delimiter as string } : {}),
        ...(p.continuationToken ? { continuationToken: p.continuationToken as string } : {}),
        maxKeys: p.maxKeys as number,
      });
      return {
        objects: page.objects.map((o) => ({ key: o.key, size: o.size, etag: o.etag, lastModified: o.lastModified.toISOString(), contentType: o.contentType })),
        commonPrefixes: page.commonPrefixes,
        nextContinuationToken: page.isTruncated ? (page.nextContinuationToken ?? null) : null,
      };
    }
    case 'object-delete.v1':
      return runtime.requireStore().deleteObject(p.bucket as string, p.key as string);
    case 'object-presign.v1':
      return runtime.presign(p as Parameters<KodoRuntime['presign']>[0]);
  }
}
