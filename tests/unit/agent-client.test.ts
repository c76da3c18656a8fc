/**
 * The console's client against a scripted agent (a real HTTP server on a Unix socket, answering
 * with hand-made frames): protocol negotiation, refusal of methods the agent did not announce, and
 * a console-side timeout that is not blamed on the agent.
 */
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AgentClientError, createAgentClient, unixSocketOpener } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import type { RequestFrame } from '../../agents/protocol/frames';
import { makeTempDir } from '../helpers/temp-dir';

const HEALTH = { status: 'ok', reasons: [], startedAt: '2026-01-02T03:04:05.000Z', uptimeSeconds: 1, now: '2026-01-02T03:04:06.000Z', pid: 42 };

function helloResult(protocols: number[], methods: string[]) {
  return {
    agent: 'appliance-agent',
    agentVersion: '9.9.9',
    protocol: Math.max(...protocols),
    protocols,
    capabilities: { methods, features: [] },
    limits: { maxRequestBytes: 65536 },
    hostname: 'fake',
    startedAt: '2026-01-02T03:04:05.000Z',
  };
}

interface FakeAgent {
  requests: RequestFrame[];
  close(): Promise<void>;
}

/** Answers each request with `answer(frame)`; `undefined` means never answer (a hung agent). */
function fakeAgent(socketPath: string, answer: (frame: RequestFrame) => unknown): Promise<FakeAgent> {
  const requests: RequestFrame[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const frame = JSON.parse(body) as RequestFrame;
      requests.push(frame);
      const result = answer(frame);
      if (result === undefined) return;
      const text = JSON.stringify({ protocol: frame.protocol, ok: true, method: frame.method, result });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

describe('agent client', () => {
  const tmp = makeTempDir('agent-client');
  let n = 0;
  let agent: FakeAgent | undefined;
  const socket = () => path.join(tmp.dir, `s${++n}.sock`);
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });
  afterAll(() => tmp.cleanup());

  it('shakes hands before the first call and uses the highest protocol both sides speak', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1, 2, 3], ['hello', 'health.v1']) : HEALTH));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), protocols: [1, 2], clientName: 'unit' });
    expect((await client.call('health.v1')).status).toBe('ok');
    expect(agent.requests.map((r) => [r.method, r.protocol])).toEqual([
      ['hello', 2],
      ['health.v1', 2],
    ]);
    expect(agent.requests[0]!.params).toEqual({ client: 'unit' });
    expect(client.session()?.protocol).toBe(2);
    // The session is kept: no second hello.
    await client.call('health.v1');
    expect(agent.requests.filter((r) => r.method === 'hello')).toHaveLength(1);
  });

  it('refuses a method the agent did not announce, without sending it, and says to reprovision', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1']) : HEALTH));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32) });
    const err = await client.call('inventory.v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'not-supported', params: { method: 'inventory.v1', agentVersion: '9.9.9', action: 'reprovision-agent' } });
    expect((err as Error).message).toMatch(/reprovision/);
    expect(agent.requests.map((r) => r.method)).toEqual(['hello']);
  });

  it('reports an agent with no protocol in common as too old (reprovision) or too new (update the console)', async () => {
    const sock = socket();
    let protocols = [1];
    agent = await fakeAgent(sock, () => helloResult(protocols, ['hello', 'health.v1']));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), protocols: [2, 3] });
    await expect(client.hello()).rejects.toMatchObject({ code: 'protocol-error', params: { action: 'reprovision-agent' }, message: expect.stringMatching(/older than this console.*reprovision/) as string });
    await expect(client.call('health.v1')).rejects.toMatchObject({ code: 'protocol-error' });
    protocols = [4, 5];
    await expect(client.hello()).rejects.toMatchObject({ code: 'protocol-error', params: { action: 'update-console' }, message: expect.stringMatching(/newer than this console/) as string });
    expect(agent.requests.every((r) => r.method === 'hello')).toBe(true);
    expect(client.session()).toBeNull();
  });

  it('turns a console-side timeout into its own typed error with the method and seconds, not the agent’s internal', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1']) : undefined));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), timeoutMs: 300 });
    const started = Date.now();
    const err = await client.call('health.v1').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(AgentClientError);
    expect(err).not.toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'timeout', params: { method: 'health.v1', seconds: 0.3 } });
    expect((err as Error).message).toMatch(/health\.v1.*0\.3 s/);
  });
});
