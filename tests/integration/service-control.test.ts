/**
 * The console's side of an agent's services, end to end on a real testbed machine (prefix <tag>sv):
 * provisioned through the console, then given a plain service in agent.json (as a person would add
 * one by hand: a small HTTP server run by the machine's own Node runtime), then listed, restarted,
 * stopped and started through the console's API and the CLI. Each action touches that service
 * only (its pid changes, the agent's does not), and the appliance's status follows before the
 * action answers. A configure the agent refuses comes back as field issues; an unreachable machine
 * as a reason, with nothing changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { MethodOutput } from '../../main/contract/api.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import type { CliIo } from '../../main/cli/cli-io';
import { runCli } from '../../main/cli/run-cli';
import { CTX } from '../helpers/console-fixture';
import { addPlainServices, loopbackWebService } from '../helpers/machine-shell';
import { reasonText } from '../../renderer/src/i18n/reason-text';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';
import { until } from '../helpers/wait-until';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] service control test skipped: ${skip} (needs root and network namespaces)`);

/** A real service: an HTTP server on the machine's loopback, run by the runtime the agent runs on. */
const WEB_SERVICE = loopbackWebService(18_080);

describe.skipIf(skip !== undefined)('services through the console, on a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('sv') });
  const work = makeTempDir('service-control');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }
  const refused = async (method: string, input: unknown) => {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (r.ok) throw new Error(`${method} was expected to be refused, and answered ${JSON.stringify(r.result).slice(0, 300)}`);
    return r.error;
  };
  const list = () => call<MethodOutput<'service.list'>>('service.list', { applianceId: id });
  const web = (services: readonly ServiceStatus[]) => services.find((s) => s.name === 'web');

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 60_000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'sv-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    // The plain service, added to agent.json by hand; the agent reads its services when it starts,
    // so it is killed and its watchdog starts it again.
    await addPlainServices(m, [WEB_SERVICE]);
    await tb.fault(m.name, 'agent-kill');
    await until('the agent back with the web service running', list, (r) => r.live && web(r.services)?.state === 'running', 60_000);
  }, 240_000);
  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('lists the service live, as the agent reports it', async () => {
    const r = await list();
    expect(r.live).toBe(true);
    expect(r.reasonCode).toBeNull();
    const s = web(r.services)!;
    expect(s.state).toBe('running');
    expect(s.pid).toBeGreaterThan(0);
  });

  it('restarts that service only: its pid changes, the agent keeps running, and the status already shows it', async () => {
    const before = web((await list()).services)!;
    await call('status.checkNow', { id });
    const agentBefore = (await call<MethodOutput<'status.list'>>('status.list', {})).statuses.find((s) => s.applianceId === id)!.agent!.pid;
    expect(agentBefore).toBeGreaterThan(0);
    const r = await call<MethodOutput<'service.restart'>>('service.restart', { applianceId: id, service: 'web' });
    expect(r.outcome).toBe('restarted');
    const after = await until('web running again', list, (l) => web(l.services)?.state === 'running' && web(l.services)?.pid !== before.pid);
    expect(web(after.services)!.pid).not.toBe(before.pid);
    const status = (await call<MethodOutput<'status.list'>>('status.list', {})).statuses.find((s) => s.applianceId === id)!;
    expect(status.agent!.pid).toBe(agentBefore);
    // The console checked again before answering: the stored status already has the new process.
    const stored = status.services?.find((s) => s.name === 'web');
    expect(stored?.pid).not.toBe(before.pid);
    expect(stored?.pid).toBe(web(after.services)!.pid);
    const audit = await call<{ entries: { method: string; result: string }[] }>('audit.list', { limit: 20 });
    expect(audit.entries.find((e) => e.method === 'service.restart')?.result).toBe('ok');
  }, 60_000);

  it('stops and starts it, through the CLI as well', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (s) => void out.push(s), err: (s) => void err.push(s), readStdin: () => Promise.resolve(''), env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: dataDir } };
    const cli = (argv: string[]) => runCli(argv, { io, defaultUiDir: '', appRoot: path.resolve(__dirname, '../..'), untilStopped: () => Promise.resolve(), confirm: null });

    expect(await cli(['service', 'stop', 'sv-1', 'web', '--data-dir', dataDir]), err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/web stopped; now stopped/);
    expect(web((await list()).services)!.state).toBe('stopped');

    out.length = 0;
    expect(await cli(['service', 'list', 'sv-1', '--data-dir', dataDir]), err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/^SERVICE\s+STATE/);
    expect(out.join('\n')).toMatch(/\nweb\s+stopped/);

    out.length = 0;
    expect(await cli(['service', 'start', 'sv-1', 'web', '--data-dir', dataDir]), err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/web started; now (starting|running)/);
    await until('web running', list, (l) => web(l.services)?.state === 'running');

    // A usage error names what is missing, and changes nothing.
    err.length = 0;
    expect(await cli(['service', 'restart', 'sv-1', '--data-dir', dataDir])).toBe(2);
    expect(err.join('\n')).toMatch(/name the service to restart/);
  }, 60_000);

  it('refuses what the agent refuses, by the agent’s code, and changes nothing', async () => {
    const before = web((await list()).services)!;
    // No such service on this agent: refused for what is named, worded by its code.
    const unknown = await refused('service.configure', { applianceId: id, service: 'no-such-module', enabled: true, config: { port: 'not a number' } });
    expect(unknown.code).toBe('conflict');
    expect(unknown.params).toMatchObject({ reason: 'service.unknown-service', service: 'no-such-module' });
    // A service made by hand in agent.json can be restarted, not configured from the console.
    const handMade = await refused('service.configure', { applianceId: id, service: 'web', enabled: false });
    expect(handMade.params).toMatchObject({ reason: 'service.not-a-module', service: 'web' });
    // Nothing else moved.
    expect(web((await list()).services)!.pid).toBe(before.pid);
    // And the contract's own checks come before the agent is asked.
    const bad = await refused('service.restart', { applianceId: id, service: 'Web; rm -rf /' });
    expect(bad.code).toBe('invalid-input');
    expect(bad.issues?.[0]?.path).toBe('service');
  }, 30_000);

  it('when the machine cannot be reached: actions say why, the list shows the last view and says it is not live', async () => {
    await tb.fault(m.name, 'net-down');
    try {
      c.reach.forget(id);
      const e = await refused('service.restart', { applianceId: id, service: 'web' });
      expect(e.code).toBe('conflict');
      expect(String(e.params?.reason)).toMatch(/^ssh\./);
      // With the failure's own parameters, which the UI words it with: no placeholder left over.
      expect(String(e.params?.address ?? e.params?.endpoint)).toContain(m.address);
      for (const locale of ['en', 'zh-CN'] as const) {
        const worded = reasonText(createTranslator(locale), String(e.params!.reason), e.params ?? {}, null);
        expect(worded, locale).toBeTruthy();
        expect(worded, locale).not.toMatch(/\{\w+\}/);
      }
      const r = await list();
      expect(r.live).toBe(false);
      expect(r.reasonCode).toMatch(/^ssh\./);
      expect(web(r.services)?.state).toBe('running');
    } finally {
      await tb.fault(m.name, 'net-up');
    }
  }, 90_000);
});
