import { defineConfig } from 'vitest/config';

/**
 * Three tiers (STYLE.md §5): unit (pure logic, real SQLite), integration (real hosts: HTTP,
 * WebSocket, sshd, the testbed), e2e (Debian's Chromium, and Electron where its binary exists).
 * Integration and e2e files each use their own data dir, port and testbed prefix, so files run in
 * parallel without colliding.
 */
export default defineConfig({
  test: {
    // Two files at a time even on 2 cores (vitest's default is one fewer than the cores): the
    // integration files mostly wait — on sshd, on disks' fsyncs, on an agent's next round — so
    // two halve the tier's wall time (939 s → 474 s measured here), and each file has its own data
    // dir, port and testbed prefix. e2e stays one file at a time (below).
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 20_000 } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', testTimeout: 180_000, hookTimeout: 180_000 } },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 240_000,
          // One browser at a time: 2 cores, and each file builds on the same out/ directory.
          fileParallelism: false,
        },
      },
    ],
  },
});
