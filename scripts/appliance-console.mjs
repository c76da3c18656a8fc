#!/usr/bin/env node
// Launcher for the `appliance-console` CLI. Runs the built CLI (out/main/cli.js) when it is at
// least as new as the sources; in a source checkout without a fresh build it runs the TypeScript
// through tsx (a dev dependency), so `npm run console -- fleet list` and the tests never use a
// stale build.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuildFresh } from './lib/build-freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (isBuildFresh(root, 'out/main/cli.js', ['main', 'agents'])) {
  require(path.join(root, 'out/main/cli.js'));
} else {
  const env = { ...process.env, APPLIANCE_CONSOLE_UI_DIR: process.env.APPLIANCE_CONSOLE_UI_DIR ?? path.join(root, 'out/renderer') };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
