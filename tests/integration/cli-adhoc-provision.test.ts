/**
 * `appliance-console provision <host> --key … --accept-fingerprint …` on a machine the console has
 * never seen (prefix <tag>adh, see testbed-prefix.ts): registered on the way, its host key checked before any
 * credential is sent, provisioned, and online; without a fingerprint and without a terminal it is
 * refused, nothing is sent, and no half-registered entry is left behind.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { databasePath } from '../../main/store/database';
import { testProvisionRoot } from '../helpers/provision-resources';
import { expectNoSecretLeaks, storedAgentToken } from '../helpers/secret-leaks';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] ad-hoc provisioning test skipped: ${skip} (needs root and network namespaces)`);

describe.skipIf(skip !== undefined)('provision <host> from the CLI', () => {
  const tb = createTestbed({ prefix: testbedPrefix('adh') });
  const work = makeTempDir('adhoc');
  let m: MachineState;
  let appRoot = '';
  const dataDir = path.join(work.dir, 'data');
  /** Everything every run printed, searched for secrets by the last test. */
  const printed: string[] = [];
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), ...args, '--data-dir', dataDir], {
      cwd: ROOT,
      encoding: 'utf8',
      // At debug, so a secret logged at any level would be in what the runs print.
      env: { ...process.env, APPLIANCE_CONSOLE_RESOURCES: appRoot, APPLIANCE_CONSOLE_LOG_LEVEL: 'debug' },
    });
    printed.push(r.stdout, r.stderr);
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    await tb.down();
    appRoot = testProvisionRoot(work.dir);
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
  }, 120_000);
  afterAll(async () => {
    await tb.down();
    work.cleanup();
  });

  it('refuses an unknown host key without a terminal, names the fingerprint, and leaves nothing registered', () => {
    const r = cli(['provision', m.address, '--key', m.rootKeyPath]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(m.hostKey.fingerprint);
    expect(r.err).toMatch(/--accept-fingerprint/);
    expect(JSON.parse(cli(['fleet', 'list', '--json']).out)).toEqual([]);
  });

  it('refuses a fingerprint that is not the machine’s', () => {
    const r = cli(['provision', m.address, '--key', m.rootKeyPath, '--accept-fingerprint', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(r.code).toBe(4);
    expect(JSON.parse(cli(['fleet', 'list', '--json']).out)).toEqual([]);
  });

  it('registers, trusts the compared fingerprint, provisions, and the machine is online', () => {
    const r = cli(['provision', m.address, '--key', m.rootKeyPath, '--accept-fingerprint', m.hostKey.fingerprint]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`trusted`);
    expect(r.out).toMatch(new RegExp(`${m.address.replace(/\./g, '\\.')}: succeeded`));
    const status = JSON.parse(cli(['fleet', 'status', '--json']).out) as { name: string; status: { state: string } }[];
    expect(status).toEqual([expect.objectContaining({ name: m.address, status: expect.objectContaining({ state: 'online' }) })]);
    // A second run by the same address uses the registered appliance: nothing to change.
    const again = cli(['provision', m.address, '--json']);
    expect(again.code, again.err).toBe(0);
    const runs = JSON.parse(again.out) as { steps: { id: string; status: string }[] }[];
    expect(runs[0]!.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'unchanged'],
      ['runtime', 'unchanged'],
      ['agent', 'unchanged'],
      ['config', 'unchanged'],
      ['service', 'unchanged'],
      ['role-services', 'unchanged'],
    ]);
    // Named differently (host:port) but the same endpoint: the registered appliance, not a duplicate.
    const byEndpoint = cli(['provision', `${m.address}:22`, '--key', m.rootKeyPath]);
    expect(byEndpoint.code, byEndpoint.err).toBe(0);
    expect(byEndpoint.out).toContain(`registered as ${m.address}`);
    expect((JSON.parse(cli(['fleet', 'list', '--json']).out) as unknown[]).length).toBe(1);
  }, 120_000);

  it('never prints the private key or the agent token, on stdout, stderr or in its log lines', () => {
    const list = JSON.parse(cli(['fleet', 'list', '--json']).out) as { id: string }[];
    const db = new Database(databasePath(dataDir), { readonly: true });
    try {
      expectNoSecretLeaks('the CLI runs’ output', printed, {
        'root private key': fs.readFileSync(m.rootKeyPath, 'utf8'),
        'agent token': storedAgentToken(db, dataDir, list[0]!.id),
      });
    } finally {
      db.close();
    }
    // The runs did log at debug: the search covered log lines, not only results.
    expect(printed.join('')).toMatch(/"level":"(debug|info)"/);
  });
});
