// What the console carries to appliances: the agent bundles (resources/agents/<target>, from
// scripts/build-agent.mjs) and the Node runtimes (resources/runtimes/<target>, from
// scripts/fetch-node-runtimes.mjs), whether they are current, and making the ones that are not.
// Shared by `npm install` (scripts/postinstall.mjs), `npm start` and the build scripts themselves,
// so "current" means the same thing to all of them.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isBuildFresh } from './build-freshness.mjs';

export const TARGETS = ['linux-x64', 'linux-arm64'];

/**
 * zstd levels for the runtime's .tar.zst (Node 22, linux-x64, 125 MB tar, measured on the
 * project's 2-core machine): level 19 takes ~75-100 CPU-seconds per architecture for 32 MB, the
 * smallest file, which every appliance then receives: for the packaged app (`npm run
 * build:resources`, `package:*`). Level 3 takes under a second of CPU for 41 MB (gzip -6: 44 MB),
 * and unpacks as fast or faster (0.2 CPU-s, gzip 0.7): for `npm install`, `npm start` and the
 * demo, where the runtime travels to machines on the local network.
 */
export const PACKAGING_ZSTD_LEVEL = 19;
export const INSTALL_ZSTD_LEVEL = 3;

/** The trimmed tarball's layout (fetch-node-runtimes.mjs); a change makes every runtime on disk stale. */
export const RUNTIME_LAYOUT = 'trimmed-2';

/**
 * What build-agent.mjs bundles: a change to any of these makes the agent bundles stale. Not
 * package-lock.json: npm install rewrites it every time, so its mtime says nothing; a dependency
 * update alone leaves the bundle as it was until agents/ changes (build:resources always rebuilds).
 */
const AGENT_SOURCES = ['agents', 'scripts/build-agent.mjs'];

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function readRelease(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'agents/release.json'), 'utf8'));
}

export function hashFile(file, algorithm, encoding) {
  const hash = crypto.createHash(algorithm);
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1024 * 1024);
  try {
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest(encoding);
}

/**
 * True when resources/agents/<target> holds this release's bundle, its tarball is the size its
 * manifest says, and nothing it is built from changed since (by mtime, like the UI build).
 */
export function agentBundleFresh(root, target) {
  const dir = path.join(root, 'resources/agents', target);
  const manifest = readJson(path.join(dir, 'manifest.json'));
  if (!manifest || manifest.version !== readRelease(root).agentVersion || typeof manifest.file !== 'string') return false;
  const tarball = path.join(dir, manifest.file);
  if (!fs.existsSync(tarball) || fs.statSync(tarball).size !== manifest.size) return false;
  return isBuildFresh(root, path.join('resources/agents', target, 'manifest.json'), AGENT_SOURCES);
}

/**
 * True when resources/runtimes/<target> holds the pinned Node version in the current layout, both
 * tarballs still hash to what runtime.json recorded, and its .tar.zst was made at `zstdLevel` or
 * higher: a packaging run (19) is redone by nothing that asks for less, and a fast install-time
 * runtime (3) is redone when packaging asks for 19. runtime.json files written before the level
 * was recorded were all made at 19.
 */
export function runtimeVerified(root, target, zstdLevel) {
  const dir = path.join(root, 'resources/runtimes', target);
  const meta = readJson(path.join(dir, 'runtime.json'));
  const version = readRelease(root).nodeRuntime.version;
  if (!meta || meta.version !== version || meta.layout !== RUNTIME_LAYOUT || typeof meta.file !== 'string') return false;
  const whole = (entry) => {
    const file = path.join(dir, entry.file);
    return fs.existsSync(file) && fs.statSync(file).size === entry.size && hashFile(file, 'sha256', 'hex') === entry.sha256;
  };
  // A gzip-only runtime (made where there was no zstd command) stands until zstd can be had, or
  // packaging asks for it (which needs zstd).
  if (typeof meta.zstd?.file !== 'string') return zstdLevel < PACKAGING_ZSTD_LEVEL && !zstdAvailable() && whole(meta);
  if ((meta.zstd.level ?? PACKAGING_ZSTD_LEVEL) < zstdLevel) return false;
  return whole(meta) && whole(meta.zstd);
}

