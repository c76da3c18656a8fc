import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../agents/protocol/agent-config';
import { AgentError } from '../../agents/protocol/errors';
import { decodeRequest, decodeResponse, DEFAULT_MAX_REQUEST_BYTES, encodeRequest, errorFrame, successFrame, type DecodeOutcome } from '../../agents/protocol/frames';
import { AGENT_METHODS } from '../../agents/protocol/methods';

function failure(outcome: DecodeOutcome): AgentError {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.request)}`);
  return outcome.error;
}

const frame = (value: unknown) => JSON.stringify(value);

describe('request frames (agent side)', () => {
  it('decodes a valid request and applies param defaults', () => {
    const outcome = decodeRequest(frame({ protocol: 1, id: 'a1', method: 'logs.v1', params: { minLevel: 'warn' } }));
    expect(outcome).toEqual({ ok: true, request: { id: 'a1', method: 'logs.v1', params: { limit: 200, minLevel: 'warn' } } });
  });

  it('treats missing params as {}', () => {
    expect(decodeRequest(frame({ protocol: 1, method: 'health.v1' }))).toEqual({ ok: true, request: { id: undefined, method: 'health.v1', params: {} } });
  });

  it.each([
    ['not JSON', '{"protocol":1,'],
    ['a JSON array', '[1,2]'],
    ['a bare string', '"health.v1"'],
    ['no protocol', frame({ method: 'health.v1' })],
    ['protocol as text', frame({ protocol: '1', method: 'health.v1' })],
    ['an unknown envelope field', frame({ protocol: 1, method: 'health.v1', token: 'x' })],
    ['params that are not an object', frame({ protocol: 1, method: 'health.v1', params: [1] })],
    ['a method name with a path in it', frame({ protocol: 1, method: '../health' })],
    ['a method name in upper case', frame({ protocol: 1, method: 'Health.v1' })],
    ['an id longer than 64', frame({ protocol: 1, method: 'health.v1', id: 'i'.repeat(65) })],
  ])('refuses %s as protocol-error', (_what, raw) => {
    expect(failure(decodeRequest(raw)).code).toBe('protocol-error');
  });

  it('refuses invalid UTF-8 as protocol-error', () => {
    expect(failure(decodeRequest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).message).toBe('Request is not valid UTF-8');
  });

  it('refuses an oversize frame before parsing it', () => {
    const big = frame({ protocol: 1, method: 'hello', params: { client: 'x'.repeat(DEFAULT_MAX_REQUEST_BYTES) } });
    const error = failure(decodeRequest(big));
    expect(error.code).toBe('protocol-error');
    expect(error.params).toEqual({ limit: DEFAULT_MAX_REQUEST_BYTES });
    // Counted in bytes, not characters: 600 euro signs are 602 characters but 1802 bytes.
    expect(failure(decodeRequest('"' + '€'.repeat(600) + '"', 1024)).code).toBe('protocol-error');
    // Not even valid JSON is looked at once the size is over.
    expect(failure(decodeRequest('x'.repeat(2000), 1024)).message).toContain('exceeds the limit of 1024 bytes');
  });

  it('answers an unknown method (or payload version) with not-supported, echoing the id', () => {
    const outcome = decodeRequest(frame({ protocol: 1, id: 'r9', method: 'inventory.v9' }));
    expect(outcome).toMatchObject({ ok: false, id: 'r9', error: { code: 'not-supported', params: { method: 'inventory.v9' } } });
  });

  it('refuses another protocol version, except for hello', () => {
    expect(failure(decodeRequest(frame({ protocol: 2, method: 'health.v1' }))).code).toBe('protocol-error');
    expect(decodeRequest(frame({ protocol: 7, method: 'hello' })).ok).toBe(true);
  });

  it('answers bad params with invalid-input and one issue per field, never echoing the input', () => {
    const error = failure(decodeRequest(frame({ protocol: 1, method: 'logs.v1', params: { limit: 5000, after: 'secret-value', extra: true } })));
    expect(error.code).toBe('invalid-input');
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['', 'after', 'limit']);
    expect(JSON.stringify(error.toBody())).not.toContain('secret-value');
  });

  it('refuses params on methods that take none', () => {
    expect(failure(decodeRequest(frame({ protocol: 1, method: 'health.v1', params: { verbose: true } }))).code).toBe('invalid-input');
  });

  it('round-trips what the client encodes', () => {
    const outcome = decodeRequest(encodeRequest('logs.v1', { limit: 3 }, 'x'));
    expect(outcome).toEqual({ ok: true, request: { id: 'x', method: 'logs.v1', params: { limit: 3 } } });
  });
});

describe('response frames (console side)', () => {
  const version = { agentVersion: '1.2.3', target: 'linux-arm64', node: 'v22.0.0', platform: 'linux', arch: 'arm64', protocol: 1 };

  it('returns the validated result', () => {
    expect(decodeResponse('version.v1', JSON.stringify(successFrame('version.v1', version, undefined)))).toEqual(version);
  });

  it('ignores result fields it does not know (a newer agent may add some)', () => {
    expect(decodeResponse('version.v1', JSON.stringify(successFrame('version.v1', { ...version, gpu: 'none' }, undefined)))).toEqual(version);
  });

  it('throws the agent error of an error frame', () => {
    const raw = JSON.stringify(errorFrame({ code: 'unauthorized', message: 'A valid bearer token is required' }, undefined));
    expect(() => decodeResponse('health.v1', raw)).toThrow(expect.objectContaining({ code: 'unauthorized' }) as Error);
  });

  it.each([
    ['not JSON', 'nope'],
    ['no envelope', JSON.stringify({ result: {} })],
    ['an unknown error code', JSON.stringify({ protocol: 1, ok: false, error: { code: 'teapot', message: 'x' } })],
    ['a result for another method', JSON.stringify(successFrame('health.v1', version, undefined))],
    ['a result that fails its schema', JSON.stringify(successFrame('version.v1', { ...version, protocol: 'one' }, undefined))],
  ])('refuses %s as protocol-error', (_what, raw) => {
    expect(() => decodeResponse('version.v1', raw)).toThrow(expect.objectContaining({ code: 'protocol-error' }) as Error);
  });

  it('refuses an oversize response', () => {
    expect(() => decodeResponse('version.v1', JSON.stringify(successFrame('version.v1', version, undefined)), 10)).toThrow(/exceeds the limit/);
  });

  it('declares a params and a result schema for every method, and versions every name but hello', () => {
    // Methods whose params have required fields, with a minimal valid value; every other method
    // must accept `{}` (no params, or only optional ones).
    const required: Record<string, object> = {
      'smart-selftest.v1': { device: '/dev/sda', kind: 'short' },
      'service-configure.v1': { id: 'kodo', enabled: true },
      'service-start.v1': { id: 'kodo' },
      'service-stop.v1': { id: 'kodo' },
      'service-restart.v1': { id: 'kodo' },
      'service-call.v1': { service: 'kodo', method: 'status.v1' },
    };
    for (const [name, spec] of Object.entries(AGENT_METHODS)) {
      expect(name === 'hello' || /\.v\d+$/.test(name), name).toBe(true);
      expect(spec.params.safeParse(required[name] ?? {}).success, name).toBe(true);
    }
    expect(AGENT_METHODS['smart-selftest.v1'].params.safeParse({}).success).toBe(false);
    // A module's control method is named like an agent method: one word with dashes and a version.
    expect(AGENT_METHODS['service-call.v1'].params.safeParse({ service: 'kodo', method: 'keys.create' }).success).toBe(false);
  });
});

describe('watch.v1 (health, services and metrics in one answer)', () => {
  const health = { status: 'ok', reasons: [], startedAt: '2026-01-02T03:04:05.000Z', uptimeSeconds: 1, now: '2026-01-02T03:04:06.000Z', pid: 42 };
  const service = { name: 'kodo', state: 'running', pid: 7, user: null, startedAt: '2026-01-02T03:04:05.000Z', restarts: 0, crashes: 0, consecutiveFailures: 0, flapping: false, lastExit: null, nextRestartAt: null, backoffMs: null, lastError: null };
  const metrics = { historyId: 'h1', samples: [], next: null, oldest: null, newest: null, gap: false, more: false, intervalMs: 10000 };

  it('takes no params, or metrics params with a default page of 60 (a round brings a few samples)', () => {
    expect(decodeRequest(frame({ protocol: 1, method: 'watch.v1' }))).toEqual({ ok: true, request: { id: undefined, method: 'watch.v1', params: {} } });
    expect(decodeRequest(frame({ protocol: 1, method: 'watch.v1', params: { metrics: { after: 'h1.41' } } }))).toEqual({ ok: true, request: { id: undefined, method: 'watch.v1', params: { metrics: { after: 'h1.41', limit: 60 } } } });
  });

  it.each([
    ['an unknown param', { verbose: true }],
    ['an unknown metrics param', { metrics: { after: 'h1.41', since: 3 } }],
    ['a malformed cursor', { metrics: { after: 'yesterday' } }],
    ['a page over 1000', { metrics: { limit: 1001 } }],
  ])('refuses %s with invalid-input', (_what, params) => {
    expect(failure(decodeRequest(frame({ protocol: 1, method: 'watch.v1', params }))).code).toBe('invalid-input');
  });

  it('reads each part of the answer through its own method\'s schema', () => {
    const result = { health, services: [service], metrics };
    expect(decodeResponse('watch.v1', JSON.stringify(successFrame('watch.v1', result, undefined)))).toEqual(result);
    expect(decodeResponse('watch.v1', JSON.stringify(successFrame('watch.v1', { ...result, metrics: null }, undefined)))).toEqual({ ...result, metrics: null });
    // A part that would fail its own method's schema fails the whole answer.
    for (const broken of [{ ...result, health: { ...health, status: 'fine' } }, { ...result, services: [{ ...service, state: 'sleeping' }] }, { ...result, metrics: { ...metrics, next: 'not a cursor' } }, { health, services: [] }]) {
      expect(() => decodeResponse('watch.v1', JSON.stringify(successFrame('watch.v1', broken, undefined)))).toThrow(expect.objectContaining({ code: 'protocol-error' }) as Error);
    }
  });
});

describe('agent config', () => {
  it('fills defaults for a minimal config', () => {
    const config = AgentConfigSchema.parse({ configVersion: 1 });
    expect(config.paths).toEqual({ runDir: '/run/appliance-agent', stateDir: '/var/lib/appliance-agent', logDir: '/var/log/appliance-agent' });
    expect(config.control).toEqual({ tcp: null, maxRequestBytes: 65536 });
    expect(config.supervisor.backoff).toEqual({ initialMs: 1000, maxMs: 60_000, factor: 2, stableAfterMs: 30_000 });
    expect(config.services).toEqual([]);
  });

  it('fills service defaults', () => {
    const config = AgentConfigSchema.parse({ configVersion: 1, services: [{ name: 'kodo', command: '/opt/kodo/bin/kodo' }] });
    expect(config.services[0]).toEqual({ name: 'kodo', command: '/opt/kodo/bin/kodo', args: [], env: {}, cwd: '/', restart: 'on-failure', enabled: true });
  });

  it.each([
    [{ configVersion: 2 }, 'configVersion'],
    [{ configVersion: 1, control: { tcp: { host: '0.0.0.0', port: 7000 } } }, 'control.tcp.host'],
    [{ configVersion: 1, control: { socketPath: `/run/${'s'.repeat(120)}.sock` } }, 'control.socketPath'],
    [{ configVersion: 1, control: { tokenFile: 'token' } }, 'control.tokenFile'],
    [{ configVersion: 1, paths: { runDir: '/run/../etc' } }, 'paths.runDir'],
    [{ configVersion: 1, services: [{ name: 'kodo', command: 'kodo' }] }, 'services.0.command'],
    [{ configVersion: 1, services: [{ name: 'Kodo!', command: '/bin/true' }] }, 'services.0.name'],
    [{ configVersion: 1, services: [{ name: 'a', command: '/bin/true', user: 'root;rm' }] }, 'services.0.user'],
    [{ configVersion: 1, services: [{ name: 'a', command: '/bin/true', env: { 'BAD-NAME': '1' } }] }, 'services.0.env.BAD-NAME'],
    [{ configVersion: 1, services: [{ name: 'a', command: '/bin/true' }, { name: 'a', command: '/bin/false' }] }, 'services'],
    [{ configVersion: 1, supervisor: { backoff: { initialMs: 5000, maxMs: 100 } } }, 'supervisor.backoff.maxMs'],
    [{ configVersion: 1, logs: {} }, ''],
  ])('refuses %j at %s', (config, where) => {
    const parsed = AgentConfigSchema.safeParse(config);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(where);
  });
});

describe('health.v1 reason codes are open', () => {
  const answer = (code: string) => ({ status: 'degraded', reasons: [{ code, subject: 'kodo', message: 'kodo runs but does not answer on 9000' }], startedAt: '2026-03-01T08:00:00.000Z', uptimeSeconds: 5, now: '2026-03-01T08:00:05.000Z', pid: 42 });
  it('reads a code this build does not know (a newer agent’s), and still refuses one that is not a code', () => {
    const schema = AGENT_METHODS['health.v1'].result;
    expect(schema.safeParse(answer('from-a-newer-agent')).success).toBe(true);
    expect(schema.safeParse(answer('service-unready')).success).toBe(true);
    expect(schema.safeParse(answer('Not A Code; rm -rf /')).success).toBe(false);
    expect(schema.safeParse(answer('')).success).toBe(false);
  });
});
