/**
 * `npm run demo`: one command for a newcomer to see the console working. As root it makes a testbed
 * of three appliances (prefix "demo"), registers them in a console data directory of its own, trusts
 * their host keys with the fingerprints the testbed recorded, provisions the agent on all three, and
 * starts the headless console with them in it. Ctrl-C stops the console and leaves the testbed up;
 * `npm run demo -- --down` removes it. Running it again reuses what is there.
 *
 * Every console step runs the real CLI (runCli, in this process, so it costs no extra start-up) and
 * prints the command a person would type for it.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { netnsUnsupportedReason } from '../appliance/testbed/preflight';
import type { TestbedStatus } from '../appliance/testbed/state';
import { createTestbed } from '../appliance/testbed/testbed';
import type { CliIo } from '../main/cli/cli-io';
import { runCli } from '../main/cli/run-cli';
import type { Appliance } from '../main/contract/fleet.contract';

const ROOT = path.resolve(__dirname, '..');
const APPLIANCES = 3;
const DISKS = 2;

const HELP = `Usage: npm run demo [-- options]

Brings up three simulated appliances (appliance/testbed), provisions them with the console and
opens the console with them in it. Needs root (network namespaces, loop devices).

Options:
  --prefix P         testbed instance name (default demo)
  --data-dir DIR     console data directory for the demo
                     (default $XDG_DATA_HOME/appliance-console-demo, i.e. ~/.local/share/…)
  --listen HOST:PORT where the console listens (default 127.0.0.1:0, any free port)
  --no-open          print the login URL, do not start a browser
  --no-build         serve the UI as it is built now (skip the freshness check and build)
  --exit-after-ready check that the console answers, then stop it (for scripts and tests)
  --down             remove the demo's testbed (the data directory is kept) and exit
  -h, --help         this help

Exit codes: 0 done, 1 a step failed, 2 usage, 3 not root or the host cannot run the testbed.`;

interface Options {
  prefix: string;
  dataDir: string;
  listen: string;
  open: boolean;
  build: boolean;
  exitAfterReady: boolean;
  down: boolean;
}

class DemoError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (title: string) => say(`\n== ${title}`);
/** A word as a POSIX shell reads it back: bare when it is safe, else single-quoted. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The command a person types in another terminal to see the demo's appliances: the CLI reads
 * $APPLIANCE_CONSOLE_DATA_DIR when no --data-dir is given (main/core/data-dir.ts), and without it
 * finds its own, empty, data directory ("No appliances."). `npx appliance-console` resolves to this
 * checkout's CLI only inside it, hence the cd. The data directory is root's (0700, and the
 * appliances' keys are root's), so a demo started through sudo needs sudo here too.
 */
function cliLine(dataDir: string): string {
  const sudo = process.env.SUDO_USER ? 'sudo ' : '';
  return `cd ${shellWord(ROOT)} && ${sudo}APPLIANCE_CONSOLE_DATA_DIR=${shellWord(dataDir)} npx appliance-console fleet status`;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      prefix: { type: 'string' },
      'data-dir': { type: 'string' },
      listen: { type: 'string' },
      'no-open': { type: 'boolean' },
      'no-build': { type: 'boolean' },
      'exit-after-ready': { type: 'boolean' },
      down: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return {
    prefix: values.prefix ?? 'demo',
    dataDir: path.resolve(values['data-dir'] ?? path.join(xdg, 'appliance-console-demo')),
    listen: values.listen ?? '127.0.0.1:0',
    open: !values['no-open'],
    build: !values['no-build'],
    exitAfterReady: Boolean(values['exit-after-ready']),
    down: Boolean(values.down),
  };
}

/** What Ctrl-C does now: cancel provisioning while it runs, stop the console once it serves. */
let onCtrlC: (() => void) | null = null;
process.on('SIGINT', () => (onCtrlC ? onCtrlC() : process.exit(130)));
process.on('SIGTERM', () => (onCtrlC ? onCtrlC() : process.exit(143)));

