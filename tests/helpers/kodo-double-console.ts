import path from 'node:path';
import type { AgentClient } from '../../agents/client/agent-client';
import { callServiceControl } from '../../agents/agent/services/service-call';
import { ServiceCallParamsSchema } from '../../agents/protocol/payloads/services';
import { KODO_CONTROL_METHODS } from '../../agents/protocol/services/kodo';
import type { ServiceContext } from '../../agents/services/service-module';
import { AgentUnreachableError } from '../../main/reach/reach';
import { CTX, makeConsole } from './console-fixture';
// @ts-expect-error: a plain .mjs test double without type declarations
import { createKodoState, startKodoControlDouble } from '../fixtures/services/kodo-control-double.mjs';

/*
 * A console (real dispatcher, store, kodo service) whose way to the agent (`reach.withAgent`) hands
 * out an agent session running the agent's own service-call forwarding (callServiceControl) over a
 * real Unix socket to a TEST DOUBLE of Kodo's control socket (tests/fixtures/services/kodo-control-double.mjs).
 * Only the SSH link is replaced. `cleanups` is the test file's list, run after each test.
 */

export interface DoubleState {
  layout: { k: number; m: number } | null;
  calls: { method: string; params: Record<string, unknown> }[];
  buckets: Map<string, unknown>;
}

export async function setupKodoConsole(cleanups: Array<() => unknown>, opts: { disks?: number; running?: boolean } = {}) {
  const c = makeConsole('kodo-console');
  cleanups.push(() => c.cleanup());
  const added = await c.dispatcher.call('fleet.add', { name: 'store-1', address: '10.0.0.5' }, CTX);
  if (!added.ok) throw new Error('fleet.add failed');
  const applianceId = (added.result as { id: string }).id;
  const socketPath = path.join(c.dataDir, 'kodo-control.sock');
  const dataDisks = Array.from({ length: opts.disks ?? 4 }, (_, i) => `/data/disk${i}`);
  const state = createKodoState(dataDisks) as DoubleState;
  if (opts.running !== false) {
    const double = await startKodoControlDouble({ socketPath, dataDisks, state });
    cleanups.push(() => double.close());
  }
  const machine = { reachable: true, answer: null as unknown, failWith: null as Error | null, state };
  const ctx = { dataDir: c.dataDir } as ServiceContext;
  const agent = {
    call: async (method: string, params: unknown) => {
      if (method !== 'service-call.v1') throw new Error(`unexpected agent method ${method}`);
      if (machine.failWith) throw machine.failWith;
      if (machine.answer !== null) return machine.answer;
      const p = ServiceCallParamsSchema.parse(params);
      return callServiceControl({ serviceId: p.service, control: { methods: KODO_CONTROL_METHODS, socket: () => socketPath }, config: {}, ctx, method: p.method, params: p.params });
    },
  } as unknown as AgentClient;
  c.reach.withAgent = async (_id, fn) => {
    if (!machine.reachable) throw new AgentUnreachableError('store-1 cannot be reached: no answer within 10 s', 'ssh.timeout', { seconds: 10 });
    return fn(agent);
  };
  const call = async <T>(method: string, input: Record<string, unknown>): Promise<T> => {
    const r = await c.dispatcher.call(method as 'kodo.status', { applianceId, ...input }, CTX);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { body: r.error });
    return r.result as T;
  };
  const refusal = async (method: string, input: Record<string, unknown>) => {
    const r = await c.dispatcher.call(method as 'kodo.status', { applianceId, ...input }, CTX);
    if (r.ok) throw new Error(`${method} was not refused`);
    return r.error;
  };
  const audit = () => c.db.prepare('SELECT method, input, result, error_code FROM audit_log ORDER BY id').all() as { method: string; input: string; result: string; error_code: string | null }[];
  return { c, applianceId, machine, state, call, refusal, audit };
}

