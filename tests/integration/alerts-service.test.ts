import { afterEach, describe, expect, it } from 'vitest';
import type { ApplianceObservation } from '../../main/alerts/observation';
import type { Alert, AlertsChanged } from '../../main/contract/alerts.contract';
import type { AuditEntry } from '../../main/contract/audit.contract';
import { CTX, makeConsole } from '../helpers/console-fixture';

const consoles: Array<ReturnType<typeof makeConsole>> = [];
afterEach(() => {
  while (consoles.length) consoles.pop()!.cleanup();
});

function setup() {
  const c = makeConsole('alerts');
  consoles.push(c);
  const events: AlertsChanged[] = [];
  c.events.subscribe((name, payload) => {
    if (name === 'alerts.changed') events.push(payload as AlertsChanged);
  });
  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const r = await c.dispatcher.call(method, input, CTX);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };
  const fail = async (method: string, input: unknown) => {
    const r = await c.dispatcher.call(method, input, CTX);
    if (r.ok) throw new Error(`${method} succeeded but should have failed`);
    return r.error;
  };
  const observe = (over: Partial<ApplianceObservation> = {}) =>
    c.alerts.observe([
      {
        applianceId: 'app-1',
        name: 'edge-1',
        at: c.clock.now().getTime(),
        connectivity: { state: 'online', since: 0, reason: null },
        agent: { health: 'ok', services: [] },
        metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 40 },
        disks: [],
        ...over,
      },
    ]);
  const audit = async () => (await call<{ entries: AuditEntry[] }>('audit.list', { limit: 100 })).entries;
  return { c, events, call, fail, observe, audit };
}