/** Runs one CLI command in this process, printing it first; returns its exit code and output. */
async function cli(args: string[], opts: { quiet?: boolean; env?: NodeJS.ProcessEnv; untilStopped?: () => Promise<void>; onOut?: (line: string) => void } = {}): Promise<{ code: number; out: string }> {
  const shown = args.map(shellWord).join(' ');
  say(`$ appliance-console ${shown}`);
  let out = '';
  const io: CliIo = {
    out: (t) => {
      out += t.endsWith('\n') ? t : `${t}\n`;
      opts.onOut?.(t);
      if (!opts.quiet) for (const line of t.replace(/\n$/, '').split('\n')) say(`  ${line}`);
    },
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    readStdin: async () => '',
    env: { ...process.env, ...opts.env },
  };
  const code = await runCli(args, {
    io,
    appRoot: ROOT,
    defaultUiDir: process.env.APPLIANCE_CONSOLE_UI_DIR ?? path.join(ROOT, 'out/renderer'),
    untilStopped: opts.untilStopped ?? (() => Promise.resolve()),
    onInterrupt: (cancel) => {
      onCtrlC = cancel;
    },
  });
  onCtrlC = null;
  return { code, out };
}

async function must(args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<string> {
  const r = await cli(args, opts);
  if (r.code !== 0) throw new DemoError(`appliance-console ${args[0]} ${args[1] ?? ''} failed (exit ${r.code}); see the message above`);
  return r.out;
}

function node(script: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * The agent bundle (built from the sources, reproducible, so an unchanged agent is "unchanged" on
 * the machines) and a Node runtime for the machines: npm's node-linux-<arch> when it can be fetched,
 * else this host's own node packed the same way in the data directory, which the console is then
 * pointed at with APPLIANCE_CONSOLE_RESOURCES (the repository's resources/ is left as it was).
 */
function ensureResources(dataDir: string): NodeJS.ProcessEnv {
  const target = process.arch === 'arm64' ? 'linux-arm64' : 'linux-x64';
  const built = node('scripts/build-agent.mjs', ['--target', target]);
  if (!built.ok) throw new DemoError(`building the agent bundle failed:\n${built.output}`);
  say(`Agent bundle: resources/agents/${target} (built from agents/)`);
  const fetched = node('scripts/fetch-node-runtimes.mjs', ['--target', target]);
  if (fetched.ok) {
    const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'resources/runtimes', target, 'runtime.json'), 'utf8')) as { version: string };
    say(`Node runtime: resources/runtimes/${target} (npm's node-${target} ${meta.version}, as the console ships it)`);
    return {};
  }
  const reason = fetched.output.split('\n').filter(Boolean).at(-1) ?? 'unknown error';
  const appRoot = path.join(dataDir, 'demo-resources');
  const runtimes = path.join(appRoot, 'resources/runtimes');
  packHostNode(runtimes, target);
  for (const [link, to] of [['resources/agents', 'resources/agents'], ['appliance/install', 'appliance/install']] as const) {
    fs.mkdirSync(path.dirname(path.join(appRoot, link)), { recursive: true });
    fs.rmSync(path.join(appRoot, link), { force: true });
    fs.symlinkSync(path.join(ROOT, to), path.join(appRoot, link));
  }
  say(`Node runtime: could not fetch npm's node-${target} (${reason}); using this host's node ${process.version} instead (${runtimes})`);
  return { APPLIANCE_CONSOLE_RESOURCES: appRoot };
}

