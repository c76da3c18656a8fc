import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../main/cli/cli-io';
import { EXIT, reportApiError } from '../../main/cli/exit-codes';
import { ApiError } from '../../main/contract/errors';
import { KODO_HELP, parseKodoArgs, runKodoCommand } from '../../main/cli/kodo-command';
import { decimalBytes } from '../../main/core/decimal-bytes';
import { setupKodoConsole } from '../helpers/kodo-double-console';
// @ts-expect-error: a plain .mjs test double without type declarations
import { seedObjects } from '../fixtures/services/kodo-control-double.mjs';

/*
 * `appliance-console kodo …`: its argument parsing (before anything is opened) and its output, run
 * against the console's real dispatcher with the agent's forwarding to a test double of Kodo's
 * control socket (tests/helpers/kodo-double-console.ts).
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const never = () => {
  throw new Error('the console must not be opened for a usage error');
};
const quiet = { out: () => {}, err: () => {}, env: {} } as unknown as CliIo;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {} } as unknown as CliIo, out, err };
}

describe('kodo arguments', () => {
  it('reads each command into its method input', () => {
    expect(parseKodoArgs(['init', 'store-1', '--layout', '20+2'])).toMatchObject({ command: 'init', applianceRef: 'store-1', input: { layout: { k: 20, m: 2 } } });
    expect(parseKodoArgs(['keys', 'create', 'store-1', '--bucket', 'photos', '--read-only', '--description', 'job', '--json'])).toMatchObject({
      command: 'keys create',
      input: { bucket: 'photos', readOnly: true, description: 'job' },
      json: true,
    });
    expect(parseKodoArgs(['keys', 'revoke', 'store-1', 'AKID0000000000000001'])).toMatchObject({ input: { accessKeyId: 'AKID0000000000000001' } });
    expect(parseKodoArgs(['buckets', 'create', 'store-1', 'photos', '--public-read'])).toMatchObject({ input: { name: 'photos', publicRead: true } });
    expect(parseKodoArgs(['heal', 'store-1', '--priority', 'high', '--rescan-disks'])).toMatchObject({ input: { start: false, rescanDisks: true, priority: 'high' } });
    expect(parseKodoArgs(['status', 'store-1', '-h'])).toBe('help');
  });

  it.each([
    [[], /name a command/],
    [['format', 'store-1'], /unknown command "format"/],
    [['init'], /name the appliance/],
    [['init', 'store-1', '--layout', '20x2'], /--layout takes K\+M/],
    [['keys', 'rotate', 'store-1'], /keys takes list, create, revoke, not "rotate"/],
    [['keys', 'revoke', 'store-1'], /name the access key id/],
    [['buckets', 'create', 'store-1'], /name the bucket/],
    [['status', 'store-1', 'extra'], /unexpected argument "extra"/],
    [['heal', 'store-1', '--priority', 'urgent'], /--priority takes low, normal, high/],
    [['status', 'store-1', '--layout', '3+1'], /--layout is not an option of "kodo status"/],
  ])('%j is a usage error, before the console opens', async (argv, message) => {
    await expect(runKodoCommand(argv, quiet, never)).rejects.toThrow(UsageError);
    await expect(runKodoCommand(argv, quiet, never)).rejects.toThrow(message);
  });

  it('help names every command, and sizes are decimal', async () => {
    const c = capture();
    expect(await runKodoCommand(['--help'], c.io, never)).toBe(EXIT.ok);
    expect(c.out.join('\n')).toBe(KODO_HELP);
    for (const cmd of ['status <appliance>', 'init <appliance> [--layout K+M]', 'keys create', 'keys revoke', 'buckets delete', 'heal <appliance>']) expect(KODO_HELP).toContain(cmd);
    expect([decimalBytes(0), decimalBytes(999), decimalBytes(1500), decimalBytes(20e12), decimalBytes(null)]).toEqual(['0 B', '999 B', '1.5 kB', '20.0 TB', '-']);
  });
});

describe('kodo against a console', () => {
  async function cli() {
    const t = await setupKodoConsole(cleanups, { disks: 4 });
    // The command closes what it opens; the test's console stays open for the next command.
    const open = () => ({ ...t.c, close: async () => {} });
    const run = async (...argv: string[]) => {
      const c = capture();
      // As run-cli.ts does: an API error is printed with its exit code.
      const code = await runKodoCommand(argv, c.io, open).catch((err: unknown) => {
        if (err instanceof ApiError) return reportApiError(c.io, err);
        throw err;
      });
      return { code, out: c.out.join('\n'), err: c.err.join('\n') };
    };
    return { ...t, run };
  }

  it('status before init lists the layouts with the planner’s pick; init takes it; status then shows the store', async () => {
    const t = await cli();
    const before = await t.run('status', 'store-1');
    expect(before.code).toBe(EXIT.ok);
    expect(before.out).toContain('store-1: Kodo is not initialized. 4 data disk(s): /data/disk0, /data/disk1, /data/disk2, /data/disk3');
    expect(before.out).toMatch(/^LAYOUT\s+REDUNDANCY\s+SURVIVES\s+USABLE\s+DURABILITY$/m);
    expect(before.out).toMatch(/^3\+1\s+1\.33×\s+1 disk\(s\)\s+60\.0 TB\s+4\.7 nines a year$/m);
    expect(before.out).toMatch(/^2\+2\s+2\.00×\s+2 disk\(s\)\s+40\.0 TB\s+8\.4 nines a year\s+recommended$/m);
    expect(before.out).toContain("(the agent has not reported its disks' sizes: 20.0 TB disks assumed)");
    const init = await t.run('init', 'store-1');
    expect(init).toMatchObject({ code: EXIT.ok, out: expect.stringContaining("store-1: Kodo initialized as 2+2 on 4 disks (the planner's choice): redundancy 2.00×, survives 2 failed disk(s), durability 8.4 nines a year.") });
    const again = await t.run('init', 'store-1', '--layout', '3+1');
    expect(again.code).toBe(EXIT.conflict);
    expect(again.err).toContain('already initialized as 2+2');
    seedObjects(t.state, { photos: { 'a.jpg': 1_000_000 } });
    const after = await t.run('status', 'store-1');
    expect(after.out).toContain('store-1: Kodo 2+2 on 4 disks, durability 8.4 nines a year');
    expect(after.out).toContain('redundancy: 2.00× (2.0 MB raw for 1.0 MB of data)');
    expect(after.out).toContain('S3 endpoint: http://10.0.0.5:9000 (region us-east-1)');
    expect(after.out).toMatch(/^photos\s+no\s+1\s+1\.0 MB\s+2\.0 MB\s+/m);
  });

  it('keys create --json prints the endpoint, the id and the secret once; list never shows it', async () => {
    const t = await cli();
    await t.run('init', 'store-1');
    const created = await t.run('keys', 'create', 'store-1', '--read-only', '--json');
    expect(created.code).toBe(EXIT.ok);
    const json = JSON.parse(created.out) as { endpoint: string; secretKey: string; key: { accessKeyId: string; access: string } };
    expect(json).toMatchObject({ endpoint: 'http://10.0.0.5:9000', key: { access: 'read-only' } });
    const text = await t.run('keys', 'create', 'store-1', '--description', 'second');
    expect(text.out).toMatch(/^endpoint: {10}http:\/\/10\.0\.0\.5:9000$/m);
    expect(text.out).toMatch(/^secret access key: secret-/m);
    const list = await t.run('keys', 'list', 'store-1');
    expect(list.out).toMatch(/^ACCESS KEY ID\s+BUCKET\s+ACCESS\s+CREATED\s+DESCRIPTION$/m);
    expect(list.out).toContain(json.key.accessKeyId);
    expect(list.out).not.toContain(json.secretKey);
    expect((await t.run('keys', 'revoke', 'store-1', json.key.accessKeyId)).out).toBe('store-1: the key is revoked.');
  });

  it('buckets and heal; a refusal exits with its code and says why', async () => {
    const t = await cli();
    const notYet = await t.run('buckets', 'create', 'store-1', 'photos');
    expect(notYet.code).toBe(EXIT.conflict);
    expect(notYet.err).toContain('not initialized');
    await t.run('init', 'store-1');
    expect((await t.run('buckets', 'create', 'store-1', 'photos')).out).toBe('store-1: bucket photos created.');
    expect((await t.run('buckets', 'delete', 'store-1', 'nothere')).code).toBe(EXIT.notFound);
    expect((await t.run('buckets', 'list', 'store-1')).out).toMatch(/^BUCKET\s+PUBLIC READ\s+OBJECTS\s+LOGICAL\s+RAW\s+CREATED\nphotos\s+no\s+0\s+0 B\s+0 B/m);
    const heal = await t.run('heal', 'store-1', '--start', '--priority', 'low');
    expect(heal.out).toContain('healing: scanning, priority low');
    expect(heal.out).toContain('0 objects scanned, 0 healed, 0 shards repaired, 0 errors');
  });

  it('status when Kodo is not running: exit 4 and the reason', async () => {
    const t = await setupKodoConsole(cleanups, { running: false });
    const c = capture();
    const code = await runKodoCommand(['status', 'store-1'], c.io, () => ({ ...t.c, close: async () => {} }));
    expect(code).toBe(EXIT.conflict);
    expect(c.err.join('\n')).toMatch(/^error: Kodo on store-1 did not answer \(kodo\.not-running: kodo is not running/);
  });
});
