import type { Db } from './database';

/**
 * The console's last-known view of each appliance (migration 006): written by the fleet watch
 * after every check, read by the UI and the CLI. JSON columns hold the agent's answers exactly as
 * its protocol schemas accepted them; readers validate again through the API contract.
 */
export type { ConnectivityState } from '../contract/status.contract';
import type { ConnectivityState } from '../contract/status.contract';

export interface ApplianceStatusRecord {
  applianceId: string;
  state: ConnectivityState;
  /** When the appliance entered `state`. */
  since: string;
  /** Why it is not online, in words a person can act on; null when online. */
  reason: string | null;
  /** The same, as a code and parameters the UI translates (migration 008); null when online. */
  reasonCode: string | null;
  reasonParams: Record<string, string | number>;
  checkedAt: string;
  /** Last time the console reached the appliance over SSH. */
  lastSeenAt: string | null;
  /** Last time the agent answered (`lastSeenAt` is when SSH did). */
  agentSeenAt: string | null;
  agentVersion: string | null;
  agentPid: number | null;
  agentStartedAt: string | null;
  /** Appliance clock minus console clock, from the agent's `now` (null before the agent answered). */
  clockSkewMs: number | null;
  health: unknown;
  services: unknown;
  inventory: unknown;
  inventoryAt: string | null;
}

export interface ApplianceEventRecord {
  id: number;
  applianceId: string;
  at: string;
  kind: string;
  message: string;
  details: unknown;
}

interface StatusRow {
  appliance_id: string;
  state: ConnectivityState;
  since: string;
  reason: string | null;
  reason_code: string | null;
  reason_params_json: string | null;
  checked_at: string;
  last_seen_at: string | null;
  agent_seen_at: string | null;
  agent_version: string | null;
  agent_pid: number | null;
  agent_started_at: string | null;
  clock_skew_ms: number | null;
  health_json: string | null;
  services_json: string | null;
  inventory_json: string | null;
  inventory_at: string | null;
}

interface EventRow {
  id: number;
  appliance_id: string;
  at: string;
  kind: string;
  message: string;
  details_json: string | null;
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

function fromRow(r: StatusRow): ApplianceStatusRecord {
  return {
    applianceId: r.appliance_id,
    state: r.state,
    since: r.since,
    reason: r.reason,
    reasonCode: r.reason_code,
    reasonParams: (parse(r.reason_params_json) as Record<string, string | number> | null) ?? {},
    checkedAt: r.checked_at,
    lastSeenAt: r.last_seen_at,
    agentSeenAt: r.agent_seen_at,
    agentVersion: r.agent_version,
    agentPid: r.agent_pid,
    agentStartedAt: r.agent_started_at,
    clockSkewMs: r.clock_skew_ms,
    health: parse(r.health_json),
    services: parse(r.services_json),
    inventory: parse(r.inventory_json),
    inventoryAt: r.inventory_at,
  };
}

export function createApplianceStatusStore(db: Db) {
  const getOne = db.prepare<[string], StatusRow>('SELECT * FROM appliance_status WHERE appliance_id = ?');
  const getAll = db.prepare<[], StatusRow>('SELECT * FROM appliance_status');
  // Upsert that keeps the inventory unless one is given (inventory is fetched less often than health).
  const upsert = db.prepare(`
    INSERT INTO appliance_status (appliance_id, state, since, reason, reason_code, reason_params_json, checked_at, last_seen_at, agent_seen_at, agent_version, agent_pid,
      agent_started_at, clock_skew_ms, health_json, services_json, inventory_json, inventory_at)
    VALUES (@applianceId, @state, @since, @reason, @reasonCode, @reasonParams, @checkedAt, @lastSeenAt, @agentSeenAt, @agentVersion, @agentPid,
      @agentStartedAt, @clockSkewMs, @health, @services, @inventory, @inventoryAt)
    ON CONFLICT (appliance_id) DO UPDATE SET
      state = excluded.state, since = excluded.since, reason = excluded.reason, reason_code = excluded.reason_code,
      reason_params_json = excluded.reason_params_json, checked_at = excluded.checked_at,
      last_seen_at = excluded.last_seen_at, agent_seen_at = excluded.agent_seen_at, agent_version = excluded.agent_version, agent_pid = excluded.agent_pid,
      agent_started_at = excluded.agent_started_at, clock_skew_ms = excluded.clock_skew_ms,
      health_json = excluded.health_json, services_json = excluded.services_json,
      inventory_json = coalesce(excluded.inventory_json, appliance_status.inventory_json),
      inventory_at = coalesce(excluded.inventory_at, appliance_status.inventory_at)
  `);
  const insertEvent = db.prepare('INSERT INTO appliance_events (appliance_id, at, kind, message, details_json) VALUES (?, ?, ?, ?, ?)');
  const eventsPage = db.prepare<[string | null, string | null, number, number], EventRow>(
    'SELECT * FROM appliance_events WHERE (? IS NULL OR appliance_id = ?) AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const exists = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM appliances WHERE id = ?');
  const getCursor = db.prepare<[string], string | null>('SELECT metrics_cursor FROM appliance_status WHERE appliance_id = ?').pluck();
  const setCursor = db.prepare('UPDATE appliance_status SET metrics_cursor = ? WHERE appliance_id = ?');

  return {
    /** Where the console is in the appliance's metric history (migration 007); null: pull from the oldest. */
    getMetricsCursor: (applianceId: string): string | null => getCursor.get(applianceId) ?? null,
    setMetricsCursor: (applianceId: string, cursor: string): void => void setCursor.run(cursor, applianceId),
    get(applianceId: string): ApplianceStatusRecord | null {
      const row = getOne.get(applianceId);
      return row ? fromRow(row) : null;
    },
    all(): ApplianceStatusRecord[] {
      return getAll.all().map(fromRow);
    },
    /** Returns false when the appliance was removed meanwhile (a check finishing after a removal). */
    put(s: ApplianceStatusRecord): boolean {
      if (exists.get(s.applianceId)!.n === 0) return false;
      upsert.run({ ...s, reasonParams: json(s.reasonParams), health: json(s.health), services: json(s.services), inventory: json(s.inventory) });
      return true;
    },
    addEvent(e: Omit<ApplianceEventRecord, 'id'>): ApplianceEventRecord | null {
      if (exists.get(e.applianceId)!.n === 0) return null;
      const r = insertEvent.run(e.applianceId, e.at, e.kind, e.message, json(e.details));
      return { ...e, id: Number(r.lastInsertRowid) };
    },
    /** Newest first; `before` is the id of the last event already shown (a cursor, stable while events arrive). */
    events(opts: { applianceId?: string | null; before?: number | null; limit: number }): { events: ApplianceEventRecord[]; next: number | null } {
      const id = opts.applianceId ?? null;
      const rows = eventsPage.all(id, id, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit + 1);
      const page = rows.slice(0, opts.limit).map((r) => ({ id: r.id, applianceId: r.appliance_id, at: r.at, kind: r.kind, message: r.message, details: parse(r.details_json) }));
      return { events: page, next: rows.length > opts.limit ? page[page.length - 1]!.id : null };
    },
  };
}
export type ApplianceStatusStore = ReturnType<typeof createApplianceStatusStore>;
