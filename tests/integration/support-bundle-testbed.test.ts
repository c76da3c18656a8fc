/**
 * Support bundles (issue 10 §2) from a provisioned testbed machine: planted secrets of every kind
 * (in the agent's log, another log, and the console's audit trail) never appear in the extracted
 * bundle, the same secret maps to the same placeholder in every file, the agent's token stays out,
 * the manifest's checksums verify, a truncated or altered bundle is refused naming the file, the
 * size cap holds and says what it cut, and the mapping stays beside the console, 0600.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { CliIo } from '../../main/cli/cli-io';
import { EXIT } from '../../main/cli/exit-codes';
import { runCli } from '../../main/cli/run-cli';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { MethodOutput } from '../../main/contract/api.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { verifyBundle } from '../../main/support/bundle-file';
import { CTX } from '../helpers/console-fixture';
import { runOnMachine } from '../helpers/machine-shell';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';
import { PLANTED, plantedMessages, plantedText } from '../helpers/planted-secrets';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] support bundle testbed test skipped: ${skip} (needs root and network namespaces)`);

type Bundle = MethodOutput<'bundle.create'>;

describe.skipIf(skip !== undefined)('support bundles from a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('sb') });
  const work = makeTempDir('support-bundle');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';
  let bundle: Bundle;
  let extracted = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }
  const allText = (dir: string): Map<string, string> => {
    const out = new Map<string, string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
      }
    };
    walk(dir);
    return out;
  };

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: 1 })).machines[0]!;
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 60_000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'sb-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    // Secrets planted where real ones turn up: the agent's JSON log, a plain log, the audit trail.
    const now = new Date().toISOString();
    const jsonLines = plantedMessages()
      .map((msg) => JSON.stringify({ time: now, level: 'warn', event: 'test.planted', msg }))
      .join('\n');
    fs.writeFileSync(path.join(work.dir, 'planted.jsonl'), `${jsonLines}\n`);
    fs.writeFileSync(path.join(work.dir, 'planted.log'), `${plantedText()}\n`);
    await runOnMachine(m, `cat >> /var/log/appliance-agent/agent.log <<'EOF'\n${jsonLines}\nEOF\ncat > /var/log/appliance-agent/planted.log <<'EOF'\n${plantedText()}\nEOF`);
    await call('fleet.update', { id, patch: { notes: `rotated: password=${PLANTED.password}` } });
    bundle = await call<Bundle>('bundle.create', { applianceId: id, redactPatterns: ['CUSTOMER-CASE-\\d+'] });
    extracted = path.join(work.dir, 'extracted');
    fs.mkdirSync(extracted);
    execFileSync('tar', ['-xzf', bundle.file, '-C', extracted]);
  }, 300_000);

  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('holds the machine’s and the console’s files, listed in a manifest that verifies', async () => {
    const files = allText(extracted);
    for (const p of ['manifest.json', 'machine/system/os.txt', 'machine/logs/agent.log', 'machine/logs/planted.log', 'machine/agent/agent.json', 'console/appliance.json', 'console/status.json', 'console/alerts.json', 'console/audit.json', 'console/metrics.json']) {
      expect([...files.keys()], p).toContain(p);
    }
    expect([...files.keys()].some((p) => p.startsWith('machine/smart/'))).toBe(true);
    const verified = await verifyBundle(bundle.file);
    expect(verified.ok).toBe(true);
    const manifest = JSON.parse(files.get('manifest.json')!) as { files: { path: string; sha256: string; source: string }[]; console: { version: string }; appliance: { id: string } };
    expect(manifest.files.length).toBe(files.size - 1);
    expect(manifest.appliance.id).toBe(id);
    expect(manifest.files.find((f) => f.path === 'machine/logs/agent.log')!.source).toBe('machine');
  });

  it('never holds a planted secret, nor the agent’s token; one secret is one placeholder in every file', async () => {
    const files = allText(extracted);
    const token = (await runOnMachine(m, 'cat /etc/appliance-agent/token')).trim();
    expect(token.length).toBeGreaterThan(8);
    for (const [name, text] of files) {
      for (const [kind, secret] of Object.entries(PLANTED)) for (const line of secret.split('\n')) expect(text.includes(line), `${kind} in ${name}`).toBe(false);
      expect(text.includes(token), `the agent token in ${name}`).toBe(false);
    }
    const placeholderIn = (name: string) => /password=(\[SECRET-password-\d+\])/.exec(files.get(name)!)?.[1];
    const inPlain = placeholderIn('machine/logs/planted.log');
    expect(inPlain).toBeDefined();
    expect(placeholderIn('machine/logs/agent.log')).toBe(inPlain);
    expect(files.get('machine/logs/agent.log')).toContain('[SECRET-private-key-1]');
    expect(files.get('machine/logs/planted.log')).toContain('[SECRET-custom-1]');
    expect(bundle.redaction.secrets).toMatchObject({ 'private-key': 1, custom: 1 });
    // The mapping back stays here, readable by its owner only, and is not in the bundle.
    expect(fs.statSync(bundle.mappingFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(bundle.mappingFile, 'utf8'))[inPlain!]).toBe(PLANTED.password);
    expect([...files.keys()].some((p) => p.includes('redaction-map'))).toBe(false);
  });

  it('refuses a truncated bundle, and an altered one naming the file', async () => {
    const cut = path.join(work.dir, 'cut.tar.gz');
    const whole = fs.readFileSync(bundle.file);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const truncated = await verifyBundle(cut);
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.problem).toMatch(/cut short|manifest/);

    const altered = path.join(work.dir, 'altered');
    fs.cpSync(extracted, altered, { recursive: true });
    fs.appendFileSync(path.join(altered, 'machine/system/os.txt'), 'tampered\n');
    const repacked = path.join(work.dir, 'altered.tar.gz');
    execFileSync('tar', ['-czf', repacked, '-C', altered, '.']);
    const result = await verifyBundle(repacked);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/machine\/system\/os\.txt (failed its checksum|is listed in the manifest but missing)/);
  });

  it('keeps under the size cap, cutting logs and saying so', async () => {
    // Make the agent's log big enough to need cutting.
    await runOnMachine(m, `for i in $(seq 1 20000); do echo '{"time":"${new Date().toISOString()}","level":"info","event":"test.filler","msg":"filler line number '$i' padding padding padding"}'; done >> /var/log/appliance-agent/agent.log`);
    const small = await call<Bundle>('bundle.create', { applianceId: id, maxBytes: 1_000_000 });
    const verified = await verifyBundle(small.file);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    const total = verified.manifest.files.reduce((s, f) => s + f.bytes, 0);
    expect(total).toBeLessThanOrEqual(1_000_000);
    expect([...small.truncated, ...small.omitted.map((o) => o.path)]).toContain('machine/logs/agent.log');
  });

  it('is made and verified from the CLI, to the file named', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), env: { ...process.env }, readStdin: async () => '' } as unknown as CliIo;
    const deps = { io, defaultUiDir: '', appRoot: process.cwd(), untilStopped: async () => undefined };
    const file = path.join(work.dir, 'cli-bundle.tar.gz');
    await c.close(); // the CLI opens the same data directory
    expect(await runCli(['bundle', 'sb-1', '--out', file, '--since', '1d', '--data-dir', dataDir], deps)).toBe(EXIT.ok);
    expect(out.join('\n')).toMatch(/cli-bundle\.tar\.gz: \d+ files/);
    expect(out.join('\n')).toMatch(/mapping back to the originals stays here/);
    expect(await runCli(['bundle', 'verify', file], deps)).toBe(EXIT.ok);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 200));
    expect(await runCli(['bundle', 'verify', file], deps)).toBe(EXIT.failure);
    expect(err.join('\n')).toMatch(/is refused/);
  });
});
