/**
 * The built agent's monitor on this machine, as its own process (agent harness, no root): a
 * supervised service's process group measured in the samples (CPU of a busy child, memory of the
 * whole group, restarts after a crash), and the Prometheus endpoint of the real process on
 * loopback, with the bearer token required.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import { buildBundle, freeTcpPort, prepareAgentHome, startAgent, waitFor, type AgentHome, type RunningAgent } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

/** Busy for 200 ms of every second (≈ 20 % of a CPU), with an idle child in its process group. */
const SERVICE_JS = `
const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
setInterval(() => { const end = Date.now() + 200; while (Date.now() < end); }, 1000);
`;

describe('agent monitor in the built agent (local process)', () => {
  const work = makeTempDir('agent-mon-local');
  let agent: RunningAgent;
  let home: AgentHome;
  let port: number;

  beforeAll(async () => {
    const bundle = buildBundle(work.dir);
    const script = path.join(work.dir, 'busy.js');
    fs.writeFileSync(script, SERVICE_JS);
    port = await freeTcpPort();
    home = prepareAgentHome(path.join(work.dir, 'home'), {
      supervisor: { stopTimeoutMs: 2000, backoff: { initialMs: 100 } },
      services: [{ name: 'busy', command: process.execPath, args: [script] }],
      monitor: { intervalMs: 1000, smart: { enabled: false }, prometheus: { enabled: true, port, requireToken: true } },
    });
    agent = await startAgent(bundle, home);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    work.cleanup();
  });

  async function samplesAfter(after: string | undefined, count: number): Promise<{ samples: MetricsSample[]; next: string }> {
    return waitFor(`${count} samples`, async () => {
      const r = await agent.client.call('metrics.v1', after ? { after } : {});
      return r.samples.length >= count ? { samples: r.samples, next: r.next! } : undefined;
    }, 20_000, 250);
  }

  it('measures a service’s whole process group: CPU of the busy parent, memory of both, restarts', async () => {
    const { samples, next } = await samplesAfter(undefined, 4);
    const busy = samples.at(-1)!.services.find((s) => s.name === 'busy')!;
    expect(busy).toMatchObject({ state: 'running', processes: 2, restarts: 0 });
    expect(busy.rssBytes).toBeGreaterThan(2 * 20 * 1024 * 1024); // two node processes
    // 200 ms busy per second ≈ 20 % of one CPU; loose bounds for a shared 2-core machine.
    const cpus = samples.slice(1).map((s) => s.services[0]!.cpuPercent!);
    expect(Math.max(...cpus)).toBeGreaterThan(8);
    expect(Math.min(...cpus)).toBeLessThan(60);

    process.kill(-busy.pid!, 'SIGKILL'); // a crash of the whole group
    const restarted = await waitFor('the restart in a sample', async () => {
      const r = await agent.client.call('metrics.v1', { after: next });
      return r.samples.find((s) => s.services[0]!.restarts === 1 && s.services[0]!.state === 'running');
    }, 20_000, 250);
    expect(restarted.services[0]!.crashes).toBe(1);
    expect(restarted.services[0]!.pid).not.toBe(busy.pid);
  });

  it('serves /metrics on loopback to a caller with the token only', async () => {
    const hello = await agent.client.hello('agent-monitor-local.test');
    expect(hello.capabilities.features).toEqual(expect.arrayContaining(['monitor', 'prometheus']));
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${home.token}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('# TYPE appliance_cpu_seconds_total counter');
    expect(text).toMatch(/^appliance_service_up\{service="busy"\} 1$/m);
    expect(text).toMatch(/^appliance_memory_total_bytes [1-9][0-9]*$/m);
    expect(fs.readFileSync(path.join(home.logDir, 'agent.log'), 'utf8')).not.toContain(home.token);
  });
});
