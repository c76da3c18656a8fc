/**
 * When the plan runner rolls back (main/provision/plan.ts): only after a step failed *and* an
 * earlier step of the same run changed something; never after a cancel; the rollback is a recorded
 * step, and the run's error is what the rollback says (or both failures when it fails too). The
 * rollback itself, against real machines, is tests/integration/provision-upgrade.test.ts.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { runPlan, type Plan, type ProvisionEvent, type RollbackStep, type Step } from '../../main/provision/plan';
import type { Remote } from '../../main/provision/remote';
import { openDatabase } from '../../main/store/database';
import { createProvisionRunStore } from '../../main/store/provision-run-store';
import { makeTempDir } from '../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setup() {
  const tmp = makeTempDir('provision-rollback');
  const clock = manualClock('2026-03-01T12:00:00.000Z');
  const db = openDatabase({ dataDir: path.join(tmp.dir, 'data'), clock, log: silentLogger });
  cleanups.push(() => {
    db.close();
    tmp.cleanup();
  });
  // The runner never touches the machine itself: these steps touch only `machine`.
  const remote: Remote = { user: 'root', run: () => Promise.reject(new Error('unused')), check: () => Promise.reject(new Error('unused')) };
  const ctx = { remote, clock, resources: { agentsDir: '', runtimesDir: '', installDir: '' }, input: { role: 'server' as const, token: 'x'.repeat(32) }, facts: null, agentHealth: () => Promise.resolve('ok' as const) };
  return { store: createProvisionRunStore(db), ctx };
}

/** A machine with a version link and a saved point, as steps/rollback.ts keeps them. */
interface Machine {
  current: string;
  point: string | null;
  healthy: (version: string) => boolean;
}

const switchStep = (m: Machine, to: string): Step => ({
  id: 'agent',
  title: 'switch',
  check: () => Promise.resolve(m.current === to ? { state: 'ok' } : { state: 'needed', reason: `not ${to}` }),
  apply: () => {
    m.point ??= m.current;
    m.current = to;
    return Promise.resolve();
  },
  verify: () => Promise.resolve(),
});
const healthStep = (m: Machine): Step => ({
  id: 'service',
  title: 'health',
  check: () => Promise.resolve({ state: 'needed', reason: 'restart' }),
  apply: () => (m.healthy(m.current) ? ((m.point = null), Promise.resolve()) : Promise.reject(new Error(`${m.current} does not answer`))),
  verify: () => Promise.resolve(),
});
const failingCheck = (message: string): Step => ({ id: 'preflight', title: 'look', check: () => Promise.reject(new Error(message)), apply: () => Promise.resolve(), verify: () => Promise.resolve() });
const rollback = (m: Machine): RollbackStep => ({
  id: 'rollback',
  title: 'roll back',
  check: () => Promise.resolve(m.point && m.point !== m.current ? { state: 'needed', reason: `back to ${m.point}` } : { state: 'ok' }),
  apply: (_ctx, failure) => {
    const to = m.point!;
    const from = m.current;
    m.current = to;
    if (!m.healthy(to)) return Promise.reject(new Error(`${failure.error}; ${to} does not answer either`));
    m.point = null;
    return Promise.resolve(`version ${from} did not become healthy: ${failure.error}; rolled back to ${to}, which is healthy`);
  },
});

describe('runPlan rollback', () => {
  it('rolls back after a failed step that followed a change, records it as a step and names it in the error', async () => {
    const { store, ctx } = setup();
    const m: Machine = { current: 'B', point: null, healthy: (v) => v !== 'C' };
    const plan: Plan = { name: 'install', steps: [switchStep(m, 'C'), healthStep(m)], rollback: rollback(m) };
    const events: ProvisionEvent[] = [];
    const r = await runPlan(plan, ctx, { target: 't', store, onEvent: (e) => events.push(e) });
    expect(r.status).toBe('failed');
    expect(r.steps.map((s) => [s.id, s.status])).toEqual([
      ['agent', 'done'],
      ['service', 'failed'],
      ['rollback', 'done'],
    ]);
    expect(r.error).toBe('version C did not become healthy: C does not answer; rolled back to B, which is healthy');
    expect(m).toMatchObject({ current: 'B', point: null });
    expect(events.filter((e) => e.type === 'step-started').map((e) => (e as { stepId: string }).stepId)).toEqual(['agent', 'service', 'rollback']);
    expect(store.run(r.runId)).toMatchObject({ status: 'failed', error: r.error });
    expect(store.run(r.runId)!.steps.at(-1)).toMatchObject({ stepId: 'rollback', status: 'done', outputTail: expect.stringContaining('needed: back to B') as string });
  });

  it('reports both failures when the old version does not come back either', async () => {
    const { store, ctx } = setup();
    const m: Machine = { current: 'B', point: null, healthy: () => false };
    const r = await runPlan({ name: 'install', steps: [switchStep(m, 'C'), healthStep(m)], rollback: rollback(m) }, ctx, { target: 't', store });
    expect(r.status).toBe('failed');
    expect(r.steps.at(-1)).toMatchObject({ id: 'rollback', status: 'failed' });
    expect(r.error).toBe('C does not answer; B does not answer either');
  });

  it('does not roll back when nothing in the run changed the machine (a failed check), even with a point left over', async () => {
    const { ctx } = setup();
    const m: Machine = { current: 'C', point: 'B', healthy: () => true };
    const r = await runPlan({ name: 'install', steps: [failingCheck('clock is off'), switchStep(m, 'C')], rollback: rollback(m) }, ctx, { target: 't' });
    expect(r.steps.map((s) => s.id)).toEqual(['preflight']);
    expect(r.error).toBe('clock is off');
    expect(m.current).toBe('C');
  });

  it('does not roll back a cancelled run (the next run finishes or rolls back from the saved point)', async () => {
    const { ctx } = setup();
    const m: Machine = { current: 'B', point: null, healthy: () => true };
    const abort = new AbortController();
    const r = await runPlan({ name: 'install', steps: [switchStep(m, 'C'), healthStep(m)], rollback: rollback(m) }, ctx, {
      target: 't',
      signal: abort.signal,
      onEvent: (e) => e.type === 'step-finished' && e.stepId === 'agent' && abort.abort(),
    });
    expect(r.status).toBe('cancelled');
    expect(r.steps.map((s) => s.id)).toEqual(['agent']);
    expect(m).toMatchObject({ current: 'C', point: 'B' });
  });

  it('leaves no rollback step when the rollback finds nothing to undo', async () => {
    const { ctx } = setup();
    // A first install: no saved point, the failure is reported as it is.
    const m: Machine = { current: '', point: null, healthy: () => false };
    const plan: Plan = { name: 'install', steps: [switchStep(m, 'C'), healthStep(m)], rollback: { ...rollback(m), check: () => Promise.resolve({ state: 'ok' }) } };
    const r = await runPlan(plan, ctx, { target: 't' });
    expect(r.steps.map((s) => s.id)).toEqual(['agent', 'service']);
    expect(r.error).toBe('C does not answer');
  });
});
