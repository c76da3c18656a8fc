/**
 * Kodo end to end, as the "done when" says it: a testbed appliance with 22 data disks,
 * provisioned from bare through the console (which enables the server role's services: Kodo),
 * initialized as 20+2 through the console, serving S3 (AWS SDK v3, AWS CLI) and Qiniu (the `qiniu`
 * SDK) clients with a key created through the console; then the durability test (1,000 objects
 * of mixed sizes, two disks failed, everything read back byte-identical, the disks replaced and
 * healed to full redundancy) and the crash test (kill -9 of the service during 200 concurrent
 * PUTs and overwrites, five times: every key absent, old or new and complete, and the listing
 * agrees with reads). Prefix <tag>ko.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { MethodOutput } from '../../main/contract/api.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX } from '../helpers/console-fixture';
import { runOnMachine } from '../helpers/machine-shell';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';
import { until } from '../helpers/wait-until';

/** Progress lines, for a person reading a slow or failed run (KODO_TEST_VERBOSE=1). */
const log = (line: string) => {
  if (process.env.KODO_TEST_VERBOSE) console.log(line);
};

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] Kodo service test skipped: ${skip} (needs root and network namespaces)`);

const DISKS = 22;
const MiB = 1024 * 1024;

/** Deterministic bytes for (name, generation): AES-CTR over zeros, fast and incompressible. */
function bytesOf(name: string, generation: number, size: number): Buffer {
  const key = crypto.createHash('sha256').update(`${name}#${generation}`).digest().subarray(0, 16);
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * 1,000 sizes from 0 B to 64 MiB: 900 small (inlined in the metadata), 90 of 128 KiB–1 MiB, 10 of
 * 1–64 MiB: ~200 MiB in all, every path of the store (inlined, one stripe, many stripes) on a
 * budget the suite can afford on 2 cores.
 */
