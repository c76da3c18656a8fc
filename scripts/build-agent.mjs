#!/usr/bin/env node
// Builds the appliance agent into a self-contained bundle per target:
//
//   node scripts/build-agent.mjs [--target linux-x64|linux-arm64|all (default)] [--out-dir DIR]
//                                [--agent-version V]
//
// → <out>/<target>/appliance-agent-<version>.tar.gz, .tar.gz.sha256 and manifest.json
//   (default out: resources/agents; version: agents/release.json's agentVersion, or --agent-version,
//   which upgrade tests use to make a second, different bundle from the same sources). The tarball holds agent.js (esbuild: every dependency inlined,
//   so the machine needs no compiler and no package download), the `appliance-agent` launcher and
//   VERSION, with no top-level directory: the provisioner extracts it into
//   /opt/appliance-agent/<version>/. The JavaScript is the same for both targets (no native
//   modules); the target names which Node runtime (resources/runtimes/<target>) goes with it.
// The tar is written here (ustar, fixed mtime and owner), so the same sources give the same bytes
// and sha256 on any build machine, Windows included.
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { readRelease, TARGETS } from './lib/resources.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const release = readRelease(ROOT);

const LAUNCHER = `#!/bin/sh
# appliance-agent launcher: finds a Node.js runtime and runs the bundled agent with it.
# Order: $APPLIANCE_AGENT_NODE, the runtime the provisioner installs beside the bundles
# (/opt/appliance-agent/node/bin/node, i.e. ../node from this directory), then node on PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd -P)
node="\${APPLIANCE_AGENT_NODE:-}"
if [ -z "$node" ]; then
  for candidate in "$here/../node/bin/node" /opt/appliance-agent/node/bin/node; do
    if [ -x "$candidate" ]; then node=$candidate; break; fi
  done
fi
if [ -z "$node" ]; then node=$(command -v node || true); fi
if [ -z "$node" ]; then
  echo "appliance-agent: no Node.js runtime found (install one or set APPLIANCE_AGENT_NODE)" >&2
  exit 2
fi
# Memory (agents/README.md#memory, bench/agent-monitor.bench.ts): --no-opt keeps V8's top-tier
# compiler (TurboFan) out: about 5 MB resident less on Node 22, for an agent that is idle nearly
# always (a metrics.v1 answer takes ~2.5x the CPU, milliseconds). A fixed glibc trim threshold makes free() hand memory back instead of keeping the
# high-water mark of start-up. Services do not inherit it (they get a minimal environment).
MALLOC_TRIM_THRESHOLD_="\${MALLOC_TRIM_THRESHOLD_:-131072}"
export MALLOC_TRIM_THRESHOLD_
exec "$node" --no-opt "$here/agent.js" "$@"
`;

// What `--daemon` starts where there is no systemd: the watchdog, a POSIX sh script of ~2 MiB
// resident rather than a second Node process (why and how: agents/agent/daemon/watchdog.sh).
// The name is WATCHDOG_SCRIPT in agents/agent/daemon/daemonize.ts.
const WATCHDOG = fs.readFileSync(path.join(ROOT, 'agents/agent/daemon/watchdog.sh'));

/**
 * node-disk-info requires iconv-lite at load for its Windows code page conversion only; the agent
 * runs on Linux, and the tables are half a megabyte of the bundle that V8 would keep as source.
 * A stand-in that says so if it is ever reached.
 */
const linuxOnly = {
  name: 'linux-only',
  setup(b) {
    b.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: 'iconv-lite', namespace: 'linux-only' }));
    b.onLoad({ filter: /.*/, namespace: 'linux-only' }, () => ({
      contents: `const no = () => { throw new Error('iconv-lite is not bundled: the agent runs on Linux only'); };\nmodule.exports = { encode: no, decode: no };\n`,
      loader: 'js',
    }));
  },
};

/** One character above U+00FF anywhere makes V8 keep the whole source as two-byte text: twice the memory for the process's life. */
function assertOneByte(name, code) {
  const wide = /[\u0100-\uffff]/.exec(code);
  if (wide) throw new Error(`${name} holds a character above U+00FF (${JSON.stringify(code.slice(Math.max(0, wide.index - 40), wide.index + 10))}): V8 would store the whole bundle as two-byte text`);
}

function usage(message) {
  if (message) console.error(`build-agent: ${message}`);
  console.error('Usage: node scripts/build-agent.mjs [--target linux-x64|linux-arm64|all] [--out-dir DIR] [--agent-version V]');
  process.exit(message ? 2 : 0);
}

/** One ustar entry: 512-byte header, then the content padded to 512 bytes. */
function tarEntry(name, content, mode) {
  const header = Buffer.alloc(512);
  const put = (text, offset, length) => header.write(text, offset, length, 'ascii');
  const octal = (n, length) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(content.length, 12), 124, 12);
  put(octal(RELEASE_MTIME, 12), 136, 12);
  put('        ', 148, 8); // checksum placeholder: spaces while summing
  put('0', 156, 1); // regular file
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

