import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A small tmpfs mounted for the file's tests (real ENOSPC at a known size), unmounted and removed
 * after them. Mounting needs root: `unavailable` says why it could not be mounted, for the test to
 * print with its skip. Call at the top level of a file or describe block (it registers the hooks).
 */
export function useSmallTmpfs(label: string, size: string): { readonly root: string; readonly unavailable: string | null } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  const state = { root, unavailable: 'not mounted yet' as string | null };
  beforeAll(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', root], { stdio: 'pipe' });
      state.unavailable = null;
    } catch (error) {
      state.unavailable = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    }
  });
  afterAll(() => {
    if (state.unavailable === null) execFileSync('umount', [root]);
    fs.rmSync(root, { recursive: true, force: true });
  });
  return state;
}
