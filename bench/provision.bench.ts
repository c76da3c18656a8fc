import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'ssh2';
import { netnsUnsupportedReason } from '../appliance/testbed/preflight';
import type { MachineState } from '../appliance/testbed/state';
import { createTestbed } from '../appliance/testbed/testbed';
import { createAgentClient, sshExecBridgeOpener } from '../agents/client/agent-client';
import { mapWithConcurrency } from '../main/cli/provision-command';
import { systemClock } from '../main/core/clock';
import { silentLogger } from '../main/core/log';
import type { ProvisionResources } from '../main/provision/plan';
import { createProvisioner } from '../main/provision/provisioner';
import { sshEdge } from '../main/reach/ssh-edge';
import { loadAgentArtifact, loadRuntimeArtifact } from '../main/provision/resources';
import { servicePortMap } from '../main/provision/steps/config';
import { connectSsh } from '../main/ssh/ssh-connect';
import { testProvisionResources, TEST_TARGET } from '../tests/helpers/provision-resources';
import { testbedPrefix } from '../tests/helpers/testbed-prefix';
import { machineCpuSeconds, machineTicks } from './machine-cpu';
import { median, met, notMeasured, printFigures, saveResults, type Figure } from './report';

/**
 * Bare → healthy on testbed machines (prefix: the run's tag + bpr): the console's provisioner for 1 machine and for
 * 10 at once, against bench/ansible/install.yml doing the same steps with Debian's ansible-core, in
 * the same run, on the same machines. Every measurement starts from a freshly made testbed (down,
 * then up), so both tools start from bare and neither benefits from the other's leftovers. Both log
 * in as root with the testbed's key and check host keys against the testbed's fingerprints. After
 * each timed run (outside the timing), the agent on every machine is asked for health.v1 through
 * the bridge with its token, so a run that "succeeded" without a working agent fails the bench.
 *
 * CPU of each of our runs: the console's (this process: the provisioner runs in it, so
 * process.cpuUsage() around the run), the machines' (every process in their network namespaces,
 * bench/machine-cpu.ts) and the whole host's (/proc/stat, informative: it counts other work on a
 * shared machine too). The testbed's machines share this host's cores, so how fast 10 go at once
 * depends on this host; the console's CPU per machine does not, and 10 at once are compared with
 * the least time their CPU can take here.
 */
const PREFIX = testbedPrefix('bpr');
const MACHINES = 10;
const REPS = Math.max(1, Number(process.env.BENCH_PROVISION_REPS ?? 3));
const PLAYBOOK = path.resolve(__dirname, 'ansible/install.yml');
const NOOP_PLAYBOOK = path.resolve(__dirname, 'ansible/noop.yml');
const ANSIBLE_CFG = path.resolve(__dirname, 'ansible/ansible.cfg');
/**
 * ansible-core, not ansible: it provides ansible-playbook and every ansible.builtin module the
 * playbook uses (setup, shell, assert, file, copy, stat, unarchive, template, wait_for, uri) in
 * ~8 MB; Debian's `ansible` adds ~250 MB of community collections the playbook does not use.
 */
const ANSIBLE_INSTALL = 'apt-get install -y ansible-core';

const log = (line: string) => process.stderr.write(`provision bench: ${line}\n`);

/** Targets (issue §6), each measured in the same run as its reference. */
const TARGETS = {
  /** Ansible's wall time ÷ ours, for 1 and for 10 machines. */
  ansibleVsOurs: 3,
  /** The console's own CPU per machine: the part that does not spread out when real machines unpack on their own CPUs. */
  consoleCpuPerMachine: 0.15,
  /** 10 machines at once ÷ the least time their CPU can take on this host's cores. */
  tenVsCpuFloor: 1.1,
};

