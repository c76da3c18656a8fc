import http from 'node:http';
import path from 'node:path';
import type { KodoConfig } from '../../../protocol/services/kodo';
import { KODO_CONTROL_SOCKET, KODO_HEALTH_PATH } from '../module';
import { createQiniuHandler } from '../qiniu';
import { createS3Handler } from '../s3';
import { openAccessKeyStore } from './access-key-store';
import { startControlServer } from './control-api';
import { createKodoRuntime, type KodoRuntime } from './kodo-runtime';
import { createServerMetrics } from './server-metrics';

/**
 * The Kodo server: the S3 API on one port, Qiniu's on another, the control API on a Unix socket,
 * all over one store. Until the store exists (init.v1) or while it cannot open, both APIs answer
 * "not initialized / unavailable" — the process serves either way, so the agent's readiness probe
 * and the console can tell "Kodo runs, its disks are not set up" from "Kodo is down".
 */
export interface KodoServerOptions {
  stateDir: string;
  disks: string[];
  config: KodoConfig;
  ports: { s3: number; qiniu: number };
  log: (event: string, fields: Record<string, unknown>) => void;
}

export interface KodoServer {
  runtime: KodoRuntime;
  /** Ports actually bound (differs from the options only with port 0, in tests). */
  ports: { s3: number; qiniu: number };
  reconfigure(config: KodoConfig): void;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** S3 caps a request's headers at 8 KiB; a little room above that, and Node's 431 beyond it. */
const MAX_HEADER_BYTES = 16 * 1024;

export async function startKodoServer(options: KodoServerOptions): Promise<KodoServer> {
  const metrics = createServerMetrics();
  const ports = { ...options.ports };
  const keys = openAccessKeyStore(path.join(options.stateDir, 'keys.json'));
  let config = options.config;
  let s3: Handler | null = null;
  let qiniu: Handler | null = null;
  const runtime = createKodoRuntime({
    disks: options.disks,
    keys,
    config,
    // The ports bound (filled in below): what status reports and presigned links carry (port 0 in tests).
    ports,
    log: options.log,
    onStore: (store) => {
      s3 = createS3Handler({ store, keys, region: config.region, metrics, log: options.log, virtualHostSuffixes: config.virtualHostSuffixes });
      qiniu = createQiniuHandler({ store, keys, metrics, log: options.log });
    },
  });
  await runtime.open();

  const unavailable = () => {
    try {
      runtime.requireStore();
      return null;
    } catch (error) {
      return error as Error & { code: string };
    }
  };

  const s3Server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === KODO_HEALTH_PATH && !req.headers.authorization) {
      const body = JSON.stringify({ ok: true, initialized: runtime.store() !== null });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (s3) return s3(req, res);
    const why = unavailable();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${why?.code === 'kodo.not-initialized' ? 'XKodoNotInitialized' : 'ServiceUnavailable'}</Code><Message>${escapeXml(why?.message ?? 'the store is not open')}</Message></Error>`;
    req.resume();
    res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), 'retry-after': '30' });
    res.end(xml);
  });
  const qiniuServer = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    if (qiniu) return qiniu(req, res);
    const body = JSON.stringify({ error: unavailable()?.message ?? 'the store is not open' });
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  const listen = (server: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.listenAddress, () => resolve((server.address() as { port: number }).port));
    });
  Object.assign(ports, { s3: await listen(s3Server, options.ports.s3), qiniu: await listen(qiniuServer, options.ports.qiniu) });
  const control = await startControlServer(path.join(options.stateDir, KODO_CONTROL_SOCKET), runtime, () => ({ metrics: readings() }));

  function readings() {
    const store = runtime.store();
    const disks = store?.disks() ?? [];
    const heal = store?.healStatus();
    return [
      ...metrics.readings(),
      { metric: 'disks_online', kind: 'gauge' as const, value: disks.filter((d) => d.state === 'online').length },
      { metric: 'disks_total', kind: 'gauge' as const, value: disks.length },
      { metric: 'initialized', kind: 'gauge' as const, value: store ? 1 : 0 },
      // Objects found damaged on read and waiting for healing (the scanner's own progress is in kodo.status).
      ...(heal ? [{ metric: 'heal_objects_pending', kind: 'gauge' as const, value: heal.queue.pending }] : []),
    ];
  }

  const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    runtime,
    ports,
    reconfigure(next) {
      config = next;
      runtime.setConfig(next);
    },
    async close() {
      s3Server.closeIdleConnections();
      qiniuServer.closeIdleConnections();
      await Promise.all([close(s3Server), close(qiniuServer), close(control)]);
      await runtime.close();
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
