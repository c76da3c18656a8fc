/**
 * `npm run demo` end to end, as a newcomer runs it, with its own testbed prefix ("dmot") and data
 * directory: three appliances come up, are registered, trusted and provisioned, and the console
 * serves them (checked here through its API with the printed token); Ctrl-C stops the console and
 * leaves the testbed, and the CLI line the demo prints for another terminal lists the demo's
 * appliances (not the empty default data directory's "No appliances."); a second run reuses
 * everything and provisioning changes nothing on any machine (every step "unchanged", which
 * includes the agent answering health.v1 with its token);
 * --down removes the testbed. Needs root and network namespaces (skipped with the reason otherwise).
 * Builds no UI (--no-build): the UI is tested by the end-to-end suite.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { createTestbed } from '../../appliance/testbed/testbed';
import { REPO_ROOT } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('dmo');
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`demo test skipped: ${skipReason} (the demo's testbed needs root and network namespaces)`);

/**
 * As package.json's "demo" script runs it: node with tsx's loader, one process, so the SIGINT this
 * test sends is the demo's own Ctrl-C. (Under the tsx CLI a parent process relays signals and
 * SIGKILLs the demo when it has not acknowledged one within 30 ms, which a loaded machine misses.)
 */
const DEMO = ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/demo.ts')];

describe.skipIf(skipReason !== undefined)('npm run demo', () => {
  const work = makeTempDir('demo');
  const dataDir = path.join(work.dir, 'data');
  const tb = createTestbed({ prefix: PREFIX });
  const demoArgs = ['--prefix', PREFIX, '--data-dir', dataDir, '--no-open', '--no-build'];

  beforeAll(async () => {
    await tb.down();
  });

  afterAll(async () => {
    await tb.down();
    work.cleanup();
  });

  function cli(args: string[]) {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/appliance-console.mjs'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('brings up three appliances, provisions them and serves the console with them; Ctrl-C leaves the testbed up', async () => {
    const child = spawn(process.execPath, [...DEMO, ...demoArgs], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const loginUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/\S+\/login\?token=\S+)/.exec(out);
        // The demo checks the API itself before it says how to stop; wait for that line too.
        if (m && out.includes('Stop the console with Ctrl-C')) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before serving:\n${out}\n${err}`)));
    });

    expect(out).toContain(`$ npm run testbed -- up --prefix ${PREFIX} --appliances 3 --disks 2`);
    for (const n of [1, 2, 3]) expect(out).toMatch(new RegExp(`\\$ appliance-console fleet trust ${PREFIX}-a${n} --fingerprint SHA256:`));
    expect(out).toContain('The console answers: 3 appliance(s)');

    // The console serves them, to a client holding the printed token and to no one else.
    const url = new URL(loginUrl);
    const call = (auth: boolean) =>
      fetch(new URL('/api/call/fleet.list', url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${url.searchParams.get('token')}` } : {}) },
        body: '{}',
      });
    const listed = (await (await call(true)).json()) as { ok: boolean; result: { appliances: { name: string }[] } };
    expect(listed.result.appliances.map((a) => a.name).sort()).toEqual([`${PREFIX}-a1`, `${PREFIX}-a2`, `${PREFIX}-a3`]);
    expect((await call(false)).status).toBe(401);

    child.kill('SIGINT');
    expect(await exited, err).toBe(0);
    expect(out).toContain(`npm run demo -- --down`);
    expect((await tb.status()).state).toBe('up');

    // What a person sees afterwards with the CLI and the demo's data directory.
    const list = cli(['fleet', 'list', '--json', '--data-dir', dataDir]);
    expect(list.code, list.err).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; user: string; tags: string[]; credential: { kind: string } }[];
    expect(rows.map((r) => [r.name, r.user, r.tags, r.credential.kind])).toEqual([1, 2, 3].map((n) => [`${PREFIX}-a${n}`, 'root', ['demo'], 'private-key']));

    // The exact line the demo printed for another terminal, run by a shell elsewhere, with no data
    // directory in the environment: it must reach the demo's console data and its live appliances.
    const printed = [...out.matchAll(/^ {2}(cd .+ npx appliance-console fleet status)$/gm)].map((m) => m[1]!);
    expect(printed.length, out).toBeGreaterThanOrEqual(1);
    const line = printed.at(-1)!;
    expect(line).toContain(`APPLIANCE_CONSOLE_DATA_DIR=${dataDir} `);
    const { APPLIANCE_CONSOLE_DATA_DIR: _unset, ...env } = process.env;
    const status = spawnSync('sh', ['-c', line], { cwd: work.dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(status.status, `${line}\n${status.stdout}\n${status.stderr}`).toBe(0);
    expect(status.stdout).not.toContain('No appliances.');
    for (const n of [1, 2, 3]) expect(status.stdout).toMatch(new RegExp(`^${PREFIX}-a${n}\\s+online\\s`, 'm'));
  }, 180_000);

  it('runs again on what is there: reuses the testbed and registrations, and every machine is provisioned already', () => {
    const r = spawnSync(process.execPath, [...DEMO, ...demoArgs, '--exit-after-ready'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`Testbed "${PREFIX}" is already up: reusing it.`);
    expect(r.stdout).not.toContain('$ appliance-console fleet add');
    for (const n of [1, 2, 3]) {
      const name = `${PREFIX}-a${n}`;
      expect(r.stdout).toContain(`${name} is registered already`);
      // provision prints one line per step: an up-to-date machine has only "unchanged" ones.
      const steps = r.stdout.split('\n').filter((l) => l.trim().startsWith(`${name}: `) && l.includes(' — '));
      expect(steps.length, r.stdout).toBeGreaterThanOrEqual(5);
      for (const line of steps) expect(line).toMatch(/ — unchanged /);
      expect(r.stdout).toMatch(new RegExp(`${name}: succeeded`));
    }
    expect(r.stdout).toContain('The console answers: 3 appliance(s)');
  }, 90_000);

  it('--down removes the testbed and keeps the console data', async () => {
    const r = spawnSync(process.execPath, [...DEMO, ...demoArgs, '--down'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await tb.status()).state).toBe('down');
    expect(r.stdout).toContain(`The console data is still in ${dataDir}`);
    expect(cli(['fleet', 'list', '--json', '--data-dir', dataDir]).out).toContain(`${PREFIX}-a1`);
  }, 60_000);

  it('after the testbed was removed, a run makes it again and re-registers its new machines (new keys) before provisioning them', () => {
    const r = spawnSync(process.execPath, [...DEMO, ...demoArgs, '--exit-after-ready'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const n of [1, 2, 3]) {
      const name = `${PREFIX}-a${n}`;
      // The stored login key and host key belong to the old testbed: replaced, not reused.
      expect(r.stdout).toContain(`$ appliance-console fleet remove ${name}`);
      expect(r.stdout).toMatch(new RegExp(`\\$ appliance-console fleet add --name ${name} `));
      expect(r.stdout).toMatch(new RegExp(`${name}: Install the agent — done`));
      expect(r.stdout).toMatch(new RegExp(`${name}: succeeded`));
    }
    expect(r.stdout).toContain('The console answers: 3 appliance(s)');
  }, 90_000);

  it('refuses to start without root, saying how to run it', () => {
    const r = spawnSync(process.execPath, [...DEMO, ...demoArgs], { cwd: REPO_ROOT, encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, HOME: work.dir }, timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(3);
    expect(r.stderr).toContain('the demo needs root');
    expect(r.stderr).toContain('sudo npm run demo');
  }, 60_000);
});
