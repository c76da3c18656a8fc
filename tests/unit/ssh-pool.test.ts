/**
 * The pool's reconnect policy against a real closed loopback port (connection refused at once):
 * a failed dial starts a backoff during which acquire fails fast with the same reason, the delay
 * doubles with each failure up to the cap, and `drop` forgets it. Connecting for real is covered
 * by tests/integration/fleet-watch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SshUnavailableError, createSshPool } from '../../main/reach/ssh-pool';
import { sshEdge } from '../../main/reach/ssh-edge';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { freeTcpPort } from '../helpers/free-port';

async function failure(p: Promise<unknown>): Promise<SshUnavailableError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SshUnavailableError) return err;
    throw err;
  }
  throw new Error('expected the acquire to fail');
}

describe('SSH pool backoff', () => {
  it('backs off after refused connections, fails fast meanwhile, doubles up to the cap, and forgets on drop', async () => {
    const port = await freeTcpPort();
    const clock = manualClock();
    let dials = 0;
    const pool = createSshPool({
      resolve: () => {
        dials += 1;
        return { target: { address: '127.0.0.1', port, user: 'root' }, credential: null, trustedKeys: [{ keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }] };
      },
      connect: sshEdge.connect,
      clock,
      log: silentLogger,
      initialBackoffMs: 1000,
      maxBackoffMs: 4000,
      random: () => 1, // the top of the jitter range: delays are exactly the nominal ones
    });
    const first = await failure(pool.acquire('a'));
    expect(first.failure.code).toBe('connection-refused');
    expect(first.retryAt).toBe(clock.now().getTime() + 1000);
    const fast = await failure(pool.acquire('a'));
    expect(fast.failure).toEqual(first.failure);
    expect(dials).toBe(1); // no dial during the backoff

    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(5000);
      const e = await failure(pool.acquire('a'));
      delays.push(e.retryAt! - clock.now().getTime());
    }
    expect(delays).toEqual([2000, 4000, 4000, 4000]);
    expect(dials).toBe(5);

    pool.drop('a');
    const again = await failure(pool.acquire('a'));
    expect(again.retryAt! - clock.now().getTime()).toBe(1000);
    expect(dials).toBe(6);
    pool.closeAll();
  });

  it('reports an appliance with nothing to dial without dialing or backing off', async () => {
    const clock = manualClock();
    const pool = createSshPool({ resolve: () => ({ unavailable: { code: 'host-key-changed', message: 'accept the new host key first' } }), connect: sshEdge.connect, clock, log: silentLogger });
    const e = await failure(pool.acquire('a'));
    expect(e).toMatchObject({ message: 'accept the new host key first', retryAt: null });
    expect(pool.size()).toBe(0);
  });
});
