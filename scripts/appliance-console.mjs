#!/usr/bin/env node
// Launcher for the `appliance-console` CLI. Runs the built CLI (out/main/cli.js) when present;
// in a source checkout without a build it runs the TypeScript directly through tsx, so
// `npm run console -- fleet list` works straight after `npm ci`.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'out/main/cli.js');
const require = createRequire(import.meta.url);

if (existsSync(built)) {
  require(built);
} else {
  const env = { ...process.env, APPLIANCE_CONSOLE_UI_DIR: process.env.APPLIANCE_CONSOLE_UI_DIR ?? path.join(root, 'out/renderer') };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