// 2025-01-01T00:00:00Z: entries carry a fixed time so identical input gives identical bytes.
const RELEASE_MTIME = 1735689600;

function tarGz(files) {
  const tar = Buffer.concat([...files.map((f) => tarEntry(f.name, f.content, f.mode)), Buffer.alloc(1024)]);
  return zlib.gzipSync(tar, { level: 9 });
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function main() {
  const { values } = parseArgs({ options: { target: { type: 'string', default: 'all' }, 'out-dir': { type: 'string' }, 'agent-version': { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) usage();
  const targets = values.target === 'all' ? TARGETS : [values.target];
  if (!targets.every((t) => TARGETS.includes(t))) usage(`unknown target "${values.target}"`);
  const outRoot = path.resolve(values['out-dir'] ?? path.join(ROOT, 'resources/agents'));
  const version = values['agent-version'] ?? release.agentVersion;
  // Same rule as the console's manifest reader (main/provision/resources.ts): it names a directory on the machine.
  if (!/^[0-9A-Za-z.+-]{1,64}$/.test(version)) usage(`invalid --agent-version "${version}": letters, digits, . + - only`);
  const started = performance.now();

  /** One program, bundled for the appliance's Node runtime: every dependency inlined, one-byte text. */
  const bundle = async (name, entry, extra = {}) => {
    const result = await build({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      platform: 'node',
      target: `node${release.nodeRuntime.minimum.split('.')[0]}`,
      format: 'cjs',
      write: false,
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'warning',
      // ASCII only (esbuild escapes non-ASCII in strings with charset 'ascii'; the banner is ours):
      // one character above U+00FF anywhere makes V8 keep the whole source as a two-byte string,
      // twice the memory for as long as the program runs (checked below).
      charset: 'ascii',
      banner: { js: `// ${name} ${version}, bundled by scripts/build-agent.mjs; do not edit.` },
      ...extra,
    });
    const text = result.outputFiles[0].text;
    assertOneByte(`${name}.js`, text);
    return text;
  };

  const code = await bundle('appliance-agent', 'agents/agent/main.ts', {
    // Filled in per target below; the bundle itself is target-independent.
    define: { __APPLIANCE_AGENT_BUILD__: '__APPLIANCE_AGENT_BUILD_INFO__' },
    plugins: [linuxOnly],
  });
  // The service programs the agent's modules launch (agents/services/<id>/module.ts), bundled the
  // same way beside agent.js (ServiceContext.programDir), with the files they load at run time.
  const kodoJs = await bundle('kodo-server', 'agents/services/kodo/server/main.ts');
  // The erasure kernel reads its WebAssembly from <dir of the program>/wasm/build (erasure/wasm-kernel.ts).
  const wasmDir = path.join(ROOT, 'agents/services/kodo/erasure/wasm/build');
  const wasmFiles = fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).sort();
  if (wasmFiles.length === 0) throw new Error(`no WebAssembly kernel in ${wasmDir}: run node scripts/build-erasure-wasm.mjs (npm install does)`);
  const serviceFiles = [
    { name: 'kodo-server.js', content: Buffer.from(kodoJs), mode: 0o644 },
    ...wasmFiles.map((f) => ({ name: `wasm/build/${f}`, content: fs.readFileSync(path.join(wasmDir, f)), mode: 0o644 })),
  ];

  for (const target of targets) {
    const agentJs = Buffer.from(`var __APPLIANCE_AGENT_BUILD_INFO__ = ${JSON.stringify({ version, target })};\n${code}`);
    const archive = tarGz([
      { name: 'agent.js', content: agentJs, mode: 0o644 },
      { name: 'appliance-agent', content: Buffer.from(LAUNCHER), mode: 0o755 },
      { name: 'appliance-agent-watchdog', content: WATCHDOG, mode: 0o755 },
      { name: 'VERSION', content: Buffer.from(`${version}\n`), mode: 0o644 },
      ...serviceFiles,
    ]);
    const sha256 = crypto.createHash('sha256').update(archive).digest('hex');
    const fileName = `appliance-agent-${version}.tar.gz`;
    const dir = path.join(outRoot, target);
    fs.mkdirSync(dir, { recursive: true });
    writeAtomic(path.join(dir, fileName), archive);
    writeAtomic(path.join(dir, `${fileName}.sha256`), `${sha256}  ${fileName}\n`);
    const manifest = {
      name: 'appliance-agent',
      version,
      target,
      file: fileName,
      sha256,
      size: archive.length,
      entrypoint: 'appliance-agent',
      nodeRuntime: { required: `>=${release.nodeRuntime.minimum}`, bundled: release.nodeRuntime.version },
    };
    writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${path.relative(process.cwd(), path.join(dir, fileName))}  ${(archive.length / 1024).toFixed(0)} KiB  sha256 ${sha256.slice(0, 16)}…`);
  }
  console.log(`built appliance-agent ${version} in ${Math.round(performance.now() - started)} ms`);
}

main().catch((err) => {
  console.error(`build-agent: ${err.stack ?? err}`);
  process.exit(1);
});
