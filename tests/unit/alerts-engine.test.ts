import { describe, expect, it } from 'vitest';
import { evaluate, acknowledge, resolveAppliance, type OpenAlert, type Transition } from '../../main/alerts/engine';
import type { ApplianceObservation } from '../../main/alerts/observation';
import { describeRule, effectiveRules, validateOverride, type RuleOverride } from '../../main/alerts/rules';
import type { SilenceRecord } from '../../main/alerts/silences';
import type { AlertRuleId } from '../../main/contract/alerts.contract';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const S = 1000;
const M = 60 * S;

function obs(over: Partial<ApplianceObservation> = {}, at = T0): ApplianceObservation {
  return {
    applianceId: 'a1',
    name: 'edge-1',
    at,
    connectivity: { state: 'online', since: T0 - 3600 * S, reason: null },
    agent: { health: 'ok', services: [{ name: 'kodo', state: 'running', restarts: 0, flapping: false }] },
    metrics: { 'cpu.util_percent': 10, 'memory.used_percent': 40, 'fs.used_percent{mount=/srv/disks/d1}': 50, 'clock.skew_seconds': 0.2 },
    disks: [{ device: 'sda', verdict: 'healthy', reasons: [], temperatureC: 35, temperatureLimitC: 60, lastSelfTest: { status: 'passed', at: T0 - 86400 * S, kind: 'short' } }],
    ...over,
  };
}

/** Drives the pure engine like the service does: state in, state out, with a clock we move by hand. */
function harness(overrides: Partial<Record<AlertRuleId, RuleOverride>> = {}) {
  let open: OpenAlert[] = [];
  let now = T0;
  const silences: SilenceRecord[] = [];
  const rules = effectiveRules(new Map(Object.entries(overrides) as [AlertRuleId, RuleOverride][]));
  return {
    silences,
    get open() {
      return open;
    },
    set open(v: OpenAlert[]) {
      open = v;
    },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    round(...observations: ApplianceObservation[]): Transition[] {
      const out = evaluate({ rules, open, observations: observations.map((o) => ({ ...o, at: now })), silences, now });
      open = out.open;
      return out.transitions;
    },
  };
}

