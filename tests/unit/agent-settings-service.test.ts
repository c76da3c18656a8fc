import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../agents/client/agent-client';
import { createAgentSettings, type AgentSettingsControl } from '../../agents/agent/settings/agent-settings';
import type { Logger as AgentLogger } from '../../agents/agent/logging/logger';
import { AgentError } from '../../agents/protocol/errors';
import type { AgentSettings } from '../../agents/protocol/payloads/agent-settings';
import { createAgentSettingsService } from '../../main/agent-settings/agent-settings-service';
import { ApiError } from '../../main/contract/errors';
import type { ProvisionRunResult } from '../../main/contract/provision.contract';
import { silentLogger } from '../../main/core/log';
import { createProvisionService } from '../../main/provision/provision-service';
import { AgentUnreachableError } from '../../main/reach/reach';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { createAgentSettingsStore } from '../../main/store/agent-settings-store';
import { createAgentTokenStore } from '../../main/store/agent-token-store';
import { createApplianceStore } from '../../main/store/appliance-store';
import { CTX, makeConsole } from '../helpers/console-fixture';

/*
 * The console's agent settings over a real store (the real migrations) and, at the remote edge,
 * the agent's own settings logic (agents/agent/settings) on a temp settings.json: only the SSH
 * link is replaced, so the agent's merging, validation and file writes are the real ones.
 */