/** This host's node as npm's node-linux-<arch> tarball lays it out (package/bin/node), with its runtime.json. */
function packHostNode(runtimesDir: string, target: string): void {
  const dir = path.join(runtimesDir, target);
  const version = process.version.slice(1);
  const file = `node-${target}-${version}.tgz`;
  if (fs.existsSync(path.join(dir, 'runtime.json')) && fs.existsSync(path.join(dir, file))) return;
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-demo-node-'));
  try {
    fs.mkdirSync(path.join(stage, 'package/bin'), { recursive: true });
    fs.copyFileSync(process.execPath, path.join(stage, 'package/bin/node'));
    fs.mkdirSync(dir, { recursive: true });
    const tar = spawnSync('tar', ['-czf', path.join(dir, file), '-C', stage, 'package'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new DemoError(`packing this host's node failed: ${tar.stderr}`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  const data = fs.readFileSync(path.join(dir, file));
  const manifest = { version, target, file, sha256: crypto.createHash('sha256').update(data).digest('hex'), size: data.length, nodeBinary: 'package/bin/node' };
  fs.writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify(manifest, null, 2));
}

async function buildUiIfStale(): Promise<void> {
  // The same freshness rule as npm start (scripts/lib is plain JavaScript, hence the typed import).
  const { isBuildFresh } = (await import(pathToFileURL(path.join(__dirname, 'lib/build-freshness.mjs')).href)) as { isBuildFresh: (root: string, built: string, dirs: string[]) => boolean };
  if (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) && isBuildFresh(ROOT, 'out/renderer/index.html', ['renderer', 'main/contract'])) return;
  say('Building the console UI (electron-vite build)…');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new DemoError('building the console UI failed (see above); or run the demo with --no-build');
}

async function testbedUp(prefix: string): Promise<TestbedStatus> {
  const tb = createTestbed({ prefix, log: (line) => say(`  ${line}`) });
  const status = await tb.status();
  const appliances = status.machines.filter((m) => m.role === 'appliance');
  if (status.state === 'up' && appliances.length === APPLIANCES && status.machines.every((m) => m.alive)) {
    say(`Testbed "${prefix}" is already up: reusing it.`);
    return status;
  }
  if (status.state !== 'down') say(`Testbed "${prefix}" is ${status.state} with ${appliances.length} appliance(s): making it again.`);
  await tb.down();
  say(`$ npm run testbed -- up --prefix ${prefix} --appliances ${APPLIANCES} --disks ${DISKS}`);
  return tb.up({ appliances: APPLIANCES, disks: DISKS });
}

/**
 * The testbed makes a new client key and new host keys each time it comes up. The data directory
 * remembers which testbed its appliances were registered for (the client key's hash), so a demo
 * run after the testbed was remade registers them again instead of failing to log in.
 */
function testbedIdentity(status: TestbedStatus): string {
  if (!status.clientKey) throw new DemoError('the testbed reports no client key');
  return crypto.createHash('sha256').update(fs.readFileSync(status.clientKey.publicKeyPath)).digest('hex');
}

async function register(status: TestbedStatus, dataDir: string): Promise<void> {
  const marker = path.join(dataDir, 'demo-testbed.json');
  const identity = testbedIdentity(status);
  const known = fs.existsSync(marker) ? (JSON.parse(fs.readFileSync(marker, 'utf8')) as { identity?: string }).identity : undefined;
  const listed = JSON.parse(await must(['fleet', 'list', '--json', '--data-dir', dataDir], { quiet: true })) as Appliance[];
  for (const m of status.machines.filter((x) => x.role === 'appliance')) {
    const existing = listed.find((a) => a.name === m.name);
    if (existing && existing.address === m.address && known === identity) {
      say(`${m.name} is registered already (${m.address}).`);
    } else {
      if (existing) await must(['fleet', 'remove', m.name, '--data-dir', dataDir]);
      await must(['fleet', 'add', '--name', m.name, '--address', m.address, '--port', String(m.sshPort), '--user', 'root', '--key', m.rootKeyPath, '--tag', 'demo', '--data-dir', dataDir]);
    }
    // The fingerprint comes from the testbed, which made the key: the comparison a person would do
    // with ssh-keygen -l on the machine.
    say(`${m.name} host key (from the testbed): ${m.hostKey.fingerprint}`);
    await must(['fleet', 'trust', m.name, '--fingerprint', m.hostKey.fingerprint, '--data-dir', dataDir]);
  }
  fs.writeFileSync(marker, `${JSON.stringify({ prefix: status.prefix, identity }, null, 2)}\n`);
}

/** /healthz, then the appliance list through the API with the session token, as a browser would get it. */
async function checkServe(loginUrl: string): Promise<number> {
  const url = new URL(loginUrl);
  const token = url.searchParams.get('token') ?? '';
  const health = await fetch(new URL('/healthz', url));
  if (!health.ok) throw new DemoError(`the console's /healthz answered ${health.status}`);
  const r = await fetch(new URL('/api/call/fleet.list', url), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
  const body = (await r.json()) as { ok: boolean; result?: { appliances: Appliance[] } };
  if (!body.ok || !body.result) throw new DemoError(`the console's API answered ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.result.appliances.length;
}

function openBrowser(url: string): void {
  const found = spawnSync('sh', ['-c', 'command -v xdg-open'], { encoding: 'utf8' });
  if (found.status !== 0 || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)) {
    say('(No desktop to open a browser in here: open the URL above yourself, e.g. through an SSH tunnel.)');
    return;
  }
  spawn(found.stdout.trim(), [url], { detached: true, stdio: 'ignore' }).unref();
  say('Opened in your browser (xdg-open).');
}

async function serve(opts: Options, env: NodeJS.ProcessEnv): Promise<void> {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let failure: unknown = null;
  const onOut = (line: string) => {
    const m = /(https?:\/\/\S+\/login\?token=\S+)/.exec(line);
    if (!m) return;
    void (async () => {
      const count = await checkServe(m[1]!);
      say(`The console answers: ${count} appliance(s) listed through its API.`);
      say(`The same appliances from the CLI, in another terminal:\n  ${cliLine(opts.dataDir)}`);
      if (opts.exitAfterReady) return stop();
      if (opts.open) openBrowser(m[1]!);
      say(`Stop the console with Ctrl-C; the testbed stays up. Remove it with: npm run demo -- --down (or npm run testbed -- down --prefix ${opts.prefix})`);
      onCtrlC = stop;
    })().catch((err: unknown) => {
      failure = err;
      stop();
    });
  };
  const r = await cli(['serve', '--listen', opts.listen, '--data-dir', opts.dataDir], { env, onOut, untilStopped: () => stopped });
  if (failure) throw failure;
  if (r.code !== 0) throw new DemoError(`appliance-console serve exited with ${r.code}`);
  say('Console stopped. The testbed is still up; run npm run demo again to come back to it.');
  say(`Its appliances from the CLI:\n  ${cliLine(opts.dataDir)}`);
}

async function main(): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (!opts) {
    say(HELP);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    throw new DemoError('the demo needs root: its testbed makes network namespaces, loop devices and mounts. Run: sudo npm run demo', 3);
  }
  const unsupported = netnsUnsupportedReason();
  if (unsupported) throw new DemoError(`this host cannot run the testbed: ${unsupported} (sudo bash scripts/setup-system.sh installs what it needs)`, 3);

  if (opts.down) {
    say(`$ npm run testbed -- down --prefix ${opts.prefix}`);
    await createTestbed({ prefix: opts.prefix, log: (l) => say(`  ${l}`) }).down();
    say(`Testbed "${opts.prefix}" removed. The console data is still in ${opts.dataDir} (delete it to start over).`);
    return 0;
  }
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });

  step('Resources the console installs on the machines');
  const env = ensureResources(opts.dataDir);
  if (opts.build) await buildUiIfStale();

  step(`Testbed "${opts.prefix}": ${APPLIANCES} appliances with ${DISKS} data disks each`);
  const status = await testbedUp(opts.prefix);
  for (const m of status.machines) say(`  ${m.name}  ${m.address}:${m.sshPort}  ${m.hostKey.fingerprint}`);

  step(`Register them in the console (data: ${opts.dataDir})`);
  await register(status, opts.dataDir);

  step('Provision the agent on all of them');
  await must(['provision', '--all', '--concurrency', String(APPLIANCES), '--data-dir', opts.dataDir], { env });

  step('Start the console');
  await serve(opts, env);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof DemoError ? err.exitCode : 1);
  },
);
