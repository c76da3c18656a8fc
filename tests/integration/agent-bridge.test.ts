/**
 * Reaching the agent as a non-root login, the case the console must support: a testbed appliance,
 * the agent installed and started by root (as the provisioner does), then a second SSH connection as
 * `operator` with a password, whose sudo asks for that password. Forwarding the root-only socket
 * fails for that user (sshd opens it as `operator`: EACCES); `appliance-agent bridge` run through
 * `sudo -S` on an exec channel carries the same HTTP protocol. The sudo password must not show in
 * the remote process list, the agent's logs or any error. Own testbed instance (prefix <tag>agb, see testbed-prefix.ts),
 * removed at the start (after a crashed run) and at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Client, SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClientError, createAgentClient, sshExecBridgeOpener, sshSocketOpener } from '../../agents/client/agent-client';
import { buildBundle, type AgentBundle } from '../helpers/agent-harness';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { connectSsh, execCommand } from '../../main/ssh/ssh-connect';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('agb');
const SOCKET = '/run/appliance-agent/control.sock';
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`agent bridge test skipped: ${skipReason} (it needs root and network namespaces)`);

describe.skipIf(skipReason !== undefined)('agent bridge over SSH exec for a non-root login', () => {
  const tb = createTestbed({ prefix: PREFIX });
  const work = makeTempDir('agent-bridge');
  let machine: MachineState;
  let root: Client;
  let operator: Client;
  let bundle: AgentBundle;
  const token = crypto.randomBytes(32).toString('base64url');

  async function connect(user: string, credential: Parameters<typeof connectSsh>[0]['credential']): Promise<Client> {
    const outcome = await connectSsh({
      target: { address: machine.address, port: machine.sshPort, user },
      credential,
      trustedKeys: [{ keyType: machine.hostKey.publicKey.split(' ')[0]!, fingerprint: machine.hostKey.fingerprint }],
    });
    if (!outcome.ok) throw new Error(`SSH to ${user}@${machine.address} failed: ${outcome.failure.message}`);
    return outcome.client;
  }

  async function run(command: string): Promise<string> {
    const r = await execCommand(root, command, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`"${command}" exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  beforeAll(async () => {
    await tb.down();
    bundle = buildBundle(work.dir);
    const status = await tb.up({ appliances: 1, disks: 1, diskSize: '64M', smartProfile: 'healthy' });
    machine = status.machines[0]!;
    root = await connect('root', { kind: 'private-key', privateKey: fs.readFileSync(machine.rootKeyPath, 'utf8') });
    // Install and start as the provisioner does (root, by key).
    const remoteTarball = `/tmp/${bundle.manifest.file}`;
    const files = await new Promise<SFTPWrapper>((resolve, reject) => root.sftp((err, s) => (err ? reject(err) : resolve(s))));
    try {
      await new Promise<void>((resolve, reject) => files.fastPut(bundle.tarball, remoteTarball, (err) => (err ? reject(err) : resolve())));
      const write = (file: string, text: string, mode: number) => new Promise<void>((resolve, reject) => files.writeFile(file, text, { mode }, (err) => (err ? reject(err) : resolve())));
      await write('/etc/appliance-agent/agent.json', JSON.stringify({ configVersion: 1, supervisor: { stopTimeoutMs: 2000 } }), 0o644);
      await write('/etc/appliance-agent/token', `${token}\n`, 0o600);
    } finally {
      files.end();
    }
    const dir = `/opt/appliance-agent/${bundle.manifest.version}`;
    await run(`mkdir -p ${dir} && tar -xzf ${remoteTarball} -C ${dir} && ln -sfn ${dir} /opt/appliance-agent/current && chmod 600 /etc/appliance-agent/token`);
    expect(await run('/opt/appliance-agent/current/appliance-agent --daemon --config /etc/appliance-agent/agent.json')).toContain('appliance-agent started');
    operator = await connect(machine.sudoUser, { kind: 'password', password: machine.sudoPassword });
  });

  afterAll(async () => {
    if (root) await execCommand(root, 'kill -TERM "$(cat /run/appliance-agent/watchdog.pid)"; for i in $(seq 50); do [ -e /run/appliance-agent/agent.pid ] || exit 0; sleep 0.1; done', { timeoutMs: 15_000 }).catch(() => undefined);
    operator?.end();
    root?.end();
    await tb.down();
    work.cleanup();
  });

  it('cannot forward the root-only socket as operator (the defect the bridge answers)', async () => {
    const forwarded = createAgentClient({ open: sshSocketOpener(operator, SOCKET), token, timeoutMs: 10_000 });
    await expect(forwarded.hello('agent-bridge.test')).rejects.toThrow();
  });

  it('answers through `sudo -S appliance-agent bridge` as operator, with the password nowhere to be seen', async () => {
    const password = machine.sudoPassword;
    const open = sshExecBridgeOpener(operator, { sudoPassword: password });
    const client = createAgentClient({ open, token, timeoutMs: 20_000, clientName: 'agent-bridge.test' });
    const hello = await client.hello();
    expect(hello).toMatchObject({ agentVersion: bundle.manifest.version, protocol: 1, hostname: machine.hostname });
    expect((await client.call('health.v1')).status).toBe('ok');
    expect((await client.call('inventory.v1')).hostname).toBe(machine.hostname);

    // While a bridge is open: it runs as root under sudo, and no argument carries the password.
    const stream = await open();
    try {
      const ps = await run('ps -eo user,args');
      expect(ps).toMatch(/root\s+.*agent\.js bridge/);
      expect(ps).toContain('sudo -S -p');
      expect(ps).not.toContain(password);
    } finally {
      stream.destroy();
    }
    // A closed channel leaves no bridge behind.
    await run('for i in $(seq 50); do pgrep -f "[a]gent.js bridge" >/dev/null || exit 0; sleep 0.1; done; exit 1');
    const logs = await run('cat /var/log/appliance-agent/*.log');
    expect(logs).toContain('"event":"agent.started"');
    expect(logs).not.toContain(password);

    // The bearer token is still checked through the bridge.
    const wrong = createAgentClient({ open, token: `${token}x`, timeoutMs: 20_000 });
    await expect(wrong.call('health.v1')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('reports a wrong sudo password as sudo-failed, without echoing it, and leaves nothing running', async () => {
    const wrongPassword = `${machine.sudoPassword}-not-it`;
    const client = createAgentClient({ open: sshExecBridgeOpener(operator, { sudoPassword: wrongPassword }), token, timeoutMs: 20_000 });
    const err = await client.call('health.v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentClientError);
    expect(err).toMatchObject({ code: 'sudo-failed' });
    expect(JSON.stringify({ message: (err as Error).message, stack: (err as Error).stack })).not.toContain(wrongPassword);
    await run('for i in $(seq 50); do pgrep -x sudo >/dev/null || exit 0; sleep 0.1; done; exit 1');
  });

  it('says why when the bridge runs without root rights, and works directly for a root login', async () => {
    const noSudo = createAgentClient({ open: sshExecBridgeOpener(operator), token, timeoutMs: 20_000 });
    const err = await noSudo.call('health.v1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bridge-failed', message: expect.stringMatching(/EACCES.*root/) as string });
    const asRoot = createAgentClient({ open: sshExecBridgeOpener(root), token, timeoutMs: 20_000 });
    expect((await asRoot.call('health.v1')).status).toBe('ok');
  });
});
