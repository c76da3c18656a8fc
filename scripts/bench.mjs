#!/usr/bin/env node
// `npm run bench`: build, then run every benchmark in bench/ and print figures with their
// reference measured in the same run. Pass names to run a subset: `npm run bench -- ui`.
// Exits non-zero when the build fails, or when any target is not met or any figure was not
// measured (bench/run-benchmarks.ts ends with the count of each).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/run-benchmarks.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
