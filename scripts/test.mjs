#!/usr/bin/env node
// `npm test`: build the app once (the e2e suite serves the real UI build), then run every tier
// with vitest, and end with one plain summary line ("N passed, N failed, N skipped").
// Extra arguments go to vitest, e.g. `npm test -- --project unit`.
//
// Without arguments the tiers run in two passes: unit and integration together, then e2e alone.
// Integration tests build and tear down testbed bridges and veth pairs in this host's network
// namespace; Chromium treats every such change as "the network changed" and fails the requests in
// flight with net::ERR_NETWORK_CHANGED (a lazy page chunk, an API call), which a browser test then
// sees as a broken page. The e2e pass therefore runs when no other test is changing interfaces.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);

const build = spawnSync(process.execPath, [bin('electron-vite', 'bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('Build failed; not running tests.');
  process.exit(build.status ?? 1);
}

mkdirSync(path.join(root, 'test-results'), { recursive: true });
const extra = process.argv.slice(2);
const passes = extra.length > 0 ? [{ name: 'vitest', args: extra }] : [
  { name: 'vitest', args: ['--project', 'unit', '--project', 'integration'] },
  { name: 'vitest-e2e', args: ['--project', 'e2e'] },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const pass of passes) {
  const report = path.join(root, 'test-results', `${pass.name}.json`);
  rmSync(report, { force: true });
  const run = spawnSync(
    process.execPath,
    [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...pass.args],
    { cwd: root, stdio: 'inherit' },
  );
  if (run.status !== 0) status = run.status ?? 1;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += r.numPassedTests ?? 0;
    totals.failed += r.numFailedTests ?? 0;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (run.status !== 0) {
    console.error(`${pass.args.join(' ')}: vitest wrote no report (exit ${run.status ?? run.signal})`);
  }
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
