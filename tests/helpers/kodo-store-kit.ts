import { spawn } from 'node:child_process';
import path from 'node:path';
import { StoreError, type ObjectStore } from '../../agents/services/kodo/store';

/** What the Kodo store tests share: reading an object whole, the StoreError a call ends with, and a crash child. */

const REPO_ROOT = path.resolve(__dirname, '../..');

/** The object's bytes, or null when the key does not exist; any other failure throws. */
export async function readObjectOrNull(store: ObjectStore, bucket: string, key: string): Promise<Buffer | null> {
  try {
    const result = await store.getObject(bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of result.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NoSuchKey') return null;
    throw error;
  }
}

/** The StoreError `promise` rejects with (anything else, or no rejection, fails the test). */
export async function storeErrorOf(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError');
}

/**
 * Runs `script` (TypeScript, through tsx) with `KODO_CRASH` set to `config` as JSON, and SIGKILLs
 * it `killAfterMs` after it prints "ready" (or it freezes itself at a chosen step and waits for
 * the kill). Resolves once it died by SIGKILL; a child that ends by itself is a failure.
 */
export function runUntilKilled(script: string, config: object, killAfterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, KODO_CRASH: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the child ended by itself: ${stderr}`))));
  });
}
