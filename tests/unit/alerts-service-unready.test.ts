/**
 * The service-unready rule: a service module runs but fails its readiness probe (services.v1's
 * `readiness.state === 'unready'`) for longer than the rule's duration (60 s by default). From the
 * status the fleet watch keeps (parsed with the agent's own schemas) through observe()
 * (main/monitoring/observations.ts) into the pure engine with a clock moved by hand, and worded
 * in both languages.
 */
import { describe, expect, it } from 'vitest';
import { HealthResultSchema } from '../../agents/protocol/payloads/health';
import { ServiceStatusSchema, type ServiceStatus } from '../../agents/protocol/payloads/services';
import { evaluate, type OpenAlert, type Transition } from '../../main/alerts/engine';
import { describeRule, effectiveRules, type RuleOverride } from '../../main/alerts/rules';
import type { AlertRuleId } from '../../main/contract/alerts.contract';
import type { ApplianceStatus } from '../../main/contract/status.contract';
import { observe } from '../../main/monitoring/observations';
import { alertDetail } from '../../renderer/src/i18n/alert-detail';
import { createTranslator } from '../../renderer/src/i18n/translate';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const S = 1000;
const iso = (ms: number) => new Date(ms).toISOString();

type Readiness = NonNullable<ServiceStatus['readiness']>;

/** One service as services.v1 lists it; `readiness` as the agent's probe left it. */
function service(name: string, state: ServiceStatus['state'], readiness: Partial<Readiness> | null): ServiceStatus {
  return ServiceStatusSchema.parse({
    name,
    state,
    pid: state === 'running' ? 4242 : null,
    user: null,
    startedAt: iso(T0 - 3600 * S),
    restarts: 0,
    crashes: 0,
    consecutiveFailures: 0,
    flapping: false,
    lastExit: null,
    nextRestartAt: null,
    backoffMs: null,
    lastError: null,
    module: name,
    enabled: true,
    ...(readiness
      ? { readiness: { state: 'ready', probe: 'http:9000/ready', since: iso(T0 - 3600 * S), checkedAt: iso(T0), message: null, consecutiveFailures: 0, ...readiness } }
      : {}),
    ports: [{ id: `${name}-s3`, port: 9000 }],
    version: '1.0.0',
  });
}

/** The status the fleet watch keeps after a check at `at` that reached the agent. */
function status(services: ServiceStatus[], at: number, clockSkewMs = 0): ApplianceStatus {
  const unready = services.filter((s) => s.readiness?.state === 'unready');
  return {
    applianceId: 'a1',
    state: unready.length ? 'degraded' : 'online',
    since: iso(T0 - 3600 * S),
    reason: null,
    reasonCode: null,
    reasonParams: {},
    checkedAt: iso(at),
    lastSeenAt: iso(at),
    agentSeenAt: iso(at),
    agent: { version: '1.0.0', pid: 10, startedAt: iso(T0 - 7200 * S) },
    clockSkewMs,
    health: HealthResultSchema.parse({
      status: unready.length ? 'degraded' : 'ok',
      reasons: unready.map((s) => ({ code: 'service-unready', subject: s.name, message: `${s.name} does not answer` })),
      startedAt: iso(T0 - 7200 * S),
      uptimeSeconds: 7200,
      now: iso(at + clockSkewMs),
      pid: 10,
    }),
    services,
  };
}

function harness(overrides: Partial<Record<AlertRuleId, RuleOverride>> = {}) {
  let open: OpenAlert[] = [];
  let now = T0;
  const rules = effectiveRules(new Map(Object.entries(overrides) as [AlertRuleId, RuleOverride][]));
  return {
    get open() {
      return open;
    },
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
    },
    /** One round: the check at `now` saw these services. */
    round(services: ServiceStatus[], clockSkewMs = 0): Transition[] {
      const observation = observe(status(services, now, clockSkewMs), 'edge-1', null, []);
      const out = evaluate({ rules, open, observations: [observation], silences: [], now });
      open = out.open;
      return out.transitions.filter((t) => t.alert.ruleId === 'service-unready');
    },
  };
}

const kinds = (ts: Transition[]) => ts.filter((t) => t.type !== 'updated').map((t) => `${t.type}:${t.alert.subject}`);