function durabilitySizes(): number[] {
  const large = [64, 32, 16, 8, 8, 4, 4, 2, 2, 1].map((n) => n * MiB);
  return Array.from({ length: 1000 }, (_, i) => {
    if (i % 100 === 0) return large[i / 100]!;
    if (i % 10 === 0) return 128 * 1024 + ((i * 7919) % (MiB - 128 * 1024));
    return (i * 104_729) % (64 * 1024);
  });
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

describe.skipIf(skip !== undefined)('Kodo on a testbed appliance with 22 disks, through the console', () => {
  const tb = createTestbed({ prefix: testbedPrefix('ko') });
  const work = makeTempDir('kodo-service');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';
  let s3: S3Client;
  let key: MethodOutput<'kodo.createKey'>;

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }
  const kodoService = async () => (await call<MethodOutput<'service.list'>>('service.list', { applianceId: id })).services.find((s: ServiceStatus) => s.module === 'kodo');
  const status = () => call<MethodOutput<'kodo.status'>>('kodo.status', { applianceId: id });

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: DISKS, diskSize: '1G' })).machines[0]!;
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 60_000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'ko-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null; steps: { id: string; status: string; outputTail: string }[] }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    const roleStep = run.steps.find((s) => s.id === 'role-services');
    if (roleStep?.status !== 'done') throw new Error(`provisioning did not enable the role's services: ${JSON.stringify(roleStep)}`);
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('provisioning enabled Kodo; it serves uninitialized, and offers the layouts its 22 disks allow', async () => {
    const kodo = await until('Kodo ready', kodoService, (s) => s?.readiness?.state === 'ready', 60_000);
    expect(kodo).toMatchObject({ enabled: true, configured: true, state: 'running', ports: [{ id: 'kodo-s3', port: 9000 }, { id: 'kodo-qiniu', port: 9010 }] });
    const before = await status();
    expect(before).toMatchObject({ initialized: false, layout: null });
    expect(before.dataDisks).toHaveLength(DISKS);
    expect(before.layoutOptions.map((o) => `${o.k}+${o.m}`)).toContain('20+2');
    const notYet = await fetch(`http://${m.address}:9000/any-bucket/key`);
    expect(notYet.status).toBe(503);
  });

  it('initializes as 20+2 over the 22 disks (redundancy 1.10), once', async () => {
    const init = await call<MethodOutput<'kodo.init'>>('kodo.init', { applianceId: id, layout: { k: 20, m: 2 } });
    expect(init).toMatchObject({ layout: { k: 20, m: 2 }, disks: 22, chosenBy: 'request' });
    expect(init.redundancyRatio).toBeCloseTo(1.1, 5);
    const after = await status();
    expect(after).toMatchObject({ initialized: true, layout: { k: 20, m: 2 } });
    expect(after.disks.filter((d) => d.state === 'online')).toHaveLength(22);
    const again = await c.dispatcher.call('kodo.init' as never, { applianceId: id, layout: { k: 10, m: 2 } } as never, CTX);
    expect(again.ok).toBe(false);
  });

  it('a key created through the console serves the AWS SDK, the AWS CLI and the qiniu SDK on the same objects', async () => {
    key = await call<MethodOutput<'kodo.createKey'>>('kodo.createKey', { applianceId: id, description: 'kodo e2e' });
    expect(key.endpoint).toBe(`http://${m.address}:9000`);
    s3 = new S3Client({ endpoint: key.endpoint, region: key.region, forcePathStyle: true, credentials: { accessKeyId: key.key.accessKeyId, secretAccessKey: key.secretKey } });
    await s3.send(new CreateBucketCommand({ Bucket: 'media' }));
    const body = bytesOf('hello', 0, 3 * MiB + 17);
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'clips/hello.bin', Body: body, ContentType: 'video/mp4' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'media', Key: 'clips/hello.bin' }));
    expect(sha(await got.Body!.transformToByteArray())).toBe(sha(body));

    // The AWS CLI (Debian's), reading what the SDK wrote.
    const out = path.join(work.dir, 'cli-copy.bin');
    const env = { ...process.env, PATH: '/usr/bin:/bin', AWS_ACCESS_KEY_ID: key.key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretKey, AWS_DEFAULT_REGION: key.region, AWS_EC2_METADATA_DISABLED: 'true', HOME: work.dir };
    await new Promise<void>((resolve, reject) => {
      const p = spawn('/usr/bin/aws', ['--endpoint-url', key.endpoint, 's3', 'cp', 's3://media/clips/hello.bin', out], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`aws s3 cp exited ${code}: ${err}`))));
    });
    expect(sha(fs.readFileSync(out))).toBe(sha(body));

    // Qiniu's SDK, same key, same bucket: a form upload, then stat through its bucket manager.
    const qiniu = (await import('qiniu')).default;
    const mac = new qiniu.auth.digest.Mac(key.key.accessKeyId, key.secretKey);
    const host = `${m.address}:9010`;
    const zone = new qiniu.conf.Zone([host], [], host, host, host, host);
    const config = new qiniu.conf.Config({ zone, useHttpsDomain: false });
    const token = new qiniu.rs.PutPolicy({ scope: 'media' }).uploadToken(mac);
    const qbody = bytesOf('qiniu', 0, 200 * 1024);
    const uploaded = await new qiniu.form_up.FormUploader(config).put(token, 'from-qiniu.bin', qbody, new qiniu.form_up.PutExtra());
    expect(uploaded.ok()).toBe(true);
    const viaS3 = await s3.send(new GetObjectCommand({ Bucket: 'media', Key: 'from-qiniu.bin' }));
    expect(sha(await viaS3.Body!.transformToByteArray())).toBe(sha(qbody));
    const stat = await new qiniu.rs.BucketManager(mac, config).stat('media', 'clips/hello.bin');
    expect(stat.ok()).toBe(true);
    expect(stat.data).toMatchObject({ fsize: body.length });
  });

  it('durability: 1,000 objects (0 B – 64 MiB) survive two failed disks byte for byte; replaced disks heal to full redundancy', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
    const sizes = durabilitySizes();
    const name = (i: number) => `set/${String(i).padStart(4, '0')}.bin`;
    const hashes: string[] = [];
    await pool(sizes, 8, async (size, i) => {
      const body = bytesOf(name(i), 0, size);
      hashes[i] = sha(body);
      await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: name(i), Body: body }));
    });
    await tb.fault(m.name, 'disk-fail', 'd3');
    await tb.fault(m.name, 'disk-fail', 'd17');
    const bad: string[] = [];
    await pool(sizes, 8, async (_size, i) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'durable', Key: name(i) }));
      if (sha(await got.Body!.transformToByteArray()) !== hashes[i]) bad.push(name(i));
    });
    expect(bad).toEqual([]);

    // A person swaps both drives, then tells the console; Kodo takes the blank disks into their
    // slots and heals everything onto them.
    await tb.fault(m.name, 'disk-replace', 'd3');
    await tb.fault(m.name, 'disk-replace', 'd17');
    await call('kodo.heal', { applianceId: id, rescanDisks: true, start: true, priority: 'high' });
    const started = Date.now();
    const healed = await until(
      'both replaced disks online and healed',
      async () => {
        const s = await status();
        log(`heal after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify({ state: s.heal?.state, cycle: s.heal?.cycle && { scanned: s.heal.cycle.objectsScanned, healed: s.heal.cycle.objectsHealed, eta: s.heal.cycle.etaSeconds }, disks: s.disks.filter((d) => d.state !== 'online' || d.healing).map((d) => `${d.index}:${d.state}${d.healing ? '/healing' : ''}`) })}`);
        return s;
      },
      (s) => s.disks.length === 22 && s.disks.every((d) => d.state === 'online' && !d.healing) && s.heal?.state === 'idle' && s.heal.lastCycle !== null,
      240_000,
      5_000,
    );
    expect(healed.heal?.lastCycle?.errors).toBe(0);
    // Every object's shard is back on the replaced disks: large objects have a part file on each.
    const onNewDisk = await runOnMachine(m, `find /srv/disks/d3/durable -name 'part.1' | wc -l; find /srv/disks/d17/durable -name 'part.1' | wc -l`);
    const objectsWithParts = sizes.filter((s) => s > 128 * 1024).length;
    expect(onNewDisk.trim().split('\n').map(Number)).toEqual([objectsWithParts, objectsWithParts]);
    // And with them back, two other disks can fail.
    await tb.fault(m.name, 'disk-fail', 'd5');
    await tb.fault(m.name, 'disk-fail', 'd9');
    for (const i of [0, 100, 500, 910]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'durable', Key: name(i) }));
      expect(sha(await got.Body!.transformToByteArray())).toBe(hashes[i]);
    }
    await tb.fault(m.name, 'disk-restore', 'd5');
    await tb.fault(m.name, 'disk-restore', 'd9');
  }, 420_000);

  it('crash: kill -9 during 200 concurrent PUTs and overwrites, five times; every key absent, old or new, and listings agree', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    const keys = Array.from({ length: 200 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
    // One key in ten is several stripes (2 MiB), the rest from inlined to one stripe: every commit path, on a budget.
    const sizeOf = (i: number) => (i % 10 === 0 ? 2 * MiB + i : (i * 997) % (200 * 1024));
    /** What each key may read as: the hashes of every generation a PUT was started for. */
    const allowed = new Map<string, Set<string>>(keys.map((k) => [k, new Set<string>()]));
    // Generation 0 written in full first, so overwrites have an old version to keep.
    await pool(keys, 16, async (k, i) => {
      const body = bytesOf(k, 0, sizeOf(i));
      allowed.get(k)!.add(sha(body));
      await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: k, Body: body }));
    });
    const quiet = new S3Client({ endpoint: key.endpoint, region: key.region, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: key.key.accessKeyId, secretAccessKey: key.secretKey } });
    try {
      for (let round = 1; round <= 5; round++) {
        const puts = keys.map(async (k, i) => {
          // Half the keys are deleted first and written again: "absent" is a valid outcome too.
          if (i % 2 === 1) await quiet.send(new DeleteObjectCommand({ Bucket: 'crash', Key: k })).catch(() => undefined);
          const body = bytesOf(k, round, sizeOf(i + round));
          allowed.get(k)!.add(sha(body));
          await quiet.send(new PutObjectCommand({ Bucket: 'crash', Key: k, Body: body })).catch(() => undefined);
        });
        await new Promise((r) => setTimeout(r, 150 + round * 60));
        await runOnMachine(m, 'pkill -9 -f kodo-server.js');
        await Promise.all(puts);
        // Five crashes within a minute make the agent treat Kodo as flapping and wait its longest
        // backoff (60 s, agent.json supervisor.backoff.maxMs) before the restart: wait past it.
        await until('Kodo back after kill -9', () => fetch(`http://${m.address}:9000/.kodo/health`).then((r) => r.status, () => 0), (s) => s === 200, 90_000);
      }
    } finally {
      quiet.destroy();
    }
    const listed = new Set<string>();
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'crash', ContinuationToken: token }));
      for (const o of page.Contents ?? []) listed.add(o.Key!);
      token = page.NextContinuationToken;
    } while (token);
    const problems: string[] = [];
    await pool(keys, 16, async (k) => {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: k }));
        const h = sha(await got.Body!.transformToByteArray());
        if (!allowed.get(k)!.has(h)) problems.push(`${k}: torn or unknown content`);
        if (!listed.has(k)) problems.push(`${k}: readable but not listed`);
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchKey') problems.push(`${k}: ${(error as Error).message}`);
        else if (listed.has(k)) problems.push(`${k}: listed but not readable`);
      }
    });
    expect(problems).toEqual([]);
    const kodo = await kodoService();
    expect(kodo?.restarts).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
