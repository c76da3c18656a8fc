import { execFileSync, spawnSync } from 'node:child_process';
import fs, { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { ROOT, startServe } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';

/** The real `appliance-console` executable, as a person or a script runs it. */
const tmp = makeTempDir('cli');
afterAll(() => tmp.cleanup());

function cli(args: string[], input?: string, opts: { dataDir?: string; umask?: number } = {}) {
  const command = [process.execPath, path.join(ROOT, 'scripts/appliance-console.mjs'), ...args];
  // A umask is set by the shell that starts the process, as a person's shell would.
  const [file, argv]: [string, string[]] = opts.umask === undefined ? [command[0]!, command.slice(1)] : ['/bin/sh', ['-c', `umask ${opts.umask.toString(8).padStart(3, '0')} && exec "$@"`, 'sh', ...command]];
  const r = spawnSync(file, argv, {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: opts.dataDir ?? path.join(tmp.dir, 'data') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe('appliance-console CLI', () => {
  it('has --help on every command and lists exit codes', () => {
    for (const args of [['--help'], ['serve', '--help'], ['fleet', '--help'], ['disk-health', '--help'], ['provision', '--help']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/Usage: appliance-console/);
      expect(r.out).toMatch(/Exit codes:/);
    }
  });

  it('adds, lists as JSON, shows and removes appliances, with meaningful exit codes', () => {
    const key = path.join(tmp.dir, 'id_test');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    expect(cli(['fleet', 'add', '--name', '边缘-1', '--address', '10.1.1.1', '--tag', 'shoot', '--key', key]).code).toBe(0);
    expect(cli(['fleet', 'add', '--name', 'pw', '--address', 'pw.lan', '--user', 'ops', '--password-stdin'], 's3cret\n').code).toBe(0);

    const list = cli(['fleet', 'list', '--json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; credential: { kind: string } }[];
    expect(rows.map((r) => [r.name, r.credential.kind])).toEqual([
      ['pw', 'password'],
      ['边缘-1', 'private-key'],
    ]);
    expect(list.out).not.toContain('s3cret');

    const dup = cli(['fleet', 'add', '--name', 'x', '--address', '10.1.1.1']);
    expect(dup.code).toBe(4);
    expect(dup.err).toMatch(/already registered as "边缘-1"/);

    const bad = cli(['fleet', 'add', '--name', 'y', '--address', 'not valid', '--port', '99999']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/address: Enter a host name/);
    expect(bad.err).toMatch(/port:/);

    expect(cli(['fleet', 'show', '边缘-1']).out).toMatch(/Credential:\s+private-key/);
    expect(cli(['fleet', 'remove', 'nobody']).code).toBe(3);
    expect(cli(['fleet', 'remove', 'PW']).code).toBe(0);
    expect((JSON.parse(cli(['fleet', 'list', '--json']).out) as unknown[]).length).toBe(1);
  });

  it('imports a CSV all or none, pointing at the CSV line at fault', () => {
    const bad = path.join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'name,address,role\nsite-a,10.5.0.1,server\nsite-b,10.5.0.1,server\n');
    const refused = cli(['fleet', 'import', bad]);
    expect(refused.code).toBe(4);
    expect(refused.err).toMatch(/line 3 address: Same address and port as "site-a" in this import/);
    const good = path.join(tmp.dir, 'good.csv');
    writeFileSync(good, 'name,address,role,tags\nsite-a,10.5.0.1,server,hall-1\nsite-b,10.5.0.2,smartbox,hall-1;mobile\n');
    const ok = cli(['fleet', 'import', good, '--json']);
    expect(ok.code, ok.err).toBe(0);
    expect((JSON.parse(ok.out) as { name: string }[]).map((a) => a.name)).toEqual(['site-a', 'site-b']);
    const unknownColumn = path.join(tmp.dir, 'cols.csv');
    writeFileSync(unknownColumn, 'name,ip\nx,1.2.3.4\n');
    const cols = cli(['fleet', 'import', unknownColumn]);
    expect(cols.code).toBe(2);
    expect(cols.err).toMatch(/line 1: unknown-column \(ip\)/);
  });

  it('judges a customer’s smartctl recording without a data directory', () => {
    const fixture = path.join(defaultFixturesDir(), 'ST3500418AS_11.json');
    const human = cli(['disk-health', '--smartctl-json', fixture]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/Verdict:\s+WARNING/);
    expect(human.out).toMatch(/1 sectors have been reallocated/);
    const json = JSON.parse(cli(['disk-health', '--smartctl-json', fixture, '--json']).out) as { verdict: string };
    expect(json.verdict).toBe('warning');
    const notJson = path.join(tmp.dir, 'notes.txt');
    writeFileSync(notJson, 'smartctl 7.3 (text output)');
    const bad = cli(['disk-health', '--smartctl-json', notJson]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/is not JSON; record it with: smartctl --json -x/);
  });

  it('refuses JSON that is not smartctl output instead of calling it healthy', () => {
    const empty = path.join(tmp.dir, 'empty.json');
    writeFileSync(empty, '{}');
    const r = cli(['disk-health', '--smartctl-json', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty}: not smartctl -j output: no json_format_version, no smartctl block, no device block; record it with: smartctl --json -x /dev/DISK`);
    expect(r.out).not.toMatch(/Verdict/);
    const prometheus = path.join(tmp.dir, 'query.json');
    writeFileSync(prometheus, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    const other = cli(['disk-health', '--smartctl-json', prometheus, '--json']);
    expect(other.code).toBe(2);
    expect(other.out).toBe('');
    // From standard input too.
    const piped = cli(['disk-health', '--smartctl-json', '-'], '[]');
    expect(piped.code).toBe(2);
    expect(piped.err).toMatch(/-: not smartctl -j output: the JSON is an array, not an object/);
  });

  it('compares with --previous only when it is the same drive, and says which identity field differs', () => {
    const fixture = path.join(defaultFixturesDir(), 'ST3500418AS_11.json');
    const otherModel = path.join(defaultFixturesDir(), 'WDC_WD20EFRX-68EUZN0_17.json');
    const refused = cli(['disk-health', '--smartctl-json', fixture, '--previous', otherModel]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--previous .*WDC_WD20EFRX-68EUZN0_17\.json is not an earlier reading of the drive in .*ST3500418AS_11\.json: it is another drive: model "WDC WD20EFRX-68EUZN0" there, "ST3500418AS" here/);
    expect(refused.out).toBe('');

    const recorded = JSON.parse(fs.readFileSync(fixture, 'utf8')) as { serial_number: string; ata_smart_attributes: { table: { id: number; raw: { value: number } }[] } };
    const otherSerial = path.join(tmp.dir, 'other-serial.json');
    writeFileSync(otherSerial, JSON.stringify({ ...recorded, serial_number: '9VMABC12' }));
    const serial = cli(['disk-health', '--smartctl-json', fixture, '--previous', otherSerial]);
    expect(serial.code).toBe(2);
    expect(serial.err).toMatch(/it is another drive: serial number "9VMABC12" there, "REDACTED" here/);

    // The same drive a month earlier, before its sector was reallocated: a trend, and exit 0.
    const earlier = structuredClone(recorded);
    for (const a of earlier.ata_smart_attributes.table) if (a.id === 5) a.raw.value = 0;
    const earlierFile = path.join(tmp.dir, 'earlier.json');
    writeFileSync(earlierFile, JSON.stringify(earlier));
    const trend = cli(['disk-health', '--smartctl-json', fixture, '--previous', earlierFile]);
    expect(trend.code, trend.err).toBe(0);
    expect(trend.out).toMatch(/Verdict:\s+FAILING/);
    expect(trend.out).toMatch(/Reallocated sectors rose from 0 to 1 since the previous reading/);
  });

  it('refuses to provision nothing, or an appliance it does not know', () => {
    expect(cli(['provision']).code).toBe(2);
    expect(cli(['provision']).err).toMatch(/name the appliances to provision, or use --all/);
    const unknown = cli(['provision', 'no-such-box']);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toMatch(/No appliance named or with id "no-such-box"/);
    expect(cli(['provision', '--all', '--concurrency', '0']).code).toBe(2);
  });

  it('explains usage errors with exit code 2', () => {
    const r = cli(['fleet', 'list', '--colour']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--colour'/);
    expect(cli(['frobnicate']).code).toBe(2);
  });

  it('refuses a session token that is too short or not URL-safe', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), 'serve', '--listen', '127.0.0.1:0'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: path.join(tmp.dir, 'data'), APPLIANCE_CONSOLE_TOKEN: 'a b;c' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/APPLIANCE_CONSOLE_TOKEN must be 32/);
  });

  it('refuses to serve on a non-loopback address without TLS', () => {
    const r = cli(['serve', '--listen', '0.0.0.0:0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/without TLS/);
  });

  it('refuses a data directory from a newer console with exit code 5', () => {
    const dir = path.join(tmp.dir, 'newer');
    expect(cli(['fleet', 'list', '--data-dir', dir]).code).toBe(0);
    const db = new Database(path.join(dir, 'console.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    const r = cli(['fleet', 'list', '--data-dir', dir]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/newer Appliance Console/);
  });
});

describe.skipIf(process.platform === 'win32')('appliance-console and the data directory’s permissions', () => {
  it('makes a 0755 data directory and its files private even under umask 000, and keeps -wal/-shm 0600 while serving', async () => {
    const dir = path.join(tmp.dir, 'loose');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755); // whatever this process's umask
    const added = cli(['fleet', 'add', '--name', 'perm-1', '--address', '10.7.7.7'], undefined, { dataDir: dir, umask: 0o000 });
    expect(added.code, added.err).toBe(0);
    expect(modeOf(dir)).toBe('700');
    for (const f of ['console.sqlite', 'secret.key']) expect(modeOf(path.join(dir, f)), f).toBe('600');

    // An older console's files: everything readable by others again.
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
    const host = await startServe({ dataDir: dir, umask: 0o000 });
    try {
      const files = fs.readdirSync(dir);
      // serve holds both databases open, in WAL mode: their -wal and -shm exist now.
      expect(files).toEqual(expect.arrayContaining(['console.sqlite-wal', 'console.sqlite-shm', 'telemetry.sqlite', 'telemetry.sqlite-wal', 'telemetry.sqlite-shm', 'secret.key']));
      expect(modeOf(dir)).toBe('700');
      for (const f of files.filter((f) => /\.sqlite|secret\.key/.test(f))) expect(modeOf(path.join(dir, f)), f).toBe('600');
      expect(host.output()).toMatch(/data directory was readable by other users; made it private to its owner/);
    } finally {
      await host.stop();
    }
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a data directory that belongs to another user with exit code 5, saying what to do', () => {
    const dir = path.join(tmp.dir, 'theirs');
    expect(cli(['fleet', 'list'], undefined, { dataDir: dir }).code).toBe(0);
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', '65534:65534', dir]);
    const r = cli(['fleet', 'list'], undefined, { dataDir: dir });
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/belongs to another user \(uid 65534; the console runs as uid 0\).*Run the console as that user, or choose another --data-dir/);
    expect(modeOf(dir)).toBe('755');
  });
});
