import path from 'node:path';
import { defineServiceModule } from '../service-module';
import { unixSocketJson } from '../unix-socket-json';
import {
  KODO_CONTROL_METHODS,
  KODO_QINIU_DEFAULT_PORT,
  KODO_QINIU_PORT_ID,
  KODO_S3_DEFAULT_PORT,
  KODO_S3_PORT_ID,
  KODO_SERVICE_ID,
  KodoConfigSchema,
  type KodoConfig,
} from '../../protocol/services/kodo';

/**
 * Kodo as a service module: the agent runs `kodo-server.js` (bundled beside agent.js by
 * scripts/build-agent.mjs, from ./server/main.ts) with the agent's own Node runtime, over the data
 * disks agent.json lists. The program is in ./server/; the APIs in ./s3/ and ./qiniu/; the storage
 * engine in ./store/.
 */

/** The program's file name beside agent.js. */
export const KODO_PROGRAM = 'kodo-server.js';
export const KODO_CONTROL_SOCKET = 'control.sock';
export const KODO_HEALTH_PATH = '/.kodo/health';
export const KODO_METRICS_PATH = '/metrics';

export const kodoModule = defineServiceModule<KodoConfig>({
  id: KODO_SERVICE_ID,
  version: '1.0.0',
  roles: ['server'],
  ports: [
    { id: KODO_S3_PORT_ID, defaultPort: KODO_S3_DEFAULT_PORT },
    { id: KODO_QINIU_PORT_ID, defaultPort: KODO_QINIU_DEFAULT_PORT },
  ],
  configSchema: KodoConfigSchema,
  launch: (_config, ctx) => ({
    command: ctx.nodePath,
    args: [
      path.join(ctx.programDir, KODO_PROGRAM),
      '--config',
      ctx.configFile,
      '--state-dir',
      ctx.dataDir,
      '--s3-port',
      String(ctx.ports[KODO_S3_PORT_ID]),
      '--qiniu-port',
      String(ctx.ports[KODO_QINIU_PORT_ID]),
      ...ctx.dataDisks.flatMap((d) => ['--disk', d.mountpoint]),
    ],
    // Each put does several fsync/rename steps per disk on libuv's pool (store/README.md): four
    // threads would serialise a 22-disk set.
    env: { UV_THREADPOOL_SIZE: String(Math.min(128, Math.max(8, 4 * ctx.dataDisks.length))) },
    restart: 'always',
  }),
  readiness: {
    // The S3 port answers `/.kodo/health` (not a bucket: `.kodo` is no valid bucket name) with 200
    // once both APIs listen, before init.v1 too: the service serves, and says it is not initialized.
    probe: (_config, ctx) => ({ kind: 'http', port: ctx.ports[KODO_S3_PORT_ID]!, path: KODO_HEALTH_PATH, host: '127.0.0.1' }),
    startupGraceMs: 20_000,
  },
  // Read from the control socket, not the S3 port: figures about the store are not for anyone on the network.
  metrics: (_config, ctx, signal) => readMetrics(path.join(ctx.dataDir, KODO_CONTROL_SOCKET), signal),
  // The heal priority is read again on SIGHUP; everything else (ports, region, addresses) restarts.
  reload: {
    signal: 'SIGHUP',
    applies: (previous, next) =>
      previous.region === next.region && previous.listenAddress === next.listenAddress && JSON.stringify(previous.virtualHostSuffixes) === JSON.stringify(next.virtualHostSuffixes),
  },
  control: {
    methods: KODO_CONTROL_METHODS,
    socket: (_config, ctx) => path.join(ctx.dataDir, KODO_CONTROL_SOCKET),
    timeoutMs: 60_000,
  },
});

type MetricReading = { metric: string; kind: 'gauge' | 'counter'; value: number };

async function readMetrics(socketPath: string, signal: AbortSignal): Promise<MetricReading[]> {
  const answer = await unixSocketJson({ socketPath, method: 'GET', path: KODO_METRICS_PATH, maxBytes: 1024 * 1024, signal });
  if (answer.status !== 200) throw new Error(`kodo's ${KODO_METRICS_PATH} answered HTTP ${answer.status}`);
  if (answer.body === null) throw new Error(`kodo's ${KODO_METRICS_PATH} answered with something that is not JSON`);
  const metrics = (answer.body as { metrics?: MetricReading[] }).metrics ?? [];
  return metrics.filter((m) => typeof m.metric === 'string' && (m.kind === 'gauge' || m.kind === 'counter') && Number.isFinite(m.value));
}