const quiet: AgentLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const DEFAULTS: AgentSettings = { prometheus: { enabled: false, host: '127.0.0.1', port: 9101, requireToken: false } };

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** One appliance, its agent's settings on disk, and the console's service in front of them. */
async function setup() {
  const c = makeConsole('agent-settings');
  cleanups.push(() => c.cleanup());
  const added = await c.dispatcher.call('fleet.add', { name: 'edge-1', address: '10.0.0.5' }, CTX);
  if (!added.ok) throw new Error('fleet.add failed');
  const applianceId = (added.result as { id: string }).id;
  const machine = {
    file: path.join(c.dataDir, 'machine-settings.json'),
    agentJson: DEFAULTS,
    reachable: true,
    tooOld: false,
    /** What the way to the agent throws instead of answering (the SSH layer's own errors). */
    failWith: null as Error | null,
    /** A port the machine has taken: applying it fails, as binding it would. */
    takenPort: 0,
    calls: 0,
    control: null as unknown as AgentSettingsControl,
    /** The agent starts (or restarts): reads settings.json again, as at boot. */
    async start() {
      this.control = createAgentSettings({
        file: this.file,
        agentJson: this.agentJson,
        log: quiet,
        apply: async (s) => (s.prometheus.enabled && s.prometheus.port === this.takenPort ? { running: this.control.running(), error: `port ${this.takenPort} is in use` } : { running: s, error: null }),
      });
      await this.control.load();
    },
  };
  await machine.start();
  const agent = {
    call: async (method: string, params: { set?: { prometheus?: Partial<AgentSettings['prometheus']> } }) => {
      machine.calls++;
      if (machine.tooOld) throw new AgentError('not-supported', `${method} is not supported by this agent`, { params: { method } });
      return params.set ? machine.control.set(params.set) : machine.control.get();
    },
  } as unknown as AgentClient;
  const store = createAgentSettingsStore(c.db);
  const service = createAgentSettingsService({
    reach: {
      withAgent: async (_id, fn) => {
        if (!machine.reachable) throw new AgentUnreachableError('edge-1 cannot be reached: no answer within 10 s', 'ssh.timeout');
        if (machine.failWith) throw machine.failWith;
        return fn(agent);
      },
    },
    store,
    requireAppliance: (id) => c.fleet.get(id),
    clock: c.clock,
    log: silentLogger,
  });
  return { c, applianceId, machine, store, service };
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe('agent settings, console side', () => {
  it('sets /metrics on: the agent writes settings.json and runs it, the intent is recorded, nothing drifts', async () => {
    const { applianceId, machine, store, service, c } = await setup();
    const view = await service.update({ applianceId, prometheus: { enabled: true, port: 9200 } });
    expect(view).toMatchObject({ changed: true, drift: [], reasonCode: null, intent: { settings: { prometheus: { enabled: true, host: '127.0.0.1', port: 9200, requireToken: false } } } });
    expect(view.machine).toMatchObject({ file: { prometheus: { enabled: true, port: 9200 } }, running: { prometheus: { enabled: true, port: 9200 } }, restartPending: false, applyError: null });
    expect(JSON.parse(fs.readFileSync(machine.file, 'utf8'))).toEqual(view.intent?.settings);
    expect(store.get(applianceId)).toEqual({ settings: view.intent?.settings, updatedAt: c.clock.now().toISOString(), appliedAt: c.clock.now().toISOString() });
    // The same again: the agent writes nothing.
    expect(await service.update({ applianceId, prometheus: { enabled: true } })).toMatchObject({ changed: false, drift: [] });
  });

  it('merges a partial change over the intent; before there is one, over what the machine’s files say', async () => {
    const { applianceId, machine, service } = await setup();
    machine.agentJson = { prometheus: { ...DEFAULTS.prometheus, port: 9300 } };
    await machine.start();
    expect((await service.update({ applianceId, prometheus: { enabled: true } })).intent?.settings.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port: 9300, requireToken: false });
    expect((await service.update({ applianceId, prometheus: { requireToken: true } })).intent?.settings.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port: 9300, requireToken: true });
  });

  it('refuses /metrics off loopback without the token on the field, before anything reaches the machine', async () => {
    const { applianceId, machine, store, service } = await setup();
    const before = machine.calls;
    // The first call reads the machine's files (there is no intent yet); none writes.
    const err = await refusal(service.update({ applianceId, prometheus: { enabled: true, host: '0.0.0.0' } }));
    expect(err.code).toBe('invalid-input');
    expect(err.issues).toEqual([expect.objectContaining({ path: 'prometheus.requireToken', code: 'metrics-token-required', params: { host: '0.0.0.0' } })]);
    expect(machine.calls - before).toBe(1);
    expect(fs.existsSync(machine.file)).toBe(false);
    expect(store.get(applianceId)).toBeNull();
  });

  it('an unreachable appliance: the change is refused with a status reason, nothing is recorded; reading shows the intent and why', async () => {
    const { applianceId, machine, store, service } = await setup();
    await service.update({ applianceId, prometheus: { enabled: true } });
    machine.reachable = false;
    const err = await refusal(service.update({ applianceId, prometheus: { port: 9400 } }));
    expect(err).toMatchObject({ code: 'conflict', params: { reason: 'ssh.timeout' } });
    expect(store.get(applianceId)?.settings.prometheus.port).toBe(9101);
    const view = await service.get(applianceId);
    expect(view).toMatchObject({ machine: null, drift: [], reasonCode: 'ssh.timeout', intent: { settings: { prometheus: { enabled: true, port: 9101 } } } });
  });

  it('an agent older than agent-settings.v1: refused as agent.too-old', async () => {
    const { applianceId, machine, service, store } = await setup();
    machine.tooOld = true;
    expect(await refusal(service.update({ applianceId, prometheus: { enabled: true } }))).toMatchObject({ code: 'conflict', params: { reason: 'agent.too-old' } });
    expect((await service.get(applianceId)).reasonCode).toBe('agent.too-old');
    expect(store.get(applianceId)).toBeNull();
  });

  it("the SSH layer failing on the way (the agent's socket gone while it restarts) is a silent agent; a bug of ours is not hidden", async () => {
    const { applianceId, machine, service } = await setup();
    machine.failWith = new Error('(SSH) Channel open failure: open failed');
    expect(await service.get(applianceId)).toMatchObject({ machine: null, reasonCode: 'agent.silent', reasonParams: { cause: 'unknown', detail: '(SSH) Channel open failure: open failed' } });
    expect(await refusal(service.update({ applianceId, prometheus: { enabled: true } }))).toMatchObject({ code: 'conflict', params: { reason: 'agent.silent' } });
    machine.failWith = new TypeError('x is not a function');
    await expect(service.get(applianceId)).rejects.toThrow(TypeError);
  });

  it('a hand edit of settings.json shows as drift (the file wins until applied); re-applying restores the intent', async () => {
    const { applianceId, machine, store, service, c } = await setup();
    await service.update({ applianceId, prometheus: { enabled: true } });
    fs.writeFileSync(machine.file, JSON.stringify({ prometheus: { ...DEFAULTS.prometheus, enabled: false } }));
    await machine.start();
    const drifted = await service.get(applianceId);
    expect(drifted.drift).toEqual([{ field: 'prometheus.enabled', agentJson: false, file: false, running: false, intent: true, wins: 'settings-file', restartPending: false, intentPending: true, agentJsonOverridden: false }]);

    c.clock.advance(60_000);
    expect(await service.reapply(applianceId)).toMatchObject({ status: 'done' });
    expect((await service.get(applianceId)).drift).toEqual([]);
    expect(store.get(applianceId)?.appliedAt).toBe(c.clock.now().toISOString());
    expect(await service.reapply(applianceId)).toMatchObject({ status: 'unchanged' });
  });

  it('re-apply: nothing to do without an intent; a failure says so instead of passing for done', async () => {
    const { applianceId, machine, service, store } = await setup();
    expect(service.reapply(applianceId)).toBeNull();
    await service.update({ applianceId, prometheus: { enabled: true, port: 9200 } });
    const applied = store.get(applianceId)?.appliedAt;

    machine.reachable = false;
    const unreachable = await service.reapply(applianceId);
    expect(unreachable).toMatchObject({ status: 'failed' });
    expect(unreachable?.detail).toMatch(/cannot be reached.*apply them from the Appliance page/);

    // The agent takes the file but cannot use it: the run must not call that applied.
    machine.reachable = true;
    fs.rmSync(machine.file);
    await machine.start();
    machine.takenPort = 9200;
    const taken = await service.reapply(applianceId);
    expect(taken).toMatchObject({ status: 'failed' });
    expect(taken?.detail).toMatch(/port 9200 is in use/);
    expect(store.get(applianceId)?.appliedAt).toBe(applied);
    expect((await service.get(applianceId)).drift).toEqual([expect.objectContaining({ field: 'prometheus.enabled', restartPending: true }), expect.objectContaining({ field: 'prometheus.port', restartPending: true })]);
  });
});

