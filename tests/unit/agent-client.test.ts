/**
 * The console's client against a scripted agent (a real HTTP server on a Unix socket, answering
 * with hand-made frames): protocol negotiation, refusal of methods the agent did not announce, and
 * a console-side timeout that is not blamed on the agent.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AgentClientError, createAgentClient, KEPT_STREAM_IDLE_MS, unixSocketOpener } from '../../agents/client/agent-client';
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
  /** Streams the client opened, and how many of them it has closed. */
  streams: { opened: number; closed: number };
  close(): Promise<void>;
}

/** What an answer function returns to hang up on the request without answering (an agent going away). */
const HANG_UP = Symbol('hang up');

/**
 * Answers each request with `answer(frame)` (a promise: answered when it settles); `undefined`
 * means never answer (a hung agent), HANG_UP closes the stream without an answer.
 */
function fakeAgent(socketPath: string, answer: (frame: RequestFrame) => unknown): Promise<FakeAgent> {
  const requests: RequestFrame[] = [];
  const streams = { opened: 0, closed: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const frame = JSON.parse(body) as RequestFrame;
      requests.push(frame);
      void Promise.resolve(answer(frame)).then((result) => {
        if (result === undefined) return;
        if (result === HANG_UP) return req.socket.destroy();
        const text = JSON.stringify({ protocol: frame.protocol, ok: true, method: frame.method, result });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  server.on('connection', (socket) => {
    streams.opened += 1;
    socket.once('close', () => (streams.closed += 1));
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({
        requests,
        streams,
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

  it('carries consecutive calls on one kept stream, and closes it after idleMs unused', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1']) : HEALTH));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), idleMs: 200 });
    for (let i = 0; i < 5; i++) await client.call('health.v1');
    expect(agent.requests).toHaveLength(6);
    expect(agent.streams).toEqual({ opened: 1, closed: 0 });
    await until(() => agent!.streams.closed === 1, 3000);
    await client.call('health.v1');
    expect(agent.streams.opened).toBe(2);
  });

  it('opens a stream per call with idleMs 0 (each request says Connection: close)', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1']) : HEALTH));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), idleMs: 0 });
    for (let i = 0; i < 3; i++) await client.call('health.v1');
    expect(agent.streams.opened).toBe(4);
  });

  it('gives a call made while the kept stream is busy a stream of its own, so a slow call never holds up a health check', async () => {
    const sock = socket();
    let finishSlow: (v: unknown) => void = () => undefined;
    // version.v1 stands for any slow call (smart.v1 with refresh waits for smartctl).
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1', 'version.v1']) : f.method === 'version.v1' ? new Promise((r) => (finishSlow = r)) : HEALTH));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), idleMs: KEPT_STREAM_IDLE_MS });
    await client.hello();
    const slow = client.call('version.v1');
    await until(() => agent!.requests.some((r) => r.method === 'version.v1'), 3000);
    expect((await client.call('health.v1')).status).toBe('ok');
    expect(agent.streams.opened).toBe(2);
    finishSlow({ agentVersion: '9.9.9', target: 'linux-x64', node: 'v22.0.0', platform: 'linux', arch: 'x64', protocol: 1 });
    expect((await slow).agentVersion).toBe('9.9.9');
  });

  it('sends a call again on a new stream when its kept stream closes before any answer, except one that starts something', async () => {
    const sock = socket();
    let hangUps = 0;
    agent = await fakeAgent(sock, (f) => {
      if (f.method === 'hello') return helloResult([1], ['hello', 'health.v1', 'smart-selftest.v1']);
      // The agent closes the kept stream as the second request arrives (restarting, or its idle limit).
      if (agent!.requests.length === 2 || (f.method === 'smart-selftest.v1' && hangUps < 2)) {
        hangUps += 1;
        return HANG_UP;
      }
      return HEALTH;
    });
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), idleMs: KEPT_STREAM_IDLE_MS });
    await client.hello();
    expect((await client.call('health.v1')).status).toBe('ok');
    expect(agent.requests.map((r) => r.method)).toEqual(['hello', 'health.v1', 'health.v1']);
    await client.hello();
    const err = await client.call('smart-selftest.v1', { device: '/dev/sda', kind: 'short' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(agent.requests.filter((r) => r.method === 'smart-selftest.v1')).toHaveLength(1);
  });

  it('drops the stream of a call that timed out: the next call opens a new one', async () => {
    const sock = socket();
    let answer = false;
    agent = await fakeAgent(sock, (f) => (f.method === 'hello' ? helloResult([1], ['hello', 'health.v1']) : answer ? HEALTH : undefined));
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), timeoutMs: 300, idleMs: KEPT_STREAM_IDLE_MS });
    await expect(client.call('health.v1')).rejects.toMatchObject({ code: 'timeout' });
    await until(() => agent!.streams.closed === 1, 3000);
    answer = true;
    expect((await client.call('health.v1')).status).toBe('ok');
    expect(agent.streams.opened).toBe(2);
  });

  it('times out a call whose stream never opens (an SSH channel on a dead link), and closes the stream if it opens later', async () => {
    let opened: (s: net.Socket) => void = () => undefined;
    const late = new Promise<net.Socket>((r) => (opened = r));
    const client = createAgentClient({ open: () => late, token: 't'.repeat(32), timeoutMs: 200, idleMs: KEPT_STREAM_IDLE_MS });
    const started = Date.now();
    await expect(client.hello()).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    const [a, b] = await socketPair();
    opened(a);
    await until(() => a.destroyed, 3000);
    b.destroy();
  });

  it('does not time out a call whose answer arrived while the event loop was blocked past the deadline', async () => {
    const sock = socket();
    agent = await fakeAgent(sock, (f) => {
      if (f.method === 'hello') return helloResult([1], ['hello', 'health.v1']);
      // The answer is written, then this process is busy for longer than the client's timeout
      // (a large store write on a console): the answer sits in the socket when its timer is due.
      return new Promise((resolve) => {
        resolve(HEALTH);
        setImmediate(() => {
          const until = performance.now() + 600;
          while (performance.now() < until);
        });
      });
    });
    const client = createAgentClient({ open: unixSocketOpener(sock), token: 't'.repeat(32), timeoutMs: 200 });
    await client.hello();
    expect((await client.call('health.v1')).status).toBe('ok');
  });
});

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two connected sockets (a loopback TCP pair): a stream for an opener to hand out. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const a = net.connect(port, '127.0.0.1');
  const b = await accepted;
  server.close();
  return [a, b];
}
