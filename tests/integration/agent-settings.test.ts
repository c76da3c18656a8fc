/**
 * The agent's own settings set from the console, end to end on a real testbed machine (prefix
 * <tag>ags), provisioned through the console: Prometheus /metrics turned on through the API answers
 * on the machine; a hand edit of agent.json is shown as overridden by settings.json, and a hand edit
 * of settings.json as drift from the console's intent, each with the value that wins; provisioning
 * again writes the intent back; the CLI shows and sets the same; an unreachable machine refuses a
 * change and nothing is recorded as applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { CliIo } from '../../main/cli/cli-io';
import { runCli } from '../../main/cli/run-cli';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { AgentSettingsView } from '../../main/contract/agent-settings.contract';
import type { ProvisionRunResult } from '../../main/contract/provision.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { CONFIG_FILE, NODE_LINK } from '../../main/provision/layout';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX } from '../helpers/console-fixture';
import { runOnMachine } from '../helpers/machine-shell';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';
import { until } from '../helpers/wait-until';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] agent settings test skipped: ${skip} (needs root and network namespaces)`);

const PORT = 19_101;
const CLI_PORT = 19_102;

describe.skipIf(skip !== undefined)('agent settings through the console, on a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('ags') });
  const work = makeTempDir('agent-settings');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }
  const get = () => call<AgentSettingsView>('agentSettings.get', { applianceId: id });

  // What a person does on the machine by hand (and how the test looks there), over a root SSH login
  // of its own: not through the console under test.
  const onMachine = (command: string) => runOnMachine(m, command);
  /** GET /metrics on the machine's loopback, with the machine's own Node: `<status> <first bytes>`, or `refused`. */
  const scrape = (port: number) =>
    onMachine(
      `${NODE_LINK}/bin/node -e "require('http').get('http://127.0.0.1:${port}/metrics', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(r.statusCode + ' ' + b.slice(0, 2000))); }).on('error', (e) => console.log('refused ' + e.code))"`,
    );
  const writeOnMachine = (file: string, text: string) => onMachine(`umask 077 && cat > ${file}.new <<'EOF'\n${text}\nEOF\nmv ${file}.new ${file}`);
  /** The agent restarts (killed; its watchdog starts it again) and answers again. */
  async function restartAgent(): Promise<AgentSettingsView> {
    await tb.fault(m.name, 'agent-kill');
    c.reach.forget(id);
    return until('the agent back', get, (v) => v.machine !== null, 60_000);
  }

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 60_000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'ags-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<ProvisionRunResult>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    // No intent yet: the run announces no settings step.
    expect(run.steps.map((s) => s.id)).not.toContain('agent-settings');
  }, 240_000);
  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('before anything is set: no intent, no settings.json, agent.json’s defaults run, /metrics is closed', async () => {
    const v = await get();
    expect(v.intent).toBeNull();
    expect(v.machine).toMatchObject({ file: null, running: { prometheus: { enabled: false } }, restartPending: false, applyError: null, path: path.join(path.dirname(CONFIG_FILE), 'settings.json') });
    expect(v.drift).toEqual([]);
    expect(await scrape(PORT)).toMatch(/^refused/);
  }, 30_000);

  it('turns /metrics on through the API: the agent answers it on the machine at once, nothing drifts, the change is audited', async () => {
    const v = await call<AgentSettingsView>('agentSettings.update', { applianceId: id, prometheus: { enabled: true, port: PORT } });
    expect(v).toMatchObject({ changed: true, drift: [], intent: { settings: { prometheus: { enabled: true, host: '127.0.0.1', port: PORT, requireToken: false } } } });
    expect(v.machine?.running.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port: PORT, requireToken: false });
    expect(await scrape(PORT)).toMatch(/^200 [\s\S]*# TYPE appliance_/);
    expect(JSON.parse(await onMachine(`cat ${v.machine!.path}`))).toEqual(v.intent?.settings);
    const audit = await call<{ entries: { method: string; result: string }[] }>('audit.list', { limit: 20 });
    expect(audit.entries.find((e) => e.method === 'agentSettings.update')?.result).toBe('ok');
  }, 30_000);

  it('the CLI prints the same view and sets the port; /metrics moves', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (s) => void out.push(s), err: (s) => void err.push(s), readStdin: () => Promise.resolve(''), env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: dataDir } };
    const cli = (argv: string[]) => runCli(argv, { io, defaultUiDir: '', appRoot: path.resolve(__dirname, '../..'), untilStopped: () => Promise.resolve(), confirm: null });

    expect(await cli(['agent-settings', 'ags-1']), err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^port\\s+${PORT}\\s+${PORT}\\s+9101\\s+${PORT}$`, 'm'));
    expect(out.join('\n')).toMatch(/No drift/);

    out.length = 0;
    expect(await cli(['agent-settings', 'ags-1', '--prometheus-port', String(CLI_PORT), '--json']), err.join('\n')).toBe(0);
    const view = JSON.parse(out.join('\n')) as AgentSettingsView;
    expect(view).toMatchObject({ changed: true, drift: [], intent: { settings: { prometheus: { enabled: true, port: CLI_PORT } } } });
    expect(await scrape(CLI_PORT)).toMatch(/^200 /);
    expect(await scrape(PORT)).toMatch(/^refused/);

    // A usage error changes nothing.
    err.length = 0;
    expect(await cli(['agent-settings', 'ags-1', '--prometheus', 'maybe'])).toBe(2);
    expect(err.join('\n')).toMatch(/--prometheus takes on or off/);
  }, 60_000);

  it('hand edits on the machine: agent.json is overridden by settings.json, settings.json drifts from the intent and wins until applied', async () => {
    const config = JSON.parse(await onMachine(`cat ${CONFIG_FILE}`)) as Record<string, unknown>;
    await writeOnMachine(CONFIG_FILE, JSON.stringify({ ...config, monitor: { prometheus: { enabled: true, port: 19_555 } } }, null, 2));
    let v = await restartAgent();
    // settings.json still wins: the agent.json edit shows, and does not take effect.
    expect(v.machine?.running.prometheus.port).toBe(CLI_PORT);
    expect(v.drift).toEqual([{ field: 'prometheus.port', agentJson: 19_555, file: CLI_PORT, running: CLI_PORT, intent: CLI_PORT, wins: 'settings-file', restartPending: false, intentPending: false, agentJsonOverridden: true }]);
    expect(await scrape(CLI_PORT)).toMatch(/^200 /);

    // Now settings.json itself, by hand: /metrics off. The file wins on the machine; the console says its intent is not applied.
    await writeOnMachine(v.machine!.path, JSON.stringify({ prometheus: { enabled: false, host: '127.0.0.1', port: CLI_PORT, requireToken: false } }));
    v = await restartAgent();
    expect(v.machine?.running.prometheus.enabled).toBe(false);
    expect(v.drift).toContainEqual({ field: 'prometheus.enabled', agentJson: true, file: false, running: false, intent: true, wins: 'settings-file', restartPending: false, intentPending: true, agentJsonOverridden: true });
    expect(await scrape(CLI_PORT)).toMatch(/^refused/);
  }, 150_000);

  it('provisioning again writes the console’s intent back, as a step of the run; agent.json is the provisioner’s again', async () => {
    const run = await call<ProvisionRunResult>('provision.install', { id });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps.find((s) => s.id === 'agent-settings')).toMatchObject({ status: 'done' });
    const v = await get();
    // The intent is on the machine and in use: nothing pending, whatever agent.json said before.
    expect(v.machine?.file?.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port: CLI_PORT, requireToken: false });
    expect(v.machine?.running.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port: CLI_PORT, requireToken: false });
    expect(v.drift.filter((d) => d.intentPending || d.restartPending)).toEqual([]);
    expect(await scrape(CLI_PORT)).toMatch(/^200 /);
    // agent.json on the machine is the provisioner's again (the hand edit is gone).
    expect(JSON.parse(await onMachine(`cat ${CONFIG_FILE}`))).not.toHaveProperty('monitor');
  }, 180_000);

  it('an unreachable machine: the change is refused with why, nothing is recorded, reading shows the intent alone', async () => {
    const before = (await get()).intent;
    await tb.fault(m.name, 'net-down');
    try {
      c.reach.forget(id);
      const r = await c.dispatcher.call('agentSettings.update', { applianceId: id, prometheus: { enabled: false } }, CTX);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('conflict');
      expect(String(r.error.params?.reason)).toMatch(/^ssh\./);
      const v = await get();
      expect(v).toMatchObject({ machine: null, drift: [], intent: before });
      expect(v.reasonCode).toMatch(/^ssh\./);

      const err: string[] = [];
      const io: CliIo = { out: () => {}, err: (s) => void err.push(s), readStdin: () => Promise.resolve(''), env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: dataDir } };
      const code = await runCli(['agent-settings', 'ags-1', '--prometheus', 'off'], { io, defaultUiDir: '', appRoot: path.resolve(__dirname, '../..'), untilStopped: () => Promise.resolve(), confirm: null });
      expect(code).toBe(4);
      expect(err.join('\n')).toMatch(/cannot be reached/);
      expect((await get()).intent).toEqual(before);
    } finally {
      await tb.fault(m.name, 'net-up');
    }
    // The machine kept the console's settings.
    const back = await until('the agent reachable again', get, (v) => v.machine !== null, 60_000);
    expect(back.machine?.running.prometheus.enabled).toBe(true);
    expect(back.drift.filter((d) => d.intentPending || d.restartPending)).toEqual([]);
  }, 180_000);
});
