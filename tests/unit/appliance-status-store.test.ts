/**
 * The status store on a real SQLite file with the real migrations: the inventory in its own table
 * (migration 010, and what it moves from an older database), the small write of a check that
 * changed nothing but the times and the health answer, and the whole row when anything else changed.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { openDatabase, type Db } from '../../main/store/database';
import { createApplianceStatusStore, type ApplianceStatusRecord } from '../../main/store/appliance-status-store';
import { makeTempDir } from '../helpers/temp-dir';

const clock = manualClock('2026-03-01T08:00:00.000Z');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(targetVersion?: number): { db: Db; dir: string } {
  const t = makeTempDir('status-store');
  const db = openDatabase({ dataDir: t.dir, clock, log: silentLogger, ...(targetVersion ? { targetVersion } : {}) });
  cleanups.push(() => {
    if (db.open) db.close();
    t.cleanup();
  });
  return { db, dir: t.dir };
}

function addAppliance(db: Db, id: string): void {
  db.prepare(`INSERT INTO appliances VALUES (?, ?, ?, 22, 'root', 'server', '[]', '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).run(id, `edge-${id}`, `10.0.0.${id.slice(1)}`);
}

const health = (now: string, uptimeSeconds: number) => ({ status: 'ok', reasons: [], startedAt: '2026-03-01T07:00:00.000Z', uptimeSeconds, now, pid: 42 });
const services = [{ name: 'kodo', state: 'running', pid: 7, user: null, startedAt: '2026-03-01T07:00:00.000Z', restarts: 0, crashes: 0, consecutiveFailures: 0, flapping: false, lastExit: null, nextRestartAt: null, backoffMs: null, lastError: null }];

function record(at: string, patch: Partial<ApplianceStatusRecord> = {}): ApplianceStatusRecord {
  return {
    applianceId: 'a1',
    state: 'online',
    since: '2026-03-01T07:00:00.000Z',
    reason: null,
    reasonCode: null,
    reasonParams: {},
    checkedAt: at,
    lastSeenAt: at,
    agentSeenAt: at,
    agentVersion: '0.1.0',
    agentPid: 42,
    agentStartedAt: '2026-03-01T07:00:00.000Z',
    clockSkewMs: 3,
    health: health(at, 3600),
    services,
    inventoryAt: null,
    ...patch,
  };
}

describe('appliance status store', () => {
  it('keeps the inventory in its own table: a check reads and writes the status without it', () => {
    const { db } = open();
    addAppliance(db, 'a1');
    const store = createApplianceStatusStore(db);
    expect(store.put(record('2026-03-01T08:00:00.000Z'))).toBe(true);
    expect(store.putInventory('a1', { hostname: 'edge-a1', blockDevices: [] }, '2026-03-01T08:00:01.000Z')).toBe(true);

    expect(store.get('a1')).toMatchObject({ inventory: { hostname: 'edge-a1' }, inventoryAt: '2026-03-01T08:00:01.000Z', state: 'online' });
    expect(store.all()).toEqual([store.get('a1')]);
    const forCheck = store.getStatus('a1')!;
    expect(forCheck.inventoryAt).toBe('2026-03-01T08:00:01.000Z');
    expect('inventory' in forCheck).toBe(false);
    // A status written from a record without an inventory keeps the one stored.
    store.put({ ...forCheck, state: 'degraded', reason: 'x' }, forCheck);
    expect(store.get('a1')).toMatchObject({ state: 'degraded', inventory: { hostname: 'edge-a1' } });
    // A record that carries one (older callers) writes it.
    store.put({ ...record('2026-03-01T08:00:10.000Z'), inventory: { hostname: 'renamed' }, inventoryAt: '2026-03-01T08:00:10.000Z' });
    expect(store.get('a1')).toMatchObject({ inventory: { hostname: 'renamed' }, inventoryAt: '2026-03-01T08:00:10.000Z' });
    expect(db.prepare("SELECT name FROM pragma_table_info('appliance_status') WHERE name LIKE 'inventory%'").all()).toEqual([]);
  });

  it('updates only the times and the health answer when nothing else changed, and the whole row otherwise', () => {
    const { db } = open();
    addAppliance(db, 'a1');
    const store = createApplianceStatusStore(db);
    const first = record('2026-03-01T08:00:00.000Z');
    store.put(first);
    // A row the small update must not overwrite, to tell which statement ran: another process's
    // services (the CLI's own check) written after this check read its `prev`.
    const prev = store.getStatus('a1')!;
    db.prepare("UPDATE appliance_status SET services_json = '[]' WHERE appliance_id = 'a1'").run();
    const next = { ...prev, checkedAt: '2026-03-01T08:00:10.000Z', lastSeenAt: '2026-03-01T08:00:10.000Z', agentSeenAt: '2026-03-01T08:00:10.000Z', clockSkewMs: 5, health: health('2026-03-01T08:00:10.000Z', 3610) };
    expect(store.put(next, prev)).toBe(true);
    const touched = store.get('a1')!;
    expect(touched).toMatchObject({ checkedAt: '2026-03-01T08:00:10.000Z', agentSeenAt: '2026-03-01T08:00:10.000Z', clockSkewMs: 5, health: { uptimeSeconds: 3610, now: '2026-03-01T08:00:10.000Z' } });
    expect(touched.services).toEqual([]); // the small update left the other columns alone

    // A service that restarted: the whole row.
    const restarted = [{ ...services[0]!, restarts: 1 }];
    const prev2 = store.getStatus('a1')!;
    expect(store.put({ ...prev2, checkedAt: '2026-03-01T08:00:20.000Z', services: restarted }, { ...prev2, services })).toBe(true);
    expect(store.get('a1')!.services).toEqual(restarted);
    // A state change: the whole row.
    const prev3 = store.getStatus('a1')!;
    store.put({ ...prev3, checkedAt: '2026-03-01T08:00:30.000Z', state: 'degraded', since: '2026-03-01T08:00:30.000Z', reason: 'agent silent', reasonCode: 'agent.silent' }, prev3);
    expect(store.get('a1')).toMatchObject({ state: 'degraded', since: '2026-03-01T08:00:30.000Z', reasonCode: 'agent.silent' });
  });

  it('answers false, writing nothing, for an appliance removed during its check', () => {
    const { db } = open();
    addAppliance(db, 'a1');
    const store = createApplianceStatusStore(db);
    store.put(record('2026-03-01T08:00:00.000Z'));
    const prev = store.getStatus('a1')!;
    db.prepare("DELETE FROM appliances WHERE id = 'a1'").run();
    expect(store.put({ ...prev, checkedAt: '2026-03-01T08:00:10.000Z' }, prev)).toBe(false);
    expect(store.put({ ...prev, state: 'offline' }, prev)).toBe(false);
    expect(store.putInventory('a1', { hostname: 'gone' }, '2026-03-01T08:00:10.000Z')).toBe(false);
    expect(store.all()).toEqual([]);
  });

  it('writes a batch of metric cursors in one transaction', () => {
    const { db } = open();
    addAppliance(db, 'a1');
    addAppliance(db, 'a2');
    const store = createApplianceStatusStore(db);
    store.put(record('2026-03-01T08:00:00.000Z'));
    store.put(record('2026-03-01T08:00:00.000Z', { applianceId: 'a2' }));
    store.setMetricsCursors([
      ['a1', 'h1.10'],
      ['a2', 'h2.20'],
    ]);
    expect([store.getMetricsCursor('a1'), store.getMetricsCursor('a2')]).toEqual(['h1.10', 'h2.20']);
  });

  it('moves an inventory kept by schema 9 into its own table (migration 010)', () => {
    const { db, dir } = open(9);
    addAppliance(db, 'a1');
    addAppliance(db, 'a2');
    db.prepare(
      `INSERT INTO appliance_status (appliance_id, state, since, checked_at, inventory_json, inventory_at, metrics_cursor) VALUES ('a1', 'online', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '{"hostname":"edge-a1"}', '2026-01-01T00:00:00Z', 'h.5')`,
    ).run();
    db.prepare(`INSERT INTO appliance_status (appliance_id, state, since, checked_at) VALUES ('a2', 'offline', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).run();
    db.close();
    const upgraded = openDatabase({ dataDir: dir, clock, log: silentLogger });
    cleanups.push(() => upgraded.close());
    const store = createApplianceStatusStore(upgraded);
    expect(store.get('a1')).toMatchObject({ state: 'online', inventory: { hostname: 'edge-a1' }, inventoryAt: '2026-01-01T00:00:00Z' });
    expect(store.getMetricsCursor('a1')).toBe('h.5');
    expect(store.get('a2')).toMatchObject({ state: 'offline', inventory: null, inventoryAt: null });
    const raw = new Database(path.join(dir, 'console.sqlite'), { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM appliance_inventory').pluck().get()).toBe(1);
    raw.close();
  });
});
