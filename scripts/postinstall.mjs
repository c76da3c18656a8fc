#!/usr/bin/env node
// `npm install`'s last step: make what the console installs on appliances — the agent bundles and
// the Node.js runtimes for linux-x64 and linux-arm64 (scripts/lib/resources.mjs) — so a fresh
// clone can provision after `npm install && npm start` with no separate build step.
//
// The runtimes are zstd-compressed at a fast level here (seconds, not the ~75 CPU-seconds per
// architecture of packaging's level 19). A second install finds everything current (hashes and
// mtimes) and touches nothing. A failure never fails `npm install`: the console itself works
// without these, only provisioning needs them, so this says in one line what failed and how to
// retry, and exits 0.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailures, ensureResources, INSTALL_ZSTD_LEVEL } from './lib/resources.mjs';
import { buildErasureWasm } from './build-erasure-wasm.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`appliance-console: ${line}`);

try {
  const { changed, failures } = ensureResources(root, { zstdLevel: INSTALL_ZSTD_LEVEL, say: (text) => text.split('\n').forEach((line) => say(line)) });
  if (failures.length > 0) say(describeFailures(failures));
  else if (!changed) say('agent bundles and Node.js runtimes for appliances are up to date');
} catch (err) {
  // Anything unforeseen (a bug here, a full disk) is still one line, and still not a failed install.
  say(describeFailures([{ what: 'preparing the appliance resources', reason: err instanceof Error ? err.message : String(err) }]));
}

// Kodo's erasure-coding kernel, WebAssembly assembled from the text in agents/services/kodo/erasure/wasm
// (milliseconds; rewritten only when its bytes change).
try {
  const written = await buildErasureWasm();
  if (written.length > 0) say(`built the erasure-coding kernel (${written.length} WebAssembly modules)`);
} catch (err) {
  say(`building the erasure-coding kernel failed (${err instanceof Error ? err.message : String(err)}); retry with \`node scripts/build-erasure-wasm.mjs\``);
}
process.exit(0);