const types = (ts: Transition[]) => ts.filter((t) => t.type !== 'updated').map((t) => `${t.type}:${t.alert.ruleId}:${t.alert.subject}`);
const fsAt = (pct: number) => obs({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': pct } });

describe('alert engine: durations with a fake clock', () => {
  it('a healthy appliance raises nothing', () => {
    const h = harness();
    expect(h.round(obs())).toEqual([]);
    expect(h.open).toEqual([]);
  });

  it('cpu ≥ 90 % is pending until it has lasted 10 minutes, then fires once', () => {
    const h = harness();
    const hot = obs({ metrics: { 'cpu.util_percent': 95 } });
    expect(types(h.round(hot))).toEqual(['pending:cpu-high:']);
    h.advance(9 * M + 59 * S);
    expect(types(h.round(hot))).toEqual([]);
    expect(h.open[0]!.state).toBe('pending');
    h.advance(1 * S);
    const fired = h.round(hot);
    expect(types(fired)).toEqual(['firing:cpu-high:']);
    expect(h.open[0]).toMatchObject({ state: 'firing', severity: 'warning', value: 95, unit: 'percent', firedAt: h.now, startedAt: T0 });
    h.advance(M);
    expect(types(h.round(hot))).toEqual([]);
  });

  it('a condition that flaps below its duration never fires, and each dip restarts the wait', () => {
    const h = harness();
    const hot = obs({ metrics: { 'cpu.util_percent': 95 } });
    const cool = obs({ metrics: { 'cpu.util_percent': 50 } });
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      seen.push(...types(h.round(hot)));
      h.advance(6 * M);
      seen.push(...types(h.round(cool)));
      h.advance(M);
    }
    expect(seen.filter((s) => s.startsWith('firing'))).toEqual([]);
    // A pending alert that clears was never an alert: it leaves nothing behind.
    expect(seen.filter((s) => s.startsWith('cleared')).length).toBe(12);
    expect(h.open).toEqual([]);
  });

  it('appliance-offline counts from when the collector says it went offline, not when we first saw it', () => {
    const h = harness();
    const off = obs({ connectivity: { state: 'offline', since: T0 - 3 * M, reason: 'connection refused' }, agent: null, metrics: {} });
    expect(types(h.round(off))).toEqual(['firing:appliance-offline:']);
    expect(h.open[0]!.startedAt).toBe(T0 - 3 * M);
    expect(h.open[0]!.params).toEqual({ reason: 'connection refused' });
  });

  it('a zero duration fires in the same round', () => {
    const h = harness();
    const t = h.round(obs({ agent: { health: 'ok', services: [{ name: 'kodo', state: 'backoff', restarts: 7, flapping: true }] } }));
    expect(types(t)).toEqual(['firing:service-flapping:kodo']);
  });
});

describe('alert engine: dedup, resolve, re-fire', () => {
  it('one alert per rule + appliance + subject, however many rounds', () => {
    const h = harness();
    const full = obs({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 90, 'fs.used_percent{mount=/srv/disks/d2}': 91 } });
    for (let i = 0; i < 5; i++) {
      h.round(full);
      h.advance(30 * S);
    }
    expect(h.open.map((a) => `${a.state}:${a.subject}`).sort()).toEqual(['firing:/srv/disks/d1', 'firing:/srv/disks/d2']);
    // The same mount on another appliance is another alert.
    h.round(full, { ...full, applianceId: 'a2', name: 'edge-2' });
    expect(h.open.length).toBe(4);
  });

  it('acknowledged then resolved; re-firing after resolve is a new instance', () => {
    const h = harness();
    h.round(fsAt(90));
    h.advance(M);
    h.round(fsAt(90));
    const first = h.open[0]!;
    expect(first.state).toBe('firing');
    h.open = [acknowledge(first, 'ana (serve)', 'cleaning up logs', h.now)];
    h.advance(M);
    expect(types(h.round(fsAt(91)))).toEqual([]);
    expect(h.open[0]).toMatchObject({ state: 'acknowledged', ack: { by: 'ana (serve)', note: 'cleaning up logs' }, value: 91 });
    h.advance(M);
    const resolved = h.round(fsAt(60));
    expect(resolved).toEqual([expect.objectContaining({ type: 'resolved', from: 'acknowledged', alert: expect.objectContaining({ id: first.id, state: 'resolved', resolution: 'condition-cleared', resolvedAt: h.now }) })]);
    expect(h.open).toEqual([]);
    h.advance(M);
    h.round(fsAt(92));
    h.advance(M);
    h.round(fsAt(92));
    expect(h.open[0]!.state).toBe('firing');
    expect(h.open[0]!.id).not.toBe(first.id);
    expect(h.open[0]!.ack).toBeNull();
  });

  it('filesystem-full is a warning at 85 % and re-fires as critical at 95 % (a new, unacknowledged alert)', () => {
    const h = harness();
    h.round(fsAt(86));
    h.advance(M);
    h.round(fsAt(86));
    const warning = h.open[0]!;
    expect(warning).toMatchObject({ severity: 'warning', state: 'firing', params: { value: 86, threshold: 85 } });
    h.open = [acknowledge(warning, 'ana', '', h.now)];
    h.advance(M);
    expect(types(h.round(fsAt(97)))).toEqual([]); // worse, but not yet for the rule's duration
    h.advance(M);
    const t = h.round(fsAt(97));
    expect(types(t)).toEqual(['resolved:filesystem-full:/srv/disks/d1', 'firing:filesystem-full:/srv/disks/d1']);
    expect(t[0]).toMatchObject({ alert: { id: warning.id, resolution: 'escalated' } });
    expect(h.open[0]).toMatchObject({ severity: 'critical', state: 'firing', ack: null, params: { threshold: 95 } });
    // Back down to the warning band: the critical alert stays (no re-fire storm around 95 %).
    h.advance(M);
    expect(types(h.round(fsAt(90)))).toEqual([]);
    expect(h.open[0]!.severity).toBe('critical');
  });

  it('disk-health-worse takes its severity from the verdict and re-fires when it gets worse again', () => {
    const h = harness();
    const disk = (verdict: 'healthy' | 'warning' | 'failing' | 'failed', reasons: string[] = []) =>
      obs({ disks: [{ device: 'sdb', verdict, reasons, temperatureC: 30, lastSelfTest: null }] });
    expect(types(h.round(disk('warning', ['3 reallocated sectors'])))).toEqual(['firing:disk-health-worse:sdb']);
    expect(h.open[0]).toMatchObject({ severity: 'warning', params: { verdict: 'warning', reasons: '3 reallocated sectors' } });
    h.advance(M);
    expect(types(h.round(disk('warning')))).toEqual([]);
    expect(types(h.round(disk('failing')))).toEqual(['resolved:disk-health-worse:sdb', 'firing:disk-health-worse:sdb']);
    expect(h.open[0]!.severity).toBe('critical');
    h.advance(M);
    expect(types(h.round(disk('failed')))).toEqual(['resolved:disk-health-worse:sdb', 'firing:disk-health-worse:sdb']);
    // A disk that is gone from the inventory is no longer a problem of that disk.
    expect(types(h.round(obs({ disks: [] })))).toEqual(['resolved:disk-health-worse:sdb']);
  });
});