/** What one timed run of ours used. */
interface OurRun {
  seconds: number;
  /** The bench process's CPU (user + system), which is the console: the provisioner runs in it. */
  consoleCpu: number;
  /** Every process inside the machines (sshd, unpacking, hashing, the agent starting). */
  machinesCpu: number;
  /** The whole host, other engineers' work on this shared machine included. */
  hostCpu: number;
}

export async function runProvisionBenchmarks(): Promise<boolean> {
  const title = 'Provisioning bare → healthy on testbed machines';
  const skip = netnsUnsupportedReason();
  if (skip) {
    const why = `${skip} (the testbed needs root and network namespaces)`;
    printFigures(title, [notMeasured('ours, 1 and 10 machines', why), notMeasured('Ansible ÷ ours', why), notMeasured('console CPU per machine', why)]);
    return false;
  }
  const ansible = ansibleVersion();
  if (!ansible.ok) log(`${ansible.reason}; the Ansible half is not measured. To measure it: ${ANSIBLE_INSTALL}`);
  else log(`using ${ansible.version}`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bench-prv-'));
  const tb = createTestbed({ prefix: PREFIX });
  let runtimeLabel = '';
  let runtimeFile = '';
  const uploadCpu: number[] = [];
  const ours = { one: [] as OurRun[], ten: [] as OurRun[] };
  const times = { ansible1: [] as number[], ansible10: [] as number[], ansibleStart: [] as number[] };
  try {
    const resources = testProvisionResources(work);
    const rt = loadRuntimeArtifact(resources.runtimesDir, TEST_TARGET, { zstd: hostHasZstd() });
    runtimeLabel = `Node ${rt.version} runtime ${(rt.size / 1024 / 1024).toFixed(0)} MiB ${rt.encoding}`;
    runtimeFile = rt.file;
    const token = crypto.randomBytes(32).toString('base64url');
    const fresh = async (count: number): Promise<MachineState[]> => {
      await tb.down();
      return (await tb.up({ appliances: MACHINES, disks: 0 })).machines.slice(0, count);
    };
    for (let rep = 1; rep <= REPS; rep++) {
      // Alternating tools within a repetition, each on a fresh testbed.
      ours.one.push(await timed(`rep ${rep}: ours, 1 machine`, await fresh(1), (m) => runOurs(m, resources, token)));
      if (ansible.ok) times.ansible1.push((await timed(`rep ${rep}: ansible, 1 machine`, await fresh(1), (m) => runAnsible(m, resources, token, work))).seconds);
      ours.ten.push(await timed(`rep ${rep}: ours, ${MACHINES} machines`, await fresh(MACHINES), (m) => runOurs(m, resources, token)));
      if (ansible.ok) times.ansible10.push((await timed(`rep ${rep}: ansible, ${MACHINES} machines`, await fresh(MACHINES), (m) => runAnsible(m, resources, token, work))).seconds);
      if (ansible.ok) times.ansibleStart.push((await timed(`rep ${rep}: ansible-playbook start-up (empty play)`, [], () => runAnsibleNoop(work))).seconds);
    }
    // What the console's CPU per machine is made of: the same runtime tarball streamed to one
    // machine over an SSH session into /dev/null, and nothing else, the console's CPU around it.
    const [m] = await fresh(1);
    for (let rep = 0; rep < REPS; rep++) uploadCpu.push(await uploadCpuSeconds(m!, runtimeFile));
  } finally {
    await tb.down();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const med = (runs: OurRun[], pick: (r: OurRun) => number) => median(runs.map(pick));
  const ours1 = med(ours.one, (r) => r.seconds);
  const ours10 = med(ours.ten, (r) => r.seconds);
  const cores = os.cpus().length;
  const figures: Figure[] = [
    { name: `ours, 1 machine bare → healthy (median of ${REPS})`, value: ours1, unit: 's' },
    { name: `ours, ${MACHINES} machines at once (concurrency ${MACHINES})`, value: ours10, unit: 's', reference: { name: 'ours, 1 machine', value: ours1 } },
  ];
  if (ansible.ok) {
    const a1 = median(times.ansible1);
    const a10 = median(times.ansible10);
    figures.push(
      { name: `Ansible (${ansible.version}), 1 machine`, value: a1, unit: 's', reference: { name: 'ours', value: ours1 } },
      { name: `Ansible, ${MACHINES} machines (forks ${MACHINES})`, value: a10, unit: 's', reference: { name: 'ours', value: ours10 } },
      {
        name: 'of which ansible-playbook start-up (an empty play on localhost; ours runs in the console process, so has none)',
        value: median(times.ansibleStart),
        unit: 's',
      },
      { name: 'Ansible ÷ ours, 1 machine', value: a1 / ours1, unit: '×', target: TARGETS.ansibleVsOurs, higherIsBetter: true },
      { name: `Ansible ÷ ours, ${MACHINES} machines`, value: a10 / ours10, unit: '×', target: TARGETS.ansibleVsOurs, higherIsBetter: true },
    );
  } else {
    const why = `${ansible.reason}; install it with: ${ANSIBLE_INSTALL}`;
    figures.push(notMeasured('Ansible ÷ ours, 1 machine', why), notMeasured(`Ansible ÷ ours, ${MACHINES} machines`, why));
  }
  // Ten machines here share this host's cores with the console, so "10 at once within 2× of 1"
  // measures this host, not the console. What does not spread out when real machines unpack on
  // their own CPUs is the console's own CPU per machine; and on this host, 10 at once can take no
  // less than the CPU they all use ÷ cores.
  const consolePerMachine1 = med(ours.one, (r) => r.consoleCpu);
  const consolePerMachine10 = med(ours.ten, (r) => r.consoleCpu) / MACHINES;
  const upload = median(uploadCpu);
  const limitedBy = (perMachine: number) =>
    `streaming the runtime tarball (${runtimeLabel}) through ssh2 costs the console ${upload.toFixed(2)} CPU-s by itself (measured below: ` +
    `${Math.round((upload / perMachine) * 100)} % of this figure): ssh2 frames, encrypts and writes it in channel packets, and over loopback the ` +
    `kernel's receive work for the machine's side is charged to the sending process too; a machine that already has this runtime skips it (the runtime step's check)`;
  figures.push(
    { name: 'console CPU per machine, 1 machine (the bench process, where the provisioner runs)', value: consolePerMachine1, unit: 'CPU-s', target: TARGETS.consoleCpuPerMachine, limitedBy: limitedBy(consolePerMachine1) },
    { name: `console CPU per machine, ${MACHINES} at once`, value: consolePerMachine10, unit: 'CPU-s', target: TARGETS.consoleCpuPerMachine, limitedBy: limitedBy(consolePerMachine10) },
    { name: '  of which streaming the runtime tarball alone over SSH into /dev/null (informative)', value: upload, unit: 'CPU-s' },
    { name: 'machine CPU per machine, 1 machine (every process inside it: sshd, unpacking, hashing, the agent)', value: med(ours.one, (r) => r.machinesCpu), unit: 'CPU-s' },
    { name: `machine CPU per machine, ${MACHINES} at once`, value: med(ours.ten, (r) => r.machinesCpu) / MACHINES, unit: 'CPU-s' },
  );
  // The floor counts only the CPU this run used (console + machines). The whole host's CPU, which
  // the bench printed before, also counts whatever else runs on this shared machine: a busy host
  // raised that floor towards the wall time and made the ratio look met.
  const floor10 = med(ours.ten, (r) => r.consoleCpu + r.machinesCpu) / cores;
  figures.push({
    name: `ours, ${MACHINES} machines at once, against the least time they can take on this host's ${cores} cores`,
    value: ours10,
    unit: 's',
    targetRatio: TARGETS.tenVsCpuFloor,
    reference: { name: `(console + machines) CPU ÷ ${cores} cores`, value: floor10 },
  });
  figures.push({
    name: `host CPU per machine, ${MACHINES} at once (whole host; includes other work on this shared machine; informative)`,
    value: med(ours.ten, (r) => r.hostCpu) / MACHINES,
    unit: 'CPU-s',
    reference: { name: 'console + machines', value: med(ours.ten, (r) => r.consoleCpu + r.machinesCpu) / MACHINES },
  });
  printFigures(`${title} (${TEST_TARGET}, ${runtimeLabel})`, figures);
  const runs = { ours1: ours.one.map((r) => r.seconds), ours10: ours.ten.map((r) => r.seconds), ...times };
  console.log(`  runs (s): ${Object.entries(runs).filter(([, v]) => v.length).map(([k, v]) => `${k} ${v.map((t) => t.toFixed(1)).join('/')}`).join('; ')}`);
  for (const [kind, byStep] of stepTimes) {
    console.log(`  ours, ${kind} machine(s), median per step: ${[...byStep].map(([id, ms]) => `${id} ${(median(ms) / 1000).toFixed(1)} s`).join(', ')}`);
  }
  for (const [kind, byTask] of ansibleTaskTimes) {
    console.log(`  Ansible, ${kind} machine(s), median per task: ${[...byTask].map(([task, ms]) => `${task} ${(median(ms) / 1000).toFixed(1)} s`).join(', ')}`);
  }
  saveResults('provision', figures);
  return figures.every((f) => met(f) !== false);
}

/** Testbed machines run the host's binaries: zstd there means our provisioner sends the .tar.zst. */
function hostHasZstd(): boolean {
  return spawnSync('sh', ['-c', 'command -v zstd'], { encoding: 'utf8' }).status === 0;
}

function ansibleVersion(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `ansible-playbook is not installed (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `ansible-playbook --version failed: ${r.stderr.trim()}` };
  return { ok: true, version: (r.stdout.split('\n')[0] ?? '').trim() };
}

/** A timed run may hand back a check to make once the clock has stopped (is every agent healthy?). */
type TimedRun = () => Promise<void | (() => Promise<void>)>;

/**
 * Times `run` on machines already made (not timed), with the CPU it took: the bench process's
 * (the console), the machines' processes', and the whole host's.
 */
async function timed(label: string, machines: MachineState[], prepare: (machines: MachineState[]) => TimedRun): Promise<OurRun> {
  const run = prepare(machines);
  const host0 = hostCpu();
  const machines0 = machineTicks(machines);
  const console0 = process.cpuUsage();
  const t0 = performance.now();
  const afterwards = await run();
  const seconds = (performance.now() - t0) / 1000;
  const consoleUsage = process.cpuUsage(console0);
  const machines1 = machineTicks(machines);
  const host1 = hostCpu();
  if (afterwards) await afterwards();
  const consoleCpu = (consoleUsage.user + consoleUsage.system) / 1e6;
  const machinesCpu = machineCpuSeconds(machines0, machines1);
  // /proc/stat counts in USER_HZ, 100 per second on Linux.
  const hostCpuSeconds = (host1.busy - host0.busy) / 100;
  const busy = (host1.busy - host0.busy) / (host1.total - host0.total);
  log(`${label}: ${seconds.toFixed(1)} s; CPU: console ${consoleCpu.toFixed(2)} s, machines ${machinesCpu.toFixed(2)} s (${machines0.size} → ${machines1.size} processes), whole host ${hostCpuSeconds.toFixed(1)} s (${(busy * 100).toFixed(0)} % of ${os.cpus().length} cores)`);
  return { seconds, consoleCpu, machinesCpu, hostCpu: hostCpuSeconds };
}

/** Jiffies from the first line of /proc/stat: busy is everything but idle and iowait. */
function hostCpu(): { busy: number; total: number } {
  const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

const trustedKeys = (m: MachineState) => [{ keyType: m.hostKey.publicKey.split(' ')[0]!, fingerprint: m.hostKey.fingerprint }];
const rootKey = (m: MachineState) => ({ kind: 'private-key' as const, privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') });

/** Per step of our plan, every machine's duration (ms), by machine count: where the time goes. */
const stepTimes = new Map<string, Map<string, number[]>>();
/** Per task of the playbook (first host start to last host done, ms), by machine count. */
const ansibleTaskTimes = new Map<string, Map<string, number[]>>();

function runOurs(machines: MachineState[], resources: ProvisionResources, token: string): TimedRun {
  const provisioner = createProvisioner({ resources, dial: sshEdge.connect, clock: systemClock, log: silentLogger });
  return async () => {
    const results = await mapWithConcurrency(machines, machines.length, (m) =>
      provisioner.provision({ target: { address: m.address, port: m.sshPort, user: 'root' }, credential: rootKey(m), trustedKeys: trustedKeys(m), input: { role: 'server', token } }),
    );
    results.forEach((r, i) => {
      if (r.status !== 'succeeded') throw new Error(`our provisioner failed on ${machines[i]!.name}: ${r.error ?? r.status}`);
    });
    const kind = `${machines.length}`;
    const byStep = stepTimes.get(kind) ?? new Map<string, number[]>();
    stepTimes.set(kind, byStep);
    for (const r of results) for (const step of r.steps) byStep.set(step.id, [...(byStep.get(step.id) ?? []), step.durationMs]);
    return () => assertHealthy(machines, token, 'ours');
  };
}

function runAnsible(machines: MachineState[], resources: ProvisionResources, token: string, work: string): TimedRun {
  const dir = fs.mkdtempSync(path.join(work, 'ansible-'));
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, machines.map((m) => knownHostsLine(m)).join(''));
  const inventory = {
    appliances: {
      hosts: Object.fromEntries(
        machines.map((m) => [
          m.name,
          { ansible_host: m.address, ansible_port: m.sshPort, ansible_user: 'root', ansible_ssh_private_key_file: m.rootKeyPath, ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts}` },
        ]),
      ),
    },
  };
  fs.writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify(inventory));
  // The tarball our provisioner sends these machines (they have zstd), so both unpack the same bytes.
  const runtime = loadRuntimeArtifact(resources.runtimesDir, TEST_TARGET, { zstd: hostHasZstd() });
  const agent = loadAgentArtifact(resources.agentsDir, TEST_TARGET);
  // The token is a secret: a 0600 file passed as -e @file, never on a command line.
  fs.writeFileSync(
    path.join(dir, 'vars.json'),
    JSON.stringify({
      runtime_tarball: runtime.file,
      runtime_sha256: runtime.sha256,
      runtime_version: runtime.version,
      agent_tarball: agent.file,
      agent_sha256: agent.sha256,
      agent_version: agent.version,
      // What the provisioner writes for { role: 'server' } on these disk-less machines (steps/config.ts renderConfig).
      agent_config: { configVersion: 1, role: 'server', ports: servicePortMap('server'), dataDisks: [] },
      agent_token: token,
      cron_template: path.join(resources.installDir, 'appliance-agent.cron'),
      // The same room preflight asks for: upload and unpacked copy side by side.
      min_opt_free_kb: Math.ceil((runtime.size * 5 + agent.size * 5) / 1024),
    }),
    { mode: 0o600 },
  );
  // A short ControlPath directory: the socket path must fit in 108 bytes.
  const controlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'acb-cp-'));
  const taskTimes = path.join(dir, 'task-times.jsonl');
  const env = {
    ...process.env,
    BENCH_TASK_TIMES: taskTimes,
    ANSIBLE_CONFIG: ANSIBLE_CFG,
    ANSIBLE_HOME: path.join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
  };
  return async () => {
    try {
      const r = await runProcess('ansible-playbook', ['-i', path.join(dir, 'inventory.json'), '-e', `@${path.join(dir, 'vars.json')}`, '--forks', String(machines.length), PLAYBOOK], env);
      if (r.code !== 0) throw new Error(`ansible-playbook exited with ${r.code}:\n${r.output.split('\n').slice(-40).join('\n')}`);
      const check = () => assertHealthy(machines, token, 'Ansible');
      const byTask = ansibleTaskTimes.get(`${machines.length}`) ?? new Map<string, number[]>();
      ansibleTaskTimes.set(`${machines.length}`, byTask);
      for (const line of fs.readFileSync(taskTimes, 'utf8').split('\n').filter(Boolean)) {
        const t = JSON.parse(line) as { task: string; seconds: number };
        byTask.set(t.task, [...(byTask.get(t.task) ?? []), t.seconds * 1000]);
      }
      return check;
    } finally {
      fs.rmSync(controlDir, { recursive: true, force: true });
    }
  };
}