/** Whether this machine has the zstd command (to make the runtime's .tar.zst). */
export function zstdAvailable() {
  const r = spawnSync('zstd', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Runs one of the build scripts; its output is returned, not shown, so a failure can be told in one line. */
function runScript(root, script, args) {
  const r = spawnSync(process.execPath, [path.join(root, script), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { ok: r.status === 0, stdout: (r.stdout ?? '').trimEnd(), reason: r.error?.message ?? failureReason(r.stderr ?? '', r.status) };
}

/**
 * The line of a failed script's stderr that says why: the scripts' own "<name>: …" message, else
 * (a crash) the first line naming an Error rather than the stack or "Node.js v20…" after it.
 */
function failureReason(stderr, status) {
  const lines = stderr.split('\n').filter((l) => l.trim());
  const ownAt = lines.findIndex((l) => /^(build-agent|fetch-node-runtimes): /.test(l));
  if (ownAt >= 0) {
    // "Build failed with 1 error:" says why on the next line.
    const own = lines[ownAt].replace(/^[\w-]+: /, '');
    return own.endsWith(':') && lines[ownAt + 1] ? `${own} ${lines[ownAt + 1].trim()}` : own;
  }
  return lines.find((l) => /\b\w*Error\b/.test(l) && !/^\s+at /.test(l))?.trim() ?? lines.at(-1) ?? `exit ${status}`;
}

/**
 * Makes whatever is not current: the agent bundles for both targets when any is stale, and each
 * target's runtime that is missing or not verified at `zstdLevel`. Touches nothing when all are
 * current. Never throws for a failed step: returns what failed and why, for the caller to say.
 */
export function ensureResources(root, { zstdLevel = INSTALL_ZSTD_LEVEL, say = (line) => console.log(line) } = {}) {
  const failures = [];
  let changed = false;
  const staleAgents = TARGETS.filter((t) => !agentBundleFresh(root, t));
  if (staleAgents.length > 0) {
    say(`Building the appliance agent bundle (${staleAgents.join(', ')} out of date or missing)…`);
    const r = runScript(root, 'scripts/build-agent.mjs', ['--target', 'all']);
    if (r.ok) say(r.stdout);
    else failures.push({ what: 'building the agent bundles', reason: r.reason });
    changed = true;
  }
  for (const target of TARGETS.filter((t) => !runtimeVerified(root, t, zstdLevel))) {
    say(`Fetching the Node.js runtime for ${target} appliances from the npm registry (node-${target}, zstd level ${zstdLevel})…`);
    const r = runScript(root, 'scripts/fetch-node-runtimes.mjs', ['--target', target, '--zstd-level', String(zstdLevel)]);
    if (r.ok) say(r.stdout);
    else failures.push({ what: 'fetching the Node.js runtime', target, reason: r.reason });
    changed = true;
  }
  return { changed, failures };
}

/**
 * One line for a person: what failed (targets that failed the same way named together), what it
 * means, and the command that retries.
 */
export function describeFailures(failures) {
  const groups = new Map();
  for (const f of failures) {
    const reason = f.reason.replace(/\s+/g, ' ').trim();
    const key = `${f.what}\n${reason}`;
    groups.set(key, { what: f.what, reason, targets: [...(groups.get(key)?.targets ?? []), ...(f.target ? [f.target] : [])] });
  }
  const what = [...groups.values()].map((g) => `${g.what}${g.targets.length ? ` for ${g.targets.join(' and ')}` : ''} failed (${g.reason})`).join('; ');
  return `${what}. The console runs, but cannot provision appliances until this is done. Retry with: npm run build:resources`;
}
