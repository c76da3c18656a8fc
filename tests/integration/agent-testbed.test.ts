/**
 * The built bundle on a testbed appliance, installed and reached the way the console will do it:
 * SFTP the tarball as root (host key verified), unpack it under /opt/appliance-agent/<version>,
 * write /etc/appliance-agent/{agent.json,token}, start it with the launcher in --daemon mode on the
 * machine's own `node`, then talk to its control socket through SSH stream forwarding
 * (`openssh_forwardOutStreamLocal`). The machine has no udev and no systemd, so the inventory must
 * find the loop data disk and its ext4 file system through the fallbacks.
 * Destructive to nothing but its own testbed instance (prefix <tag>agt, see testbed-prefix.ts), which it removes at the start
 * (after a crashed run) and at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Client, SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient, sshSocketOpener } from '../../agents/client/agent-client';
import { buildBundle, type AgentBundle } from '../helpers/agent-harness';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { connectSsh, execCommand } from '../../main/ssh/ssh-connect';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('agt');
const DISK_SIZE = 256 * 1024 * 1024;
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`agent testbed test skipped: ${skipReason} (it needs root and network namespaces)`);

describe.skipIf(skipReason !== undefined)('agent bundle on a testbed appliance', () => {
  const tb = createTestbed({ prefix: PREFIX });
  const work = makeTempDir('agent-tb');
  let machine: MachineState;
  let ssh: Client;
  let bundle: AgentBundle;

  beforeAll(async () => {
    await tb.down();
    bundle = buildBundle(work.dir);
    const status = await tb.up({ appliances: 1, disks: 1, diskSize: '256M', smartProfile: 'healthy' });
    machine = status.machines[0]!;
    const outcome = await connectSsh({
      target: { address: machine.address, port: machine.sshPort, user: 'root' },
      credential: { kind: 'private-key', privateKey: fs.readFileSync(machine.rootKeyPath, 'utf8') },
      trustedKeys: [{ keyType: machine.hostKey.publicKey.split(' ')[0]!, fingerprint: machine.hostKey.fingerprint }],
    });
    if (!outcome.ok) throw new Error(`SSH to ${machine.address} failed: ${outcome.failure.message}`);
    ssh = outcome.client;
  });

  afterAll(async () => {
    ssh?.end();
    await tb.down();
    work.cleanup();
  });

  async function run(command: string): Promise<string> {
    const r = await execCommand(ssh, command, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`"${command}" exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  function sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => ssh.sftp((err, s) => (err ? reject(err) : resolve(s))));
  }

  it('installs, starts and answers over SSH stream forwarding with the machine and its data disk', async () => {
    const version = bundle.manifest.version;
    const remoteTarball = `/tmp/${bundle.manifest.file}`;
    const token = crypto.randomBytes(32).toString('base64url');
    const config = { configVersion: 1, supervisor: { stopTimeoutMs: 2000 } };

    const files = await sftp();
    try {
      await new Promise<void>((resolve, reject) => files.fastPut(bundle.tarball, remoteTarball, (err) => (err ? reject(err) : resolve())));
      const write = (file: string, text: string, mode: number) =>
        new Promise<void>((resolve, reject) => files.writeFile(file, text, { mode }, (err) => (err ? reject(err) : resolve())));
      await write('/etc/appliance-agent/agent.json', JSON.stringify(config), 0o644);
      await write('/etc/appliance-agent/token', `${token}\n`, 0o600);
    } finally {
      files.end();
    }
    expect((await run(`sha256sum ${remoteTarball}`)).split(' ')[0]).toBe(bundle.manifest.sha256);
    const dir = `/opt/appliance-agent/${version}`;
    await run(`mkdir -p ${dir} && tar -xzf ${remoteTarball} -C ${dir} && ln -sfn ${dir} /opt/appliance-agent/current && chmod 600 /etc/appliance-agent/token`);
    expect((await run('command -v node')).trim()).toBe('/usr/bin/node');

    const started = await run('/opt/appliance-agent/current/appliance-agent --daemon --config /etc/appliance-agent/agent.json');
    expect(started).toContain('appliance-agent started');
    expect((await run('stat -c %a /run/appliance-agent/control.sock /run/appliance-agent')).split('\n').slice(0, 2)).toEqual(['600', '700']);

    const client = createAgentClient({ open: sshSocketOpener(ssh, '/run/appliance-agent/control.sock'), token, timeoutMs: 20_000 });
    const hello = await client.hello('agent-testbed.test');
    expect(hello).toMatchObject({ agentVersion: version, protocol: 1, hostname: machine.hostname });
    expect(await client.call('version.v1')).toMatchObject({ agentVersion: version, target: 'linux-x64', node: expect.stringMatching(/^v\d+\./) as string });

    const inv = await client.call('inventory.v1');
    const disk = machine.disks[0]!;
    expect(inv.hostname).toBe(machine.hostname);
    expect(inv.os).toMatchObject({ platform: 'linux', distro: expect.stringContaining('Debian') as string });
    const device = inv.blockDevices.find((d) => d.mountpoint === disk.mount);
    expect(device, JSON.stringify(inv.blockDevices)).toMatchObject({ path: disk.device, type: 'loop', sizeBytes: DISK_SIZE, fsType: 'ext4', label: disk.name });
    // No udev here: the type came from the mount table and the label from blkid.
    expect(inv.sources.blockDevices).toEqual(expect.arrayContaining(['mounts', 'blkid']));
    const fsEntry = inv.filesystems.find((f) => f.mountpoint === disk.mount);
    expect(fsEntry).toMatchObject({ source: disk.device, fsType: 'ext4', readOnly: false });
    expect(fsEntry!.sizeBytes).toBeGreaterThan(DISK_SIZE * 0.8);
    expect(fsEntry!.sizeBytes).toBeLessThanOrEqual(DISK_SIZE);
    expect(inv.network.find((n) => n.name === 'eth0')?.addresses).toContainEqual({ family: 'ipv4', address: machine.address, prefixLength: 24 });

    const wrong = createAgentClient({ open: sshSocketOpener(ssh, '/run/appliance-agent/control.sock'), token: `${token}x` });
    await expect(wrong.call('health.v1')).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await client.call('health.v1')).status).toBe('ok');

    await run('kill -TERM "$(cat /run/appliance-agent/watchdog.pid)"; for i in $(seq 50); do [ -e /run/appliance-agent/agent.pid ] || exit 0; sleep 0.1; done; exit 1');
    expect(await run('tail -n 1 /var/log/appliance-agent/agent.log')).toContain('"event":"agent.stopped"');
  });
});