describe('service-unready', () => {
  it('is critical after 60 s by default, with no threshold to set', () => {
    expect(describeRule('service-unready', undefined)).toMatchObject({ severity: 'critical', durationSeconds: 60, defaultDurationSeconds: 60, thresholds: [] });
  });

  it('a running module failing its probe is pending, fires once it has failed for 60 s, and resolves when it answers again', () => {
    const h = harness();
    const failing = (failures: number) => [service('kodo', 'running', { state: 'unready', since: iso(T0), consecutiveFailures: failures, message: 'GET /ready answered HTTP 503' })];
    expect(kinds(h.round(failing(1)))).toEqual(['pending:kodo']);
    h.advance(50 * S);
    expect(kinds(h.round(failing(11)))).toEqual([]);
    h.advance(10 * S);
    const fired = h.round(failing(13));
    expect(kinds(fired)).toEqual(['firing:kodo']);
    expect(fired[0]!.alert).toMatchObject({ severity: 'critical', params: { probe: 'http:9000/ready', failures: 13, message: 'GET /ready answered HTTP 503' } });
    h.advance(10 * S);
    expect(kinds(h.round([service('kodo', 'running', { state: 'ready', since: iso(h.now) })]))).toEqual(['resolved:kodo']);
  });

  it('counts from when the agent says the probe started failing (on the console’s clock), not from when the console first saw it', () => {
    const h = harness();
    // The appliance's clock is 30 s ahead: its `since` reads 30 s later than the same instant on ours.
    const ahead = 30 * S;
    expect(kinds(h.round([service('kodo', 'running', { state: 'unready', since: iso(T0 - 90 * S + ahead), consecutiveFailures: 18 })], ahead))).toEqual(['firing:kodo']);
    expect(h.open[0]!.startedAt).toBe(T0 - 90 * S);
    // 30 s behind, failing for 40 s: its `since` reads 70 s ago, which would fire were the skew not taken out.
    const behind = -30 * S;
    const h2 = harness();
    expect(kinds(h2.round([service('kodo', 'running', { state: 'unready', since: iso(T0 - 40 * S + behind) })], behind))).toEqual(['pending:kodo']);
    expect(h2.open[0]!.startedAt).toBe(T0 - 40 * S);
  });

  it('no alarm while the module starts (pending), is not running, or for a plain service without a probe; one problem, one page', () => {
    const h = harness({ 'service-unready': { durationSeconds: 0 } });
    const t = h.round([
      service('kodo', 'running', { state: 'pending', since: iso(T0) }),
      // Stopped with a failing last probe: service-down's to say.
      service('cdn-cache', 'backoff', { state: 'unready', since: iso(T0 - 600 * S) }),
      service('dora', 'running', { state: 'not-running', since: null }),
      service('legacy', 'running', null),
    ]);
    expect(kinds(t)).toEqual([]);
  });

  it('each service is its own alert; a service that goes away resolves, an unreachable agent keeps it', () => {
    const h = harness({ 'service-unready': { durationSeconds: 0 } });
    const unready = (name: string) => service(name, 'running', { state: 'unready', since: iso(T0) });
    expect(kinds(h.round([unready('kodo'), unready('cdn-cache')])).sort()).toEqual(['firing:cdn-cache', 'firing:kodo']);
    h.advance(10 * S);
    // The agent did not answer this round: nothing is known of its services.
    const offline = observe({ ...status([], h.now), agentSeenAt: iso(T0), health: null, services: null }, 'edge-1', null, []);
    const kept = evaluate({ rules: effectiveRules(new Map()), open: h.open, observations: [offline], silences: [], now: h.now });
    expect(kept.open.filter((a) => a.ruleId === 'service-unready')).toHaveLength(2);
    expect(kinds(h.round([unready('kodo')]))).toEqual(['resolved:cdn-cache']);
  });

  it('a shorter duration set by a person applies; switched off, it raises nothing', () => {
    const fast = harness({ 'service-unready': { durationSeconds: 15 } });
    const failing = [service('kodo', 'running', { state: 'unready', since: iso(T0 - 20 * S) })];
    expect(kinds(fast.round(failing))).toEqual(['firing:kodo']);
    const off = harness({ 'service-unready': { enabled: false } });
    expect(kinds(off.round(failing))).toEqual([]);
  });

  it('is worded in English and Chinese, counting the failed checks', () => {
    const alert = (failures: number) => ({ ruleId: 'service-unready' as const, params: { probe: 'http:9000/ready', failures, message: 'GET /ready answered HTTP 503' } });
    const en = createTranslator('en');
    expect(en.lookup('alerts.rule.service-unready')).toBe('Service not answering');
    expect(alertDetail(en, alert(1))).toBe('Runs, but 1 readiness check in a row failed (http:9000/ready): GET /ready answered HTTP 503');
    expect(alertDetail(en, alert(12))).toBe('Runs, but 12 readiness checks in a row failed (http:9000/ready): GET /ready answered HTTP 503');
    const zh = createTranslator('zh-CN');
    expect(zh.lookup('alerts.rule.service-unready')).toBe('服务无响应');
    expect(alertDetail(zh, alert(12))).toBe('在运行，但就绪检查已连续 12 次失败（http:9000/ready）：GET /ready answered HTTP 503');
  });
});