describe('alert engine: unknown is not false', () => {
  it('an offline appliance keeps its agent, service and metric alerts instead of resolving them', () => {
    const h = harness();
    const down = obs({ agent: { health: 'ok', services: [{ name: 'kodo', state: 'failed', restarts: 3, flapping: false }] }, metrics: { 'cpu.util_percent': 99 } });
    h.round(down);
    h.advance(11 * M);
    h.round(down);
    expect(h.open.filter((a) => a.state === 'firing').map((a) => a.ruleId).sort()).toEqual(['cpu-high', 'service-down']);
    h.advance(M);
    const t = h.round(obs({ connectivity: { state: 'offline', since: h.now, reason: 'timeout' }, agent: null, metrics: {}, disks: [] }));
    expect(t.filter((x) => x.type === 'resolved').map((x) => x.alert.ruleId)).toEqual([]);
    expect(h.open.map((a) => a.ruleId).sort()).toEqual(['appliance-offline', 'cpu-high', 'service-down']);
  });

  it('agent-down: no agent while online, or health failing; not while offline', () => {
    const h = harness();
    expect(types(h.round(obs({ agent: null })))).toEqual(['pending:agent-down:']);
    h.advance(M);
    expect(types(h.round(obs({ agent: { health: 'failing', services: [] } })))).toEqual(['firing:agent-down:']);
    expect(h.open[0]!.params).toEqual({ health: 'failing' });
    h.advance(M);
    expect(types(h.round(obs({ connectivity: { state: 'degraded', since: h.now, reason: 'slow' }, agent: null })))).toEqual([]);
    expect(types(h.round(obs()))).toEqual(['resolved:agent-down:']);
  });

  it('a machine never provisioned is no alarm, reachable or not: neither agent-down nor appliance-offline, and an old one resolves', () => {
    const h = harness();
    const notProvisioned = (reasonCode: string) => obs({ connectivity: { state: 'not-provisioned', since: h.now - 3600 * S, reason: 'x', reasonCode, reasonParams: {} }, agent: null, metrics: {}, disks: [] });
    expect(h.round(notProvisioned('agent.not-installed'))).toEqual([]);
    h.advance(10 * M);
    expect(h.round(notProvisioned('ssh.timeout'))).toEqual([]);
    expect(h.open).toEqual([]);
    // An alert from before (an agent uninstalled while it was down) resolves once it is not provisioned.
    h.round(obs({ agent: null }));
    h.advance(2 * M);
    expect(types(h.round(obs({ agent: null })))).toEqual(['firing:agent-down:']);
    expect(types(h.round(notProvisioned('agent.not-installed')))).toEqual(['resolved:agent-down:']);
  });

  it('host-key-changed fires at once with both fingerprints, provisioned or not, and resolves when the key is accepted', () => {
    const h = harness();
    const changed = (state: 'offline' | 'not-provisioned') =>
      obs({ connectivity: { state, since: h.now, reason: 'CHANGED', reasonCode: 'ssh.host-key-changed', reasonParams: { fingerprint: 'SHA256:new', known: 'SHA256:old' } }, agent: null, metrics: {}, disks: [] });
    expect(types(h.round(changed('not-provisioned')))).toEqual(['firing:host-key-changed:']);
    expect(h.open.find((a) => a.ruleId === 'host-key-changed')!.params).toEqual({ presented: 'SHA256:new', accepted: 'SHA256:old' });
    expect(types(h.round(changed('offline'))).filter((t) => t.includes('host-key'))).toEqual([]);
    expect(types(h.round(obs())).filter((t) => t.includes('host-key'))).toEqual(['resolved:host-key-changed:']);
  });

  it('a missing metric keeps a filesystem alert; a SMART self-test in progress keeps its failed result', () => {
    const h = harness({ 'filesystem-full': { durationSeconds: 0 } });
    const failed = obs({ disks: [{ device: 'sda', verdict: 'healthy', reasons: [], temperatureC: 30, lastSelfTest: { status: 'failed', at: T0, kind: 'long' } }] });
    h.round({ ...failed, metrics: { 'fs.used_percent{mount=/data}': 99 } });
    expect(h.open.map((a) => a.ruleId).sort()).toEqual(['filesystem-full', 'smart-selftest-failed']);
    const inProgress = obs({ metrics: {}, disks: [{ device: 'sda', verdict: 'healthy', reasons: [], temperatureC: 30, lastSelfTest: { status: 'in-progress', at: null, kind: 'long' } }] });
    expect(types(h.round(inProgress))).toEqual([]);
    expect(types(h.round(obs({ metrics: { 'fs.used_percent{mount=/data}': 20 } })))).toEqual(['resolved:filesystem-full:/data', 'resolved:smart-selftest-failed:sda']);
  });

  it('service-down and service-flapping are one problem each, per service; a removed service resolves', () => {
    const h = harness({ 'service-down': { durationSeconds: 0 } });
    const t = h.round(
      obs({
        agent: {
          health: 'degraded',
          services: [
            { name: 'kodo', state: 'stopped', restarts: 0, flapping: false },
            { name: 'cdn', state: 'backoff', restarts: 9, flapping: true },
            { name: 'dora', state: 'running', restarts: 0, flapping: false },
          ],
        },
      }),
    );
    expect(types(t).sort()).toEqual(['firing:service-down:kodo', 'firing:service-flapping:cdn']);
    expect(types(h.round(obs({ agent: { health: 'ok', services: [] } }))).sort()).toEqual(['resolved:service-down:kodo', 'resolved:service-flapping:cdn']);
  });

  it('clock skew counts in both directions; disk temperature is critical at the drive’s own limit', () => {
    const h = harness({ 'clock-skew': { durationSeconds: 0 }, 'disk-temperature': { durationSeconds: 0 } });
    h.round(obs({ metrics: { 'clock.skew_seconds': -45 }, disks: [{ device: 'sda', verdict: 'healthy', reasons: [], temperatureC: 57, temperatureLimitC: 60, lastSelfTest: null }] }));
    expect(h.open.map((a) => `${a.ruleId}:${a.severity}:${a.value}`).sort()).toEqual(['clock-skew:warning:-45', 'disk-temperature:warning:57']);
    h.round(obs({ metrics: { 'clock.skew_seconds': 5 }, disks: [{ device: 'sda', verdict: 'healthy', reasons: [], temperatureC: 61, temperatureLimitC: 60, lastSelfTest: null }] }));
    expect(h.open.map((a) => `${a.ruleId}:${a.severity}:${a.params.threshold}`)).toEqual(['disk-temperature:critical:60']);
  });

  it('appliances not observed this round keep their alerts; removing an appliance ends them', () => {
    const h = harness({ 'cpu-high': { durationSeconds: 0 } });
    h.round(obs({ metrics: { 'cpu.util_percent': 99 } }), obs({ applianceId: 'a2', name: 'edge-2', metrics: { 'cpu.util_percent': 99 } }));
    h.round(obs());
    expect(h.open.map((a) => a.applianceId)).toEqual(['a2']);
    const t = resolveAppliance(h.open, 'a2', h.now);
    expect(t).toEqual([expect.objectContaining({ type: 'resolved', alert: expect.objectContaining({ resolution: 'appliance-removed' }) })]);
  });
});

