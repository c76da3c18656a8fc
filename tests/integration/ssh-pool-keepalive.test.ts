/**
 * The pool's keepalives against a real sshd, counted by the kernel (`ss`: the data segments the
 * server sent on the connection — its replies): an idle pooled connection is probed every
 * keepaliveMs, and one whose agent keeps answering (`heard`, as every agent answer does) is not.
 * And closing one whose peer stopped answering does not wait for it (a stopping `serve` did).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { sshEdge } from '../../main/reach/ssh-edge';
import { createSshPool } from '../../main/reach/ssh-pool';
import { CLOSE_GRACE_MS } from '../../main/ssh/ssh-connect';
import { sha256Fingerprint } from '../../main/ssh/host-key';
import { startLocalSshd, sshdMissingReason, type LocalSshd } from '../helpers/local-sshd';

const skip = sshdMissingReason();
if (skip) console.warn(`[skip] SSH keepalive tests skipped: ${skip}`);

/** Data segments the server has sent on its one established connection on `port`. */
function serverSegmentsOut(port: number): number {
  const out = execFileSync('ss', ['-tinH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  const m = /data_segs_out:(\d+)/.exec(out);
  if (!m) throw new Error(`no established connection on port ${port}:\n${out}`);
  return Number(m[1]);
}

/** Every process below `pid` (pgrep -P, recursively). */
function descendantsOf(pid: number): number[] {
  let children: number[];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return children.flatMap((c) => [c, ...descendantsOf(c)]);
}

/** A pool whose every appliance is the local sshd, as root with its client key. */
function poolOf(sshd: LocalSshd, opts: { keepaliveMs?: number } = {}) {
  const keyBlob = Buffer.from(sshd.hostKeyPub.split(' ')[1]!, 'base64');
  return createSshPool({
    resolve: () => ({ target: { address: '127.0.0.1', port: sshd.port, user: 'root' }, credential: { kind: 'private-key', privateKey: sshd.clientKey }, trustedKeys: [{ keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(keyBlob) }] }),
    connect: sshEdge.connect,
    clock: manualClock(),
    log: silentLogger,
    ...opts,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('SSH pool keepalives against a real sshd', () => {
  let sshd: LocalSshd;
  beforeAll(async () => {
    sshd = await startLocalSshd();
  });
  afterAll(async () => sshd?.stop());

  it('probes an idle connection every keepaliveMs, and not one whose agent keeps answering', async () => {
    const pool = poolOf(sshd, { keepaliveMs: 300 });
    try {
      await pool.acquire('a');
      await sleep(200);
      const idle0 = serverSegmentsOut(sshd.port);
      await sleep(1600);
      const idle = serverSegmentsOut(sshd.port) - idle0;
      // Each keepalive is answered with one segment: about 1.6 s / 0.3 s of them.
      expect(idle).toBeGreaterThanOrEqual(3);

      const heard0 = serverSegmentsOut(sshd.port);
      for (let i = 0; i < 16; i++) {
        pool.heard('a');
        await sleep(100);
      }
      expect(serverSegmentsOut(sshd.port) - heard0).toBe(0);
    } finally {
      pool.closeAll();
    }
  }, 30_000);

  it('closes a connection whose peer no longer answers, within the grace period, instead of waiting on TCP', async () => {
    const pool = poolOf(sshd);
    // The listener and its session processes, stopped: the kernel still holds the connection
    // open, but nothing answers the disconnect or closes its side (as over a pulled cable).
    const client = await pool.acquire('a');
    const stopped = [sshd.pid, ...descendantsOf(sshd.pid)];
    expect(stopped.length, 'sshd has a session process for the connection').toBeGreaterThan(1);
    for (const p of stopped) process.kill(p, 'SIGSTOP');
    try {
      const closed = new Promise<number>((resolve) => client.once('close', () => resolve(performance.now())));
      const started = performance.now();
      pool.closeAll();
      const outcome = await Promise.race([closed, sleep(CLOSE_GRACE_MS * 10).then(() => null)]);
      expect(outcome, 'the connection was still open 10 grace periods after closeAll').not.toBeNull();
      // Not closed by the peer (it cannot answer): by the grace timer.
      expect(outcome! - started).toBeGreaterThanOrEqual(CLOSE_GRACE_MS * 0.9);
    } finally {
      for (const p of stopped) process.kill(p, 'SIGCONT');
      pool.closeAll();
    }
  }, 30_000);
});
