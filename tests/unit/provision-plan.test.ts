import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { runPlan, type Plan, type ProvisionEvent, type Step, type StepContext } from '../../main/provision/plan';
import { CancelledError, remoteCommand, type Remote } from '../../main/provision/remote';
import { openDatabase } from '../../main/store/database';
import { createProvisionRunStore, tailBytes } from '../../main/store/provision-run-store';
import { makeTempDir } from '../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setup() {
  const tmp = makeTempDir('provision-plan');
  const clock = manualClock('2026-03-01T12:00:00.000Z');
  const db = openDatabase({ dataDir: path.join(tmp.dir, 'data'), clock, log: silentLogger });
  cleanups.push(() => {
    db.close();
    tmp.cleanup();
  });
  // The plan runner never touches the machine itself: steps do. These steps touch only `state`.
  const remote: Remote = { user: 'root', run: () => Promise.reject(new Error('unused')), check: () => Promise.reject(new Error('unused')) };
  const ctx = { remote, clock, resources: { agentsDir: '', runtimesDir: '', installDir: '' }, input: { role: 'server' as const, token: 'x'.repeat(32) }, facts: null, agentHealth: () => Promise.resolve('ok' as const) };
  return { store: createProvisionRunStore(db), ctx };
}

/** A step over a boolean: needed until applied. */
function flagStep(id: string, state: { [k: string]: boolean }, extra: Partial<Step> = {}): Step {
  return {
    id,
    title: `step ${id}`,
    check: () => Promise.resolve(state[id] ? { state: 'ok' } : { state: 'needed', reason: `${id} missing` }),
    apply: (_ctx: StepContext, progress) => {
      progress.bytes(10, 10);
      state[id] = true;
      return Promise.resolve();
    },
    verify: () => (state[id] ? Promise.resolve() : Promise.reject(new Error('not applied'))),
    ...extra,
  };
}

describe('runPlan', () => {
  it('applies what is needed, then reports every step unchanged on a re-run, and stores both runs', async () => {
    const { store, ctx } = setup();
    const state = { a: true, b: false, c: false };
    const plan: Plan = { name: 'install', steps: [flagStep('a', state), flagStep('b', state), flagStep('c', state)] };
    const events: ProvisionEvent[] = [];
    const first = await runPlan(plan, ctx, { target: 'root@h:22', store, onEvent: (e) => events.push(e) });
    expect(first.steps.map((s) => s.status)).toEqual(['unchanged', 'done', 'done']);
    expect(events.map((e) => `${e.type}${'stepId' in e ? `:${e.stepId}` : ''}`)).toEqual([
      'run-started',
      'step-started:a',
      'step-finished:a',
      'step-started:b',
      'step-progress:b',
      'step-finished:b',
      'step-started:c',
      'step-progress:c',
      'step-finished:c',
      'run-finished',
    ]);
    const second = await runPlan(plan, ctx, { target: 'root@h:22', store });
    expect(second.steps.map((s) => s.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const stored = store.run(first.runId)!;
    expect(stored).toMatchObject({ status: 'succeeded', plan: 'install', target: 'root@h:22', startedAt: '2026-03-01T12:00:00.000Z' });
    expect(stored.steps.map((s) => [s.stepId, s.status])).toEqual([['a', 'unchanged'], ['b', 'done'], ['c', 'done']]);
    expect(stored.steps[1]!.outputTail).toContain('needed: b missing');
    expect(store.recent('root@h:22').map((r) => r.id)).toEqual([second.runId, first.runId]);
  });

  it('stops at a failed step with its message, and a failed verify counts as failed', async () => {
    const { store, ctx } = setup();
    const state = { a: false, b: false };
    const plan: Plan = { name: 'install', steps: [flagStep('a', state, { apply: () => Promise.resolve() }), flagStep('b', state)] };
    const r = await runPlan(plan, ctx, { target: 't', store });
    expect(r).toMatchObject({ status: 'failed', error: 'not applied' });
    expect(r.steps.map((s) => s.status)).toEqual(['failed']);
    expect(store.run(r.runId)!.steps).toHaveLength(1);
  });

  it('honours an abort between steps and inside one', async () => {
    const { store, ctx } = setup();
    const abort = new AbortController();
    const state = { a: false, b: false };
    const plan: Plan = {
      name: 'install',
      steps: [
        flagStep('a', state, {
          apply: (c) => {
            abort.abort();
            // A step's remote call sees the signal and throws, as Remote.run does.
            return c.signal.aborted ? Promise.reject(new CancelledError()) : Promise.resolve();
          },
        }),
        flagStep('b', state),
      ],
    };
    const r = await runPlan(plan, ctx, { target: 't', store, signal: abort.signal });
    expect(r.status).toBe('cancelled');
    expect(r.steps.map((s) => s.status)).toEqual(['cancelled']);
    expect(store.run(r.runId)!.status).toBe('cancelled');

    const already = new AbortController();
    already.abort();
    const none = await runPlan(plan, ctx, { target: 't', store, signal: already.signal });
    expect(none).toMatchObject({ status: 'cancelled', steps: [] });
  });

  it('keeps at most 4 KiB of output per step, cut on a character boundary', async () => {
    const { store, ctx } = setup();
    const chatty: Step = { ...flagStep('a', { a: false }), apply: (c) => (c.note('é'.repeat(5000)), Promise.resolve()), verify: () => Promise.resolve() };
    const r = await runPlan({ name: 'p', steps: [chatty] }, ctx, { target: 't', store });
    const tail = store.run(r.runId)!.steps[0]!.outputTail;
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4096);
    expect(tail).not.toContain('\ufffd');
    expect(tailBytes('abc', 2)).toBe('bc');
  });
});

describe('remote command line', () => {
  it('runs privileged commands through sudo -S with a prompt of its own, and nothing secret in argv', () => {
    const cmd = remoteCommand('cat > /etc/x', '[ready 1]', { prompt: '[provision sudo 1]' });
    expect(cmd).toMatch(/^LC_ALL=C sudo -S -p '\[provision sudo 1\]' -- sh -c /);
    expect(cmd).toContain("cat > /etc/x");
    expect(remoteCommand('id', '[r]', null)).toBe(`LC_ALL=C sh -c 'printf '\\''%s\\n'\\'' '\\''[r]'\\'' >&2; id'`);
  });
});
