/**
 * The testbed against real parts: network namespaces, sshd, loop devices over nbdkit, ext4,
 * libfaketime — reached the way the console reaches an appliance, over SSH with the ssh2 client.
 * Destructive to nothing but its own instance (prefix <tag>tbi, see testbed-prefix.ts), which it removes at the start (a
 * crashed earlier run) and at the end, and checks that nothing is left behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmpty } from '../../appliance/testbed/cleanup';
import { loopDevicesUnder } from '../../appliance/testbed/disks';
import { listLinks, listNetns } from '../../appliance/testbed/network';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { processesMatching } from '../../appliance/testbed/procs';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { TestbedStatusSchema, type MachineState, type TestbedStatus } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('tbi');
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`testbed integration tests skipped: ${skipReason} (they need root and network namespaces)`);

interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Login = { as: 'root' } | { as: 'sudo-user' };

/** Connect like the console does, verifying the host key against the one the testbed reports. */
function connect(m: MachineState, login: Login, readyTimeout = 10_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    conn
      .on('ready', () => resolve(conn))
      .on('error', reject)
      .connect({
        host: m.address,
        port: m.sshPort,
        readyTimeout,
        ...(login.as === 'root'
          ? { username: 'root', privateKey: fs.readFileSync(m.rootKeyPath) }
          : { username: m.sudoUser, password: m.sudoPassword }),
        hostVerifier: (key: Buffer) => `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === m.hostKey.fingerprint,
      });
  });
}

function exec(conn: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    conn.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code = -1;
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('exit', (c: number | null) => (code = c ?? -1));
      stream.on('close', () => resolve({ code, stdout, stderr }));
    });
  });
}

/** One command over a fresh connection. */
async function ssh(m: MachineState, command: string, login: Login = { as: 'root' }): Promise<ExecResult> {
  const conn = await connect(m, login);
  try {
    return await exec(conn, command);
  } finally {
    conn.end();
  }
}

async function dfBytes(m: MachineState, mount: string): Promise<{ size: number; avail: number; pcent: string }> {
  const r = await ssh(m, `df -B1 --output=size,avail,pcent ${mount} | tail -n 1`);
  const [size = '', avail = '', pcent = ''] = r.stdout.trim().split(/\s+/);
  return { size: Number(size), avail: Number(avail), pcent };
}

describe.skipIf(skipReason !== undefined)('testbed (real namespaces, sshd, disks)', () => {
  const tb = createTestbed({ prefix: PREFIX });
  let status: TestbedStatus;
  const machine = (name: string): MachineState => {
    const m = status.machines.find((x) => x.name === `${PREFIX}-${name}`);
    if (!m) throw new Error(`no machine ${name}`);
    return m;
  };

  beforeAll(async () => {
    await tb.down(); // leftovers of a crashed earlier run
    const started = Date.now();
    status = await tb.up({ appliances: 2, smartboxes: 1, disks: 2, diskSize: '1G', smartProfile: 'mixed' });
    console.log(`testbed up (2 appliances × 2 disks + 1 smart box) in ${Date.now() - started} ms`);
  }, 60_000);

  afterAll(async () => {
    await tb.down();
  }, 60_000);

  it('reports machines, credentials and disks as validated JSON', async () => {
    const s = TestbedStatusSchema.parse(JSON.parse(JSON.stringify(await tb.status())));
    expect(s.state).toBe('up');
    expect(s.machines.map((m) => [m.name, m.role, m.disks.length])).toEqual([
      [`${PREFIX}-a1`, 'appliance', 2],
      [`${PREFIX}-a2`, 'appliance', 2],
      [`${PREFIX}-s1`, 'smartbox', 1],
    ]);
    for (const m of s.machines) {
      expect(m.alive).toBe(true);
      expect(m.address.startsWith(s.subnet?.cidr.replace(/\.0\/24$/, '.') ?? 'x')).toBe(true);
      expect(fs.existsSync(m.rootKeyPath)).toBe(true);
      expect(m.sudoPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    }
  });

  it('logs in as root by key: own hostname, own processes, data disks mounted at their size', async () => {
    for (const m of status.machines) {
      const r = await ssh(m, 'hostname; cat /proc/1/comm; ps -e --no-headers | wc -l');
      const [hostname, init, procs] = r.stdout.trim().split('\n');
      expect(hostname).toBe(m.name);
      expect(init).toBe('sshd'); // its own pid namespace: pid 1 is the machine's sshd
      expect(Number(procs)).toBeLessThan(10);
      for (const d of m.disks) {
        const df = await dfBytes(m, d.mount);
        expect(df.size).toBeGreaterThan(d.sizeBytes * 0.9);
        expect(df.size).toBeLessThanOrEqual(d.sizeBytes);
        const src = await ssh(m, `findmnt -n -o SOURCE,FSTYPE ${d.mount}`);
        expect(src.stdout.trim().split(/\s+/)).toEqual([d.device, 'ext4']);
      }
    }
    expect(machine('a1').disks[0]?.mount).toBe('/srv/disks/d1');
    expect(machine('s1').disks[0]?.sizeBytes).toBe(512 * 1024 * 1024);
  });

  it('logs in the sudo user by password; sudo needs that password', async () => {
    const m = machine('a2');
    const conn = await connect(m, { as: 'sudo-user' });
    try {
      expect((await exec(conn, 'id -un')).stdout.trim()).toBe(m.sudoUser);
      expect((await exec(conn, `echo ${m.sudoPassword} | sudo -S -p '' id -u`)).stdout.trim()).toBe('0');
      expect((await exec(conn, `sudo -k; echo wrong-password | sudo -S -p '' id -u`)).code).not.toBe(0);
    } finally {
      conn.end();
    }
    expect((await ssh(m, 'id -u')).stdout.trim()).toBe('0'); // root by key on the same machine
  });

  it('smartctl replays the recorded JSON of one real drive per disk', async () => {
    const m = machine('a1');
    for (const d of m.disks) {
      const fixture: unknown = JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), d.smart.fixture), 'utf8'));
      const r = await ssh(m, `smartctl -j -x ${d.device ?? ''}`);
      expect(JSON.parse(r.stdout)).toEqual(fixture);
      expect(r.code).toBe(d.smart.exitStatus);
    }
    const scan = await ssh(m, 'smartctl --scan-open --json');
    const devices = (JSON.parse(scan.stdout) as { devices: Array<{ name: string }> }).devices.map((x) => x.name);
    expect(devices).toEqual(m.disks.map((d) => d.device));
    const text = await ssh(m, `smartctl -a ${m.disks[0]?.device ?? ''}`);
    expect(text.code).not.toBe(0);
    expect(text.stderr).toMatch(/supports JSON output only/);
    // mixed profile: disk 2 of a1 replays a worn drive
    expect(m.disks[1]?.smart.fixture).not.toBe(m.disks[0]?.smart.fixture);
  });

  it('disk-full fills the file system to 100 %; disk-restore frees it', async () => {
    const m = machine('a1');
    await tb.fault(m.name, 'disk-full', 'd1');
    const full = await dfBytes(m, '/srv/disks/d1');
    expect(full.avail).toBe(0);
    expect(full.pcent).toBe('100%');
    expect((await ssh(m, 'echo x > /srv/disks/d1/more')).stderr).toMatch(/No space left on device/);
    expect((await tb.status()).machines[0]?.disks[0]?.faults.full).toBe(true);
    await tb.fault(m.name, 'disk-restore', 'd1');
    const freed = await dfBytes(m, '/srv/disks/d1');
    expect(freed.avail).toBeGreaterThan(freed.size * 0.9);
  });

  it('disk-fail makes reads and writes fail with EIO; disk-restore heals it', async () => {
    const m = machine('a2');
    const d = m.disks[1];
    if (!d?.device) throw new Error('a2 has no d2');
    expect((await ssh(m, `echo before > ${d.mount}/kept && sync`)).code).toBe(0);
    await tb.fault('a2', 'disk-fail', 'd2');
    const write = await ssh(m, `dd if=/dev/zero of=${d.mount}/probe bs=4k count=1 oflag=direct`);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Input\/output error/);
    const read = await ssh(m, `dd if=${d.device} of=/dev/null bs=4k count=1 iflag=direct`);
    expect(read.code).not.toBe(0);
    expect(read.stderr).toMatch(/Input\/output error/);
    await tb.fault('a2', 'disk-restore', 'd2');
    const healed = await ssh(m, `dd if=/dev/zero of=${d.mount}/probe bs=4k count=1 oflag=direct && dd if=${d.device} of=/dev/null bs=4k count=1 iflag=direct && cat ${d.mount}/kept && findmnt -n -o OPTIONS ${d.mount}`);
    expect(healed.code).toBe(0);
    expect(healed.stdout).toMatch(/^before\nrw,/);
  });

  it('net-down makes SSH time out; net-up restores it', async () => {
    const m = machine('a2');
    await tb.fault('a2', 'net-down');
    await expect(connect(m, { as: 'root' }, 2_500)).rejects.toThrow(/Timed out|EHOSTUNREACH|ETIMEDOUT/);
    await tb.fault('a2', 'net-up');
    expect((await ssh(m, 'hostname')).stdout.trim()).toBe(m.name);
  });

  it('clock-skew shifts the wall clock seen over SSH', async () => {
    const m = machine('a1');
    await tb.fault('a1', 'clock-skew', '+3600');
    const skewed = Number((await ssh(m, 'date +%s')).stdout.trim());
    expect(Math.abs(skewed - Date.now() / 1000 - 3600)).toBeLessThan(5);
    await tb.fault('a1', 'clock-skew', '0');
    const real = Number((await ssh(m, 'date +%s')).stdout.trim());
    expect(Math.abs(real - Date.now() / 1000)).toBeLessThan(5);
  });

  it('agent-kill reports when no agent runs, and kills one that does', async () => {
    const m = machine('s1');
    expect(await tb.fault('s1', 'agent-kill')).toMatch(/no agent running/);
    // A stand-in agent (the real one does not exist yet), started and detached as an installer would.
    const started = await ssh(
      m,
      `nohup bash -c 'exec -a /opt/appliance-agent/bin/appliance-agent sleep 600' >/dev/null 2>&1 &
       for i in $(seq 100); do pgrep -f '^/opt/appliance-agent' >/dev/null && exit 0; sleep 0.05; done; exit 1`,
    );
    expect(started.code).toBe(0);
    expect(await tb.fault('s1', 'agent-kill')).toMatch(/killed agent process/);
    expect((await ssh(m, 'pgrep -f "^/opt/appliance-agent" || echo none')).stdout.trim()).toBe('none');
  });

  it('rejects an unknown machine with the list of known ones', async () => {
    await expect(tb.fault('a9', 'net-down')).rejects.toThrow(new RegExp(`unknown machine "a9".*${PREFIX}-a1, ${PREFIX}-a2, ${PREFIX}-s1`));
  });

  it('down leaves nothing behind', async () => {
    const pids = status.machines.map((m) => m.pid ?? 0);
    const report = await tb.down();
    expect(report.leftovers).toEqual([]);
    expect((await listNetns()).filter((n) => n.startsWith(`${PREFIX}-`))).toEqual([]);
    expect((await listLinks()).filter((l) => l.startsWith(`${PREFIX}-`))).toEqual([]);
    expect(await loopDevicesUnder(tb.paths.disksDir)).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(tb.paths.dir);
    expect(processesMatching(tb.paths.dir)).toEqual([]);
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}/ns/net`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect(fs.existsSync(tb.paths.dir)).toBe(false);
    expect((await tb.status()).state).toBe('down');
    expect(isEmpty(await tb.leftovers())).toBe(true);
    expect((await tb.down()).leftovers).toEqual([]); // idempotent
  });
});
