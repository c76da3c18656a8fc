/**
 * Ctrl-C during `appliance-console provision <name>`, as a person presses it: the real CLI (through
 * scripts/appliance-console.mjs) provisions a bare testbed machine (prefix <tag>int, see
 * testbed-prefix.ts), and gets SIGINT while the runtime step's tarball is on its way. It must say it
 * is cancelling, end the run as cancelled with exit code 7 (main/cli/exit-codes.ts: provisioning did
 * not succeed), leave nothing half-installed on the machine (uploads land with mv -T, links switch
 * with ln -sfn + mv -T: main/provision/README.md), and the next run must repair the machine until
 * its agent answers.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { databasePath } from '../../main/store/database';
import { testProvisionRoot } from '../helpers/provision-resources';
import { expectNoSecretLeaks } from '../helpers/secret-leaks';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] Ctrl-C during provisioning skipped: ${skip} (needs root and network namespaces)`);

const NAME = 'int-1';
const INSTALL_ROOT = '/opt/appliance-agent';

describe.skipIf(skip !== undefined)('Ctrl-C during appliance-console provision', () => {
  const tb = createTestbed({ prefix: testbedPrefix('int') });
  const work = makeTempDir('interrupt');
  const dataDir = path.join(work.dir, 'data');
  let m: MachineState;
  let appRoot = '';
  const env = () => ({ ...process.env, APPLIANCE_CONSOLE_RESOURCES: appRoot });
  const launcher = path.join(ROOT, 'scripts/appliance-console.mjs');
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [launcher, ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', env: env() });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  /** The machine as root over the system's ssh, checking its host key: independent of the console's own SSH code. */
  const sshArgs = () => {
    const knownHosts = path.join(work.dir, 'known_hosts');
    fs.writeFileSync(knownHosts, `${m.address} ${m.hostKey.publicKey.trim()}\n`);
    return ['-i', m.rootKeyPath, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'LogLevel=ERROR', '-p', String(m.sshPort), `root@${m.address}`];
  };
  const onMachine = (script: string) => {
    const r = spawnSync('ssh', [...sshArgs(), script], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`ssh ${script}: exit ${r.status}\n${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    await tb.down();
    appRoot = testProvisionRoot(work.dir);
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
    const added = cli(['fleet', 'add', '--name', NAME, '--address', m.address, '--port', String(m.sshPort), '--key', m.rootKeyPath]);
    if (added.code !== 0) throw new Error(added.err);
    const trusted = cli(['fleet', 'trust', NAME, '--fingerprint', m.hostKey.fingerprint]);
    if (trusted.code !== 0) throw new Error(trusted.err);
  }, 180_000);
  afterAll(async () => {
    await tb.down();
    work.cleanup();
  });

  it('cancels on SIGINT during the runtime upload: says so, exits 7, and leaves nothing half-installed', async () => {
    // Watches the machine for the runtime's upload in progress: its .part file in .incoming.
    const watch = spawn('ssh', [...sshArgs(), `until ls ${INSTALL_ROOT}/.incoming/*.part >/dev/null 2>&1; do sleep 0.01; done; echo uploading`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    watch.stdout.on('data', (d: Buffer) => (said += d.toString()));
    const uploading = new Promise<void>((resolve, reject) => {
      watch.on('exit', (code) => (said.includes('uploading') ? resolve() : reject(new Error(`the watch on the machine ended (${code}) without seeing an upload`))));
    });
    uploading.catch(() => undefined); // awaited below; an early end must not count as unhandled meanwhile
    onTestFinished(() => void (watch.exitCode === null && watch.kill()));
    const child = spawn(process.execPath, [launcher, 'provision', NAME, '--data-dir', dataDir], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    /** `what` happening, or a failure saying what the CLI printed if it ended first. */
    const before = <T>(what: string, happens: Promise<T>) =>
      Promise.race([happens, exited.then((code) => Promise.reject(new Error(`provision ended (${code}) before ${what}:\n${out}${err}`)))]);

    // The first step's line is printed (the runtime step has started), and its tarball is on its way.
    await before(
      'its first step finished',
      new Promise<void>((resolve) => {
        const look = () => new RegExp(`^${NAME}: .+ — unchanged \\(`, 'm').test(out) && resolve();
        child.stdout.on('data', look);
      }),
    );
    await before('the runtime upload was seen on the machine', uploading);
    child.kill('SIGINT');
    const code = await exited;

    expect(code, `${out}\n${err}`).toBe(7);
    expect(err).toContain('cancelling…');
    expect(out).toMatch(new RegExp(`^${NAME}: cancelled in \\d+\\.\\d s`, 'm'));
    // The stored run: cancelled in the runtime step, after an unchanged preflight, and no step after it.
    const db = new Database(databasePath(dataDir), { readonly: true });
    try {
      const run = db.prepare<[], { id: string; status: string }>('SELECT id, status FROM provision_runs ORDER BY started_at DESC LIMIT 1').get()!;
      expect(run.status).toBe('cancelled');
      expect(db.prepare('SELECT step_id, status FROM provision_steps WHERE run_id = ? ORDER BY seq').all(run.id)).toEqual([
        { step_id: 'preflight', status: 'unchanged' },
        { step_id: 'runtime', status: 'cancelled' },
      ]);
    } finally {
      db.close();
    }

    // A cancelled upload's script can still be unpacking; it holds the install lock until it ends.
    onMachine(`flock -w 60 ${INSTALL_ROOT}/.provision.lock true`);
    const leftovers = onMachine(`cd ${INSTALL_ROOT} && ls -A . .incoming 2>/dev/null | grep -E '\\.part$|^\\.unpack\\.|^\\.old\\.|\\.new$' || true`);
    expect(leftovers.trim(), 'partial uploads, unpack directories or half-switched links').toBe('');
    // Whatever is in place is whole: each installed directory carries the checksum written last,
    // and each link that exists points at such a directory.
    const layout = onMachine(
      `cd ${INSTALL_ROOT} && for d in */; do d=\${d%/}; [ -d "$d" ] || continue; [ -L "$d" ] && continue; [ "$d" = .incoming ] && continue; [ -f "$d/.source-sha256" ] && echo "whole $d" || echo "PARTIAL $d"; done; ` +
        `for l in node current; do [ -L "$l" ] && { [ -f "$l/.source-sha256" ] && echo "link $l ok" || echo "BROKEN link $l"; }; done; true`,
    );
    expect(layout).not.toMatch(/PARTIAL|BROKEN/);
  }, 180_000);

  it('the next run repairs the machine: the run succeeds and the agent answers', () => {
    const r = cli(['provision', NAME]);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${NAME}: succeeded in`, 'm'));
    const status = JSON.parse(cli(['fleet', 'status', NAME, '--json']).out) as { name: string; status: { state: string } }[];
    expect(status).toEqual([expect.objectContaining({ name: NAME, status: expect.objectContaining({ state: 'online' }) })]);
    // And what the first run left counts for nothing: a third run changes nothing.
    const again = JSON.parse(cli(['provision', NAME, '--json']).out) as { steps: { id: string; status: string }[] }[];
    expect(again[0]!.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'unchanged'],
      ['runtime', 'unchanged'],
      ['agent', 'unchanged'],
      ['config', 'unchanged'],
      ['service', 'unchanged'],
      ['role-services', 'unchanged'],
    ]);
    expectNoSecretLeaks('the CLI output', [r.out, r.err], { 'root private key': fs.readFileSync(m.rootKeyPath, 'utf8') });
  }, 180_000);
});
