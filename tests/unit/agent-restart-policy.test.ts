import { describe, expect, it } from 'vitest';
import { BackoffPolicySchema, FlappingPolicySchema, ServiceDefinitionSchema } from '../../agents/protocol/agent-config';
import { backoffDelay, decideAfterExit, effectiveBackoff, type CrashHistory } from '../../agents/agent/supervisor/restart-policy';

const backoff = BackoffPolicySchema.parse({ initialMs: 1000, factor: 2, maxMs: 10_000, stableAfterMs: 30_000 });
const flapping = FlappingPolicySchema.parse({ crashes: 5, windowMs: 60_000 });
const fresh: CrashHistory = { consecutiveFailures: 0, recentCrashes: [] };

/** Feed a sequence of exits through the policy, as the supervisor does, and collect the decisions. */
function run(exits: Array<{ crashed: boolean; runtimeMs: number; at: number }>, restart: 'on-failure' | 'always' | 'never' = 'on-failure') {
  let history = fresh;
  return exits.map((exit) => {
    const d = decideAfterExit({ exit, history, restart, backoff, flapping });
    history = d.history;
    return d;
  });
}

describe('restart policy', () => {
  it('doubles the delay per consecutive crash up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(backoff, n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('grows the delay over quick crashes and marks flapping at the threshold', () => {
    // Crashes 10 s apart: all inside the 60 s window.
    const decisions = run([0, 1, 2, 3, 4].map((i) => ({ crashed: true, runtimeMs: 100, at: i * 10_000 })));
    expect(decisions.map((d) => d.delayMs)).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(decisions.map((d) => d.flapping)).toEqual([false, false, false, false, true]);
    expect(decisions.every((d) => d.restart)).toBe(true);
  });

  it('does not call crashes spread beyond the window flapping, but keeps backing off', () => {
    const decisions = run([0, 1, 2, 3, 4, 5].map((i) => ({ crashed: true, runtimeMs: 100, at: i * 20_000 })));
    expect(decisions.some((d) => d.flapping)).toBe(false);
    expect(decisions.at(-1)!.delayMs).toBe(10_000);
  });

  it('restarts the count after a stable run', () => {
    const decisions = run([
      { crashed: true, runtimeMs: 100, at: 0 },
      { crashed: true, runtimeMs: 100, at: 2000 },
      { crashed: true, runtimeMs: 45_000, at: 50_000 }, // ran 45 s: stable, so this is crash #1 again
    ]);
    expect(decisions.map((d) => d.delayMs)).toEqual([1000, 2000, 1000]);
    expect(decisions[2]!.history).toEqual({ consecutiveFailures: 1, recentCrashes: [50_000] });
  });

  it('follows the restart setting for clean exits and crashes', () => {
    const clean = { crashed: false, runtimeMs: 60_000, at: 0 };
    expect(run([clean], 'on-failure')[0]).toMatchObject({ restart: false });
    expect(run([clean], 'always')[0]).toMatchObject({ restart: true, delayMs: 1000, flapping: false });
    expect(run([{ crashed: true, runtimeMs: 5, at: 0 }], 'never')[0]).toMatchObject({ restart: false, delayMs: 0 });
  });

  it('backs off a service that exits cleanly at once with restart "always" (no hot loop)', () => {
    const decisions = run([0, 1, 2].map((i) => ({ crashed: false, runtimeMs: 10, at: i * 100 })), 'always');
    expect(decisions.map((d) => d.delayMs)).toEqual([1000, 2000, 4000]);
    expect(decisions.some((d) => d.flapping)).toBe(false); // clean exits are not crashes
  });

  it('applies per-service overrides on top of the supervisor policy', () => {
    const def = ServiceDefinitionSchema.parse({ name: 'kodo', command: '/bin/true', backoff: { initialMs: 50, maxMs: 20 } });
    expect(effectiveBackoff(backoff, def)).toEqual({ initialMs: 50, factor: 2, maxMs: 50, stableAfterMs: 30_000 });
  });
});