describe('provisioning re-applies the console’s agent settings', () => {
  async function provisioning(afterInstall: NonNullable<Parameters<typeof createProvisionService>[0]['afterInstall']>[number]['run'], status: ProvisionRunResult['status'] = 'succeeded') {
    const { c, applianceId } = await setup();
    const events: Array<{ type: string; stepId?: string; status?: string }> = [];
    c.events.subscribe((name, payload) => name === 'provision.progress' && events.push((payload as { event: { type: string } }).event));
    const run: ProvisionRunResult = { runId: 'r1', status, steps: [{ id: 'service', status: 'done', durationMs: 5, outputTail: '' }], error: null, errorCode: null, errorParams: {}, durationMs: 10 };
    const service = createProvisionService({
      appliances: createApplianceStore(c.db),
      reach: {
        access: () => ({ ok: true, access: { applianceId, name: 'edge-1', target: { address: '10.0.0.5', port: 22, user: 'root' }, credential: null, sudoPassword: null, trustedKeys: [{ keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }], hostKeyChange: null } }),
        forget: () => {},
      },
      agentTokens: createAgentTokenStore(c.db, createKeyFileSecretBox(c.dataDir)),
      provisioner: { provision: async () => run },
      preflightProbe: {} as never,
      events: c.events,
      clock: c.clock,
      afterInstall: [{ id: 'agent-settings', title: 'Agent settings', errorCode: 'agent-settings-not-applied', run: afterInstall }],
    });
    return { result: await service.upgrade(applianceId), events };
  }

  it('a failure to apply is a failed step of the run, announced and kept in the result', async () => {
    const { result, events } = await provisioning(() => Promise.resolve({ status: 'failed', detail: 'edge-1 cannot be reached', durationMs: 3 }));
    expect(result.status).toBe('succeeded');
    expect(result.steps.at(-1)).toEqual({ id: 'agent-settings', status: 'failed', durationMs: 3, outputTail: 'edge-1 cannot be reached' });
    expect(events).toEqual([expect.objectContaining({ type: 'step-started', stepId: 'agent-settings' }), expect.objectContaining({ type: 'step-finished', stepId: 'agent-settings', status: 'failed', error: 'edge-1 cannot be reached' })]);
  });

  it('no intent: no step; a failed run: not attempted', async () => {
    let asked = 0;
    const none = await provisioning(() => (asked++, null));
    expect(none.result.steps.map((s) => s.id)).toEqual(['service']);
    expect(none.events).toEqual([]);
    expect(asked).toBe(1);
    const failed = await provisioning(() => (asked++, Promise.resolve({ status: 'done', detail: '', durationMs: 1 })), 'failed');
    expect(failed.result.steps.map((s) => s.id)).toEqual(['service']);
    expect(asked).toBe(1);
  });
});
