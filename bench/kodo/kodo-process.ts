import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { KodoConfigSchema } from '../../agents/protocol/services/kodo';
import { KODO_CONTROL_SOCKET, KODO_HEALTH_PATH, KODO_PROGRAM } from '../../agents/services/kodo/module';
import { buildBundle, waitFor, type AgentBundle } from '../../tests/helpers/agent-harness';

/**
 * Kodo as the agent runs it: the bundled kodo-server.js (scripts/build-agent.mjs) as its own
 * process, with the arguments and environment agents/services/kodo/module.ts gives it, over the
 * bench's disks; then init.v1 and keys-create.v1 on its control socket, as the console does.
 */
export interface KodoProcess {
  pid: number;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** SIGTERM, wait for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** Synchronous kill for the cleanup path. */
  kill(): void;
}

export function buildKodoBundle(workDir: string): AgentBundle {
  const wasmDir = path.resolve(__dirname, '../../agents/services/kodo/erasure/wasm/build');
  if (!fs.existsSync(wasmDir) || !fs.readdirSync(wasmDir).some((f) => f.endsWith('.wasm'))) {
    const built = spawnSync(process.execPath, [path.resolve(__dirname, '../../scripts/build-erasure-wasm.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`building Kodo's WebAssembly kernel failed: ${built.stderr.trim()}`);
  }
  return buildBundle(workDir);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function control(socketPath: string, method: string, params: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: `/control/${method}`, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: Record<string, unknown>; error?: { code: string; message: string } };
        if (body.result) resolve(body.result);
        else reject(new Error(`Kodo ${method}: ${body.error?.code}: ${body.error?.message}`));
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(params));
  });
}

export interface StartKodoOptions {
  bundle: AgentBundle;
  node: string;
  stateDir: string;
  disks: string[];
  layout: { k: number; m: number };
  /** Format the disks (init.v1) and make a key; false when they already hold the store. */
  init: boolean;
  /** The key from a previous start on the same state dir. */
  key?: { accessKeyId: string; secretAccessKey: string };
}

export async function startKodo(opts: StartKodoOptions): Promise<KodoProcess> {
  fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const configFile = path.join(opts.stateDir, 'kodo.json');
  fs.writeFileSync(configFile, JSON.stringify(KodoConfigSchema.parse({ listenAddress: '127.0.0.1' })));
  const s3Port = await freePort();
  const qiniuPort = await freePort();
  const program = path.join(opts.bundle.dir, KODO_PROGRAM);
  const args = [program, '--config', configFile, '--state-dir', opts.stateDir, '--s3-port', String(s3Port), '--qiniu-port', String(qiniuPort), ...opts.disks.flatMap((d) => ['--disk', d])];
  // The thread pool module.ts gives it: 4 per disk, at least 8.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', UV_THREADPOOL_SIZE: String(Math.min(128, Math.max(8, 4 * opts.disks.length))) };
  const child: ChildProcess = spawn(opts.node, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${s3Port}`;
  await waitFor(
    'kodo-server to answer its health check',
    async () => {
      if (child.exitCode !== null) throw new Error(`kodo-server exited (${child.exitCode}) before it answered:\n${out}`);
      try {
        return (await fetch(`${endpoint}${KODO_HEALTH_PATH}`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    30_000,
    100,
  );
  let key = opts.key;
  if (opts.init) {
    const socket = path.join(opts.stateDir, KODO_CONTROL_SOCKET);
    await control(socket, 'init.v1', { layout: opts.layout });
    const created = (await control(socket, 'keys-create.v1', { description: 'bench' })) as { key: { accessKeyId: string }; secretKey: string };
    key = { accessKeyId: created.key.accessKeyId, secretAccessKey: created.secretKey };
  }
  if (!key) throw new Error('startKodo: no key (init: false needs the key of the earlier start)');
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    pid: child.pid!,
    endpoint,
    ...key,
    kill,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