describe('alert engine: rules and silences', () => {
  it('a disabled rule raises nothing and resolves what it had raised', () => {
    let h = harness({ 'cpu-high': { durationSeconds: 0 } });
    h.round(obs({ metrics: { 'cpu.util_percent': 99 } }));
    const open = h.open;
    h = harness({ 'cpu-high': { enabled: false } });
    h.open = open;
    const t = h.round(obs({ metrics: { 'cpu.util_percent': 99 } }));
    expect(t).toEqual([expect.objectContaining({ type: 'resolved', alert: expect.objectContaining({ resolution: 'rule-disabled' }) })]);
  });

  it('edited thresholds apply: cpu at 70 % fires with a 70 % threshold', () => {
    const h = harness({ 'cpu-high': { thresholds: { percent: 70 }, durationSeconds: 0 } });
    expect(types(h.round(obs({ metrics: { 'cpu.util_percent': 75 } })))).toEqual(['firing:cpu-high:']);
  });

  it('silenced alerts still change state but say they are silenced, for the window only', () => {
    const h = harness({ 'cpu-high': { durationSeconds: 0 } });
    h.silences.push({ id: 's1', match: { ruleId: 'cpu-high', applianceId: 'a1' }, startsAt: T0, endsAt: T0 + 60 * M, reason: 'load test', createdBy: 'ana', liftedAt: null, liftedBy: null });
    const hot = obs({ metrics: { 'cpu.util_percent': 99 } });
    const cool = obs({ metrics: { 'cpu.util_percent': 9 } });
    expect(h.round(hot)).toEqual([expect.objectContaining({ type: 'firing', silencedBy: 's1' })]);
    expect(types(h.round(cool))).toEqual(['resolved:cpu-high:']);
    // Another appliance is not covered by a silence naming a1.
    expect(h.round({ ...hot, applianceId: 'a2' })).toEqual([expect.objectContaining({ type: 'firing', silencedBy: null })]);
    // After the window the same rule notifies again.
    h.advance(61 * M);
    h.round(cool);
    expect(h.round(hot)).toEqual([expect.objectContaining({ type: 'firing', silencedBy: null })]);
    // A lifted silence no longer applies.
    h.silences.push({ id: 's2', match: { applianceId: 'a1' }, startsAt: h.now, endsAt: h.now + M, reason: 'x', createdBy: 'ana', liftedAt: h.now, liftedBy: 'bo' });
    h.round(cool);
    expect(h.round(hot)).toEqual([expect.objectContaining({ type: 'firing', silencedBy: null })]);
  });

  it('a silence on a subject matches only that subject', () => {
    const h = harness({ 'filesystem-full': { durationSeconds: 0 } });
    h.silences.push({ id: 's1', match: { ruleId: 'filesystem-full', subject: '/d1' }, startsAt: T0, endsAt: T0 + M, reason: 'r', createdBy: 'c', liftedAt: null, liftedBy: null });
    const t = h.round(obs({ metrics: { 'fs.used_percent{mount=/d1}': 99, 'fs.used_percent{mount=/d2}': 99 } }));
    expect(t.map((x) => (x.type === 'firing' ? `${x.alert.subject}:${x.silencedBy}` : ''))).toEqual(['/d1:s1', '/d2:null']);
  });

  it('validates overrides with field issues: unknown key, range, warning below critical', () => {
    expect(validateOverride('filesystem-full', { thresholds: { warningPercent: 80, criticalPercent: 90 } })).toEqual([]);
    expect(validateOverride('filesystem-full', { thresholds: { warningPercent: 96 } }).map((i) => `${i.path}:${i.code}`)).toEqual(['thresholds.warningPercent:threshold-order']);
    expect(validateOverride('cpu-high', { thresholds: { percent: 101, nope: 1 } }).map((i) => `${i.path}:${i.code}`)).toEqual(['thresholds.percent:too-big', 'thresholds.nope:unknown-threshold']);
    expect(validateOverride('agent-down', { thresholds: { x: 1 } })[0]!.message).toContain('has no threshold "x" (it has: none)');
    expect(describeRule('cpu-high', { thresholds: { percent: 80 } })).toMatchObject({ customised: true, thresholds: [{ key: 'percent', value: 80, defaultValue: 90, unit: 'percent' }] });
    expect(describeRule('cpu-high', undefined).customised).toBe(false);
  });
});
