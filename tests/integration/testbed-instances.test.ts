/**
 * The testbed as a shared tool: two instances side by side, `down` after an `up` that was killed
 * halfway, and the CLI's exit codes. Uses its own prefixes (this run's tag + tia, tib, tic), so it
 * runs in parallel with testbed.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isEmpty } from '../../appliance/testbed/cleanup';
import { sleep, waitFor } from '../../appliance/testbed/exec';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { createTestbed } from '../../appliance/testbed/testbed';
import { testbedPrefix } from '../helpers/testbed-prefix';

const [PA, PB, PC] = [testbedPrefix('tia'), testbedPrefix('tib'), testbedPrefix('tic')];

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'appliance/testbed/cli.ts');
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`testbed instance tests skipped: ${skipReason} (they need root and network namespaces)`);

function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(TSX, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** sshd answers with its banner: enough to tell a machine is reachable from the host. */
function sshBanner(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port: 22, timeout: 3_000 });
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString('latin1').trim());
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error(`timeout connecting to ${host}`));
    });
    s.once('error', reject);
  });
}

describe.skipIf(skipReason !== undefined)('testbed instances', () => {
  const a = createTestbed({ prefix: PA });
  const b = createTestbed({ prefix: PB });
  const c = createTestbed({ prefix: PC });
  afterAll(async () => {
    for (const tb of [a, b, c]) await tb.down();
  }, 60_000);

  it('runs two prefixes side by side, and taking one down leaves the other running', async () => {
    await Promise.all([a.down(), b.down()]);
    const [sa, sb] = await Promise.all([a.up({ appliances: 1, disks: 1, diskSize: '256M' }), b.up({ appliances: 1, disks: 1, diskSize: '256M' })]);
    expect(sa.subnet?.cidr).not.toBe(sb.subnet?.cidr);
    expect(sa.bridge).toBe(`${PA}-br`);
    const [ma, mb] = [sa.machines[0], sb.machines[0]];
    if (!ma || !mb) throw new Error('machines missing');
    expect(await sshBanner(ma.address)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(await sshBanner(mb.address)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(ma.disks[0]?.device).not.toBe(mb.disks[0]?.device);

    expect((await a.down()).leftovers).toEqual([]);
    expect((await b.status()).state).toBe('up');
    expect(await sshBanner(mb.address)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect((await b.down()).leftovers).toEqual([]);
  });

  it('down cleans up after an up that was SIGKILLed halfway', async () => {
    await c.down();
    // The CLI in its own process group, killed with everything it started in that group — as when
    // a terminal is closed; the machines' daemons run in their own sessions and survive, as they would.
    const up = spawn(TSX, [CLI, 'up', '--appliances', '3', '--disks', '3', '--prefix', PC], { cwd: ROOT, detached: true, stdio: 'ignore' });
    await waitFor('a half-started testbed', 30_000, async () => {
      const l = await c.leftovers();
      return l.netns.length > 0 && l.loopDevices.length > 0 ? true : undefined;
    });
    process.kill(-(up.pid ?? 0), 'SIGKILL');
    await sleep(100);
    expect(isEmpty(await c.leftovers())).toBe(false);

    const down = cli(['down', '--prefix', PC]);
    expect(down.code, down.err).toBe(0);
    expect(isEmpty(await c.leftovers())).toBe(true);
    expect(cli(['down', '--prefix', PC]).code).toBe(0); // idempotent
  });

  it('CLI: help everywhere, exit codes by kind of error', () => {
    for (const args of [['--help'], ['up', '--help'], ['down', '--help'], ['status', '--help'], ['fault', '--help']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/Usage: npm run testbed --/);
      expect(r.out).toMatch(/Exit codes:/);
    }
    expect(cli(['up', '--bogus']).code).toBe(2);
    expect(cli(['up', '--prefix', 'Bad-Prefix']).code).toBe(2);
    expect(cli(['fault', 'a1', 'disk-fail']).code).toBe(2); // missing dN
    const notUp = cli(['fault', 'a1', 'net-down', '--prefix', PC]);
    expect(notUp.code).toBe(4);
    expect(notUp.err).toMatch(/not up/);
    const status = cli(['status', '--json', '--prefix', PC]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ prefix: PC, state: 'down', machines: [] });
  });
});