function runAnsibleNoop(work: string): () => Promise<void> {
  const env = { ...process.env, ANSIBLE_CONFIG: ANSIBLE_CFG, ANSIBLE_HOME: path.join(work, 'ansible-noop-home'), ANSIBLE_LOCALHOST_WARNING: 'False' };
  return async () => {
    const r = await runProcess('ansible-playbook', ['-i', 'localhost,', NOOP_PLAYBOOK], env);
    if (r.code !== 0) throw new Error(`ansible-playbook (empty play) exited with ${r.code}:\n${r.output}`);
  };
}

/** `address keytype key` after checking the key is the one whose fingerprint the testbed reports. */
function knownHostsLine(m: MachineState): string {
  const [type, blob] = m.hostKey.publicKey.split(' ');
  if (!type || !blob) throw new Error(`${m.name}: host public key "${m.hostKey.publicKey}" is not "<type> <base64>"`);
  const fp = `SHA256:${crypto.createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
  if (fp !== m.hostKey.fingerprint) throw new Error(`${m.name}: host key hashes to ${fp}, but the testbed reports ${m.hostKey.fingerprint}`);
  const host = m.sshPort === 22 ? m.address : `[${m.address}]:${m.sshPort}`;
  return `${host} ${type} ${blob}\n`;
}

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The console's CPU (user + system) to stream `file` to `m` over an SSH exec channel into /dev/null. */
async function uploadCpuSeconds(m: MachineState, file: string): Promise<number> {
  const conn = await connectSsh({ target: { address: m.address, port: m.sshPort, user: 'root' }, credential: rootKey(m), trustedKeys: trustedKeys(m) });
  if (!conn.ok) throw new Error(`cannot log in to ${m.name}: ${conn.failure.message}`);
  const bytes = fs.readFileSync(file);
  try {
    const cpu0 = process.cpuUsage();
    await new Promise<void>((resolve, reject) => {
      conn.client.exec('cat > /dev/null', (err, stream) => {
        if (err) return reject(err);
        stream.on('close', () => resolve());
        stream.on('error', reject);
        stream.resume();
        stream.end(bytes);
      });
    });
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1e6;
  } finally {
    conn.client.end();
  }
}

/** Outside the timing: every machine's agent answers health.v1 through the bridge with the token. */
async function assertHealthy(machines: MachineState[], token: string, who: string): Promise<void> {
  await Promise.all(
    machines.map(async (m) => {
      const conn = await connectSsh({ target: { address: m.address, port: m.sshPort, user: 'root' }, credential: rootKey(m), trustedKeys: trustedKeys(m) });
      if (!conn.ok) throw new Error(`${who}: cannot log in to ${m.name} to check the agent: ${conn.failure.message}`);
      const client: Client = conn.client;
      try {
        const status = (await createAgentClient({ open: sshExecBridgeOpener(client), token, timeoutMs: 15_000 }).call('health.v1')).status;
        if (status !== 'ok' && status !== 'degraded') throw new Error(`${who}: the agent on ${m.name} answered ${String(status)}`);
      } finally {
        client.end();
      }
    }),
  );
}

