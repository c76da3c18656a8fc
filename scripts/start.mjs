#!/usr/bin/env node
// `npm start`: build what is stale, then launch the desktop app. Where the Electron runtime cannot
// be obtained (it is downloaded from GitHub on first use, which some networks block), say so in one
// line and start the headless host instead, which prints its login URL.
//
// Stale means: the agent bundles older than agents/ (or missing), a Node runtime for appliances
// missing or not matching its hashes (the same checks as npm install's postinstall), the UI build
// older than its sources. A resource that cannot be made is said in one line and the console starts
// anyway: only provisioning needs it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuildFresh } from './lib/build-freshness.mjs';
import { describeFailures, ensureResources, INSTALL_ZSTD_LEVEL } from './lib/resources.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'out');

const resources = ensureResources(root, { zstdLevel: INSTALL_ZSTD_LEVEL });
if (resources.failures.length > 0) console.log(describeFailures(resources.failures));

if (!isBuildFresh(root, 'out/main/cli.js', ['main', 'preload', 'renderer', 'agents']) || !existsSync(path.join(out, 'renderer/index.html'))) {
  console.log('Building the console (electron-vite build)…');
  execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
}

/** The Electron binary's path, or the reason it cannot be had. Runs in a child: electron's index.js may try a download. */
function findElectron() {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0 && r.stdout && existsSync(r.stdout)) return { binary: r.stdout };
  const why = (r.stderr || r.error?.message || 'unknown error').split('\n').find((l) => l.trim()) ?? 'unknown error';
  return { reason: why.trim() };
}

const args = process.argv.slice(2);
const electron = process.env.APPLIANCE_CONSOLE_HEADLESS ? { reason: 'APPLIANCE_CONSOLE_HEADLESS is set' } : findElectron();
if (electron.binary) {
  const child = spawn(electron.binary, [root, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Electron runtime unavailable (its binary could not be obtained: ${electron.reason}); starting the headless console instead.`);
  const child = spawn(process.execPath, [path.join(out, 'main/cli.js'), 'serve', ...args], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