const full = (pct: number) => ({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': pct } });

describe('alert service on a real console database', () => {
  it('observe → pending → firing → list → acknowledge → resolve, with every transition audited', async () => {
    const { c, events, call, fail, observe, audit } = setup();
    observe(full(97));
    let list = await call<{ alerts: Alert[] }>('alerts.list', {});
    expect(list.alerts).toEqual([expect.objectContaining({ ruleId: 'filesystem-full', state: 'pending', subject: '/srv/disks/d1', severity: 'critical', value: 97, unit: 'percent' })]);
    const pendingId = list.alerts[0]!.id;
    expect((await fail('alerts.acknowledge', { id: pendingId })).message).toMatch(/not firing yet/);

    c.clock.advance(60_000);
    const round = observe(full(97));
    expect(round.newlyFiring).toEqual([expect.objectContaining({ id: pendingId, applianceName: 'edge-1', severity: 'critical', silenced: false })]);
    expect(events.at(-1)!.newlyFiring.map((a) => a.id)).toEqual([pendingId]);
    expect(await call('alerts.summary', {})).toEqual({ unacknowledged: 1, firing: { critical: 1, warning: 0 }, acknowledged: 0, pending: 0, silenced: 0 });

    const acked = await call<Alert>('alerts.acknowledge', { id: pendingId, note: 'deleting old recordings' });
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'tester (cli)', note: 'deleting old recordings' } });
    expect((await fail('alerts.acknowledge', { id: pendingId })).message).toMatch(/tester \(cli\) already acknowledged/);
    expect((await fail('alerts.acknowledge', { id: 'nope' })).code).toBe('not-found');
    expect(await call('alerts.summary', {})).toMatchObject({ unacknowledged: 0, acknowledged: 1 });

    // The acknowledgement survives the next rounds (state is read from the database each round).
    c.clock.advance(60_000);
    observe(full(98));
    c.clock.advance(60_000);
    observe(full(50));
    list = await call<{ alerts: Alert[] }>('alerts.list', {});
    expect(list.alerts).toEqual([]);
    const history = await call<{ alerts: Alert[] }>('alerts.list', { states: ['resolved'] });
    expect(history.alerts).toEqual([expect.objectContaining({ id: pendingId, state: 'resolved', resolution: 'condition-cleared', acknowledged: expect.objectContaining({ note: 'deleting old recordings' }) })]);

    const rows = (await audit()).map((e) => `${e.actor}:${e.method}:${e.target}:${e.result}`);
    // Newest first: the system's transitions and the person's call, each once.
    expect(rows.filter((r) => r.includes('alert'))).toEqual([
      'system:alert.resolved:app-1:ok',
      'tester:alerts.acknowledge:nope:error',
      'tester:alerts.acknowledge:' + pendingId + ':error',
      'tester:alerts.acknowledge:' + pendingId + ':ok',
      'system:alert.firing:app-1:ok',
      'tester:alerts.acknowledge:' + pendingId + ':error',
    ]);
    const resolvedRow = (await audit()).find((e) => e.method === 'alert.resolved')!;
    expect(resolvedRow.input).toMatchObject({ alertId: pendingId, ruleId: 'filesystem-full', from: 'acknowledged', resolution: 'condition-cleared', value: 98 });
  });

  it('pages through a long history with a cursor', async () => {
    const { c, call, observe } = setup();
    for (let i = 0; i < 7; i++) {
      observe({ ...full(99), connectivity: { state: 'online', since: 0, reason: null } });
      c.clock.advance(61_000);
      observe(full(99));
      c.clock.advance(1_000);
      observe(full(10));
    }
    const seen: string[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page: { alerts: Alert[]; nextCursor: number | null } = await call('alerts.list', { states: ['resolved'], limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.alerts.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect((await call<{ alerts: Alert[] }>('alerts.list', { states: ['resolved'], applianceId: 'other' })).alerts).toEqual([]);
  });

  it('silences: silenced alerts fire without notifying and show as silenced; lifting and expiry end them', async () => {
    const { c, call, fail, observe } = setup();
    const s = await call<{ id: string; active: boolean; createdBy: string }>('alerts.silence', { match: { ruleId: 'appliance-offline', applianceId: 'app-1' }, durationMinutes: 60, reason: 'moving the rack' });
    expect(s).toMatchObject({ active: true, createdBy: 'tester (cli)' });
    const off = { connectivity: { state: 'offline' as const, since: c.clock.now().getTime() - 5 * 60_000, reason: 'no route' }, agent: null, metrics: {} };
    expect(observe(off).newlyFiring).toEqual([expect.objectContaining({ ruleId: 'appliance-offline', silenced: true })]);
    const [alert] = (await call<{ alerts: Alert[] }>('alerts.list', {})).alerts;
    expect(alert).toMatchObject({ state: 'firing', silencedBy: s.id });
    expect(await call('alerts.summary', {})).toMatchObject({ unacknowledged: 0, silenced: 1, firing: { critical: 1, warning: 0 } });

    await call('alerts.unsilence', { id: s.id });
    expect((await fail('alerts.unsilence', { id: s.id })).message).toMatch(/already lifted/);
    expect((await call<{ alerts: Alert[] }>('alerts.list', {})).alerts[0]!.silencedBy).toBeNull();
    expect(await call('alerts.summary', {})).toMatchObject({ unacknowledged: 1, silenced: 0 });

    const short = await call<{ id: string }>('alerts.silence', { match: { applianceId: 'app-1' }, durationMinutes: 5, reason: 'reboot' });
    expect((await call<{ silences: { id: string }[] }>('alerts.silences', {})).silences.map((x) => x.id)).toEqual([short.id]);
    c.clock.advance(6 * 60_000);
    expect((await call<{ silences: unknown[] }>('alerts.silences', {})).silences).toEqual([]);
    const all = (await call<{ silences: { id: string; active: boolean }[] }>('alerts.silences', { includeEnded: true })).silences;
    expect(all.map((x) => `${x.id}:${x.active}`).sort()).toEqual([`${s.id}:false`, `${short.id}:false`].sort());
    expect((await fail('alerts.unsilence', { id: short.id })).message).toMatch(/already expired/);

    const broad = await fail('alerts.silence', { match: {}, durationMinutes: 5, reason: 'x' });
    expect(broad.issues?.[0]).toMatchObject({ code: 'silence-too-broad' });
    expect((await fail('alerts.silence', { match: { applianceId: 'app-1' }, durationMinutes: 0, reason: 'x' })).issues?.[0]).toMatchObject({ path: 'durationMinutes', code: 'too-small' });
    expect((await fail('alerts.silence', { match: { applianceId: 'app-1' }, durationMinutes: 5, reason: ' ' })).issues?.[0]).toMatchObject({ path: 'reason' });
  });

  it('rule updates are validated with clear field errors, applied to the next round, and reset', async () => {
    const { c, call, fail, observe } = setup();
    const err = await fail('alerts.updateRule', { id: 'filesystem-full', thresholds: { warningPercent: 97 } });
    expect(err.code).toBe('invalid-input');
    expect(err.issues).toEqual([expect.objectContaining({ path: 'thresholds.warningPercent', code: 'threshold-order', params: { warning: 97, critical: 95 } })]);
    expect(err.message).toMatch(/warning level \(97 %\) must be below the critical level \(95 %\)/);
    expect((await fail('alerts.updateRule', { id: 'cpu-high', thresholds: { celsius: 5 } })).issues?.[0]).toMatchObject({ path: 'thresholds.celsius', code: 'unknown-threshold' });
    expect((await fail('alerts.updateRule', { id: 'cpu-high', thresholds: { percent: 0 } })).issues?.[0]).toMatchObject({ code: 'too-small', params: { limit: 1 } });
    expect((await fail('alerts.updateRule', { id: 'no-such-rule' })).issues?.[0]).toMatchObject({ path: 'id', code: 'invalid-value' });
    expect((await fail('alerts.updateRule', { id: 'cpu-high', durationSeconds: 90_000 })).issues?.[0]).toMatchObject({ path: 'durationSeconds', code: 'too-big' });

    const updated = await call<{ customised: boolean; thresholds: { key: string; value: number }[]; durationSeconds: number }>('alerts.updateRule', { id: 'filesystem-full', thresholds: { warningPercent: 70 }, durationSeconds: 0 });
    expect(updated).toMatchObject({ customised: true, durationSeconds: 0, thresholds: [{ key: 'warningPercent', value: 70 }, { key: 'criticalPercent', value: 95 }] });
    expect(observe(full(75)).newlyFiring).toEqual([expect.objectContaining({ ruleId: 'filesystem-full', severity: 'warning' })]);

    await call('alerts.updateRule', { id: 'filesystem-full', enabled: false });
    const history = (await call<{ alerts: Alert[] }>('alerts.list', { states: ['resolved'] })).alerts;
    expect(history).toEqual([expect.objectContaining({ resolution: 'rule-disabled' })]);
    expect(observe(full(99)).newlyFiring).toEqual([]);

    const reset = await call<{ customised: boolean; enabled: boolean; durationSeconds: number }>('alerts.resetRule', { id: 'filesystem-full' });
    expect(reset).toMatchObject({ customised: false, enabled: true, durationSeconds: 60 });
    const rules = (await call<{ rules: { id: string; customised: boolean }[] }>('alerts.rules', {})).rules;
    expect(rules.length).toBe(15);
    expect(rules.filter((r) => r.customised)).toEqual([]);
    c.clock.advance(1000);
  });

  it('removing an appliance ends its alerts as history', async () => {
    const { c, call } = setup();
    const a = await call<{ id: string }>('fleet.add', { name: 'edge-9', address: '10.9.9.9' });
    c.alerts.observe([
      { applianceId: a.id, name: 'edge-9', at: 0, connectivity: { state: 'online', since: 0, reason: null }, agent: { health: 'failing', services: [] }, metrics: {}, disks: [{ device: 'sda', verdict: 'failed', reasons: ['SMART overall: FAILED'], temperatureC: null, lastSelfTest: null }] },
    ]);
    expect((await call<{ alerts: Alert[] }>('alerts.list', {})).alerts.map((x) => x.state).sort()).toEqual(['firing', 'pending']);
    await call('fleet.remove', { id: a.id });
    expect((await call<{ alerts: Alert[] }>('alerts.list', {})).alerts).toEqual([]);
    expect((await call<{ alerts: Alert[] }>('alerts.list', { states: ['resolved'] })).alerts).toEqual([expect.objectContaining({ ruleId: 'disk-health-worse', resolution: 'appliance-removed', applianceName: 'edge-9' })]);
  });
});
