import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize } from '../access/access-keys';
import { parseTarget } from './addressing';
import { authenticate } from './authentication';
import { isPublicRead } from './bucket-settings';
import { buildXml } from './xml';
import { route, type Route } from './routes';
import { accessDenied, S3Error, toS3Error } from './s3-errors';
import type { S3Context, S3Deps } from './s3-context';

/** The metrics' status for a request whose client went away before the answer was complete. */
export const CLIENT_CLOSED = 499;

/**
 * Kodo's S3 API: one request handler the server mounts on its S3 port. It never throws and never
 * lets a promise reject unhandled: every failure becomes S3's XML error with the right status, and
 * every request is observed once for metrics, whatever happens to it (the client going away too).
 */
export function createS3Handler(deps: S3Deps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const suffixes = deps.virtualHostSuffixes ?? [];
  return (req, res) => {
    const started = performance.now();
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'));
    res.setHeader('Server', 'Kodo');
    const ctx: S3Context = {
      req,
      res,
      store: deps.store,
      keys: deps.keys,
      region: deps.region,
      now,
      log,
      requestId,
      target: { bucket: undefined, key: undefined, query: new URLSearchParams(), resource: req.url ?? '/', style: 'path' },
      principal: null,
      auth: { kind: 'anonymous' },
      operation: 'Unknown',
      bytesIn: 0,
      bytesOut: 0,
    };
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      // An answer the client did not wait for is 499 (nginx's "client closed request"): whatever
      // status had been set, it was not delivered whole.
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      try {
        deps.metrics.observe({ api: 's3', operation: ctx.operation, status, bytesIn: ctx.bytesIn, bytesOut: ctx.bytesOut, durationMs: performance.now() - started });
      } catch (error) {
        log('s3.metrics-failed', { error: String(error) });
      }
    };
    // 'close' comes after 'finish' or instead of it (the client went away): once either way.
    res.once('close', observe);
    void serve(ctx, suffixes).catch((error: unknown) => {
      log('s3.unhandled', { requestId, error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) writeError(ctx, toS3Error(error));
      else res.destroy();
    });
  };
}

async function serve(ctx: S3Context, suffixes: readonly string[]): Promise<void> {
  try {
    ctx.target = parseTarget(ctx.req.url, ctx.req.headers.host, suffixes);
    const method = ctx.req.method ?? 'GET';
    const chosen = route(method, ctx.target, ctx.req.headers['x-amz-copy-source'] !== undefined);
    ctx.operation = chosen.operation;
    ctx.auth = authenticate(ctx);
    ctx.principal = ctx.auth.kind === 'key' ? ctx.auth.key : null;
    await checkAccess(ctx, chosen);
    await chosen.run(ctx);
  } catch (error) {
    const s3 = toS3Error(error, ctx.target.bucket, ctx.target.key);
    if (s3.code === 'InternalError') ctx.log('s3.internal-error', { requestId: ctx.requestId, operation: ctx.operation, error: error instanceof Error ? error.stack : String(error) });
    if (ctx.res.headersSent) {
      // The answer had begun (an object's bytes were flowing): all S3 can do is cut it short.
      ctx.res.destroy();
      return;
    }
    writeError(ctx, s3);
  }
}

async function checkAccess(ctx: S3Context, chosen: Route): Promise<void> {
  const bucket = ctx.target.bucket;
  if (ctx.principal === null) {
    if (chosen.anonymousRead && bucket !== undefined && (await isPublicRead(ctx.store, bucket))) return;
    throw accessDenied('this request is anonymous (unsigned), and only objects in a public-read bucket can be read so. Sign it with an access key from the appliance\'s Storage page.');
  }
  if (!authorize(ctx.principal, chosen.action, bucket)) {
    const scope = ctx.principal.bucket === null ? 'every bucket' : `bucket ${ctx.principal.bucket} only`;
    throw accessDenied(`access key ${ctx.principal.accessKeyId} (${ctx.principal.access}, ${scope}) may not ${describe(chosen.action)}${bucket !== undefined ? ` on ${bucket}` : ''}.`);
  }
}

const describe = (action: string): string =>
  action === 'bucket-admin' ? 'create or delete buckets or change their settings' : action === 'write' ? 'write' : action === 'read' ? 'read' : action;

function writeError(ctx: S3Context, error: S3Error): void {
  const { res, req } = ctx;
  const headers: Record<string, string> = { ...error.headers };
  // A body we did not read: close the connection rather than read (perhaps gigabytes) to reuse it.
  if (!req.complete) headers.Connection = 'close';
  if (req.method === 'HEAD' || error.status === 304) {
    res.writeHead(error.status, headers);
    res.end();
    return;
  }
  const xml = buildXml(
    'Error',
    { Code: error.code, Message: error.message, ...error.fields, Resource: ctx.target.resource, RequestId: ctx.requestId },
    null, // S3's error document has no namespace
  );
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(error.status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': String(body.length) });
  res.end(body);
  ctx.bytesOut += body.length;
}
