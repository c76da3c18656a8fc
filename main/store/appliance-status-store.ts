import type { Db } from './database';

/**
 * The console's last-known view of each appliance (migration 006): written by the fleet watch
 * after every check, read by the UI and the CLI. JSON columns hold the agent's answers exactly as
 * its protocol schemas accepted them; readers validate again through the API contract.
 *
 * Written every 10 s for every appliance, so the hot path is kept small (measured with
 * `npm run bench -- fleet`): the inventory lives in its own table (migration 010) and is written
 * only when fetched; a check that changed nothing but the times and the health answer's clock
 * (`now`, uptime) updates those columns alone (`put` with the previous record).
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
  /**
   * The last `inventory.v1` answer (its own table, migration 010). Read by `get` and `all`; a
   * record from `getStatus` leaves it out (undefined), and `put` writes it only when given.
   */
  inventory?: unknown;
  inventoryAt: string | null;
}

/** A record as `get` and `all` read it: with the inventory. */
export type ApplianceStatusWithInventory = ApplianceStatusRecord & { inventory: unknown };

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
  inventory_at: string | null;
}

interface StatusRowWithInventory extends StatusRow {
  inventory_json: string | null;
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
    inventoryAt: r.inventory_at,
  };
}

const withInventory = (r: StatusRowWithInventory): ApplianceStatusWithInventory => ({ ...fromRow(r), inventory: parse(r.inventory_json) });

/**
 * What a check changes on a machine where nothing happened: the times, the skew, and the health
 * answer (its `now` and uptime move every time). Anything else differing needs the whole row.
 */
function onlyTimesChanged(prev: ApplianceStatusRecord, next: ApplianceStatusRecord): boolean {
  return (
    prev.state === next.state &&
    prev.since === next.since &&
    prev.reason === next.reason &&
    prev.reasonCode === next.reasonCode &&
    prev.agentVersion === next.agentVersion &&
    prev.agentPid === next.agentPid &&
    prev.agentStartedAt === next.agentStartedAt &&
    json(prev.reasonParams) === json(next.reasonParams) &&
    json(prev.services) === json(next.services)
  );
}

export function createApplianceStatusStore(db: Db) {
  const columns = 's.*, i.collected_at AS inventory_at';
  const getStatus = db.prepare<[string], StatusRow>(`SELECT ${columns} FROM appliance_status s LEFT JOIN appliance_inventory i USING (appliance_id) WHERE s.appliance_id = ?`);
  const getOne = db.prepare<[string], StatusRowWithInventory>(`SELECT ${columns}, i.inventory_json FROM appliance_status s LEFT JOIN appliance_inventory i USING (appliance_id) WHERE s.appliance_id = ?`);
  const getAll = db.prepare<[], StatusRowWithInventory>(`SELECT ${columns}, i.inventory_json FROM appliance_status s LEFT JOIN appliance_inventory i USING (appliance_id)`);
  const upsert = db.prepare(`
    INSERT INTO appliance_status (appliance_id, state, since, reason, reason_code, reason_params_json, checked_at, last_seen_at, agent_seen_at, agent_version, agent_pid,
      agent_started_at, clock_skew_ms, health_json, services_json)
    VALUES (@applianceId, @state, @since, @reason, @reasonCode, @reasonParams, @checkedAt, @lastSeenAt, @agentSeenAt, @agentVersion, @agentPid,
      @agentStartedAt, @clockSkewMs, @health, @services)
    ON CONFLICT (appliance_id) DO UPDATE SET
      state = excluded.state, since = excluded.since, reason = excluded.reason, reason_code = excluded.reason_code,
      reason_params_json = excluded.reason_params_json, checked_at = excluded.checked_at,
      last_seen_at = excluded.last_seen_at, agent_seen_at = excluded.agent_seen_at, agent_version = excluded.agent_version, agent_pid = excluded.agent_pid,
      agent_started_at = excluded.agent_started_at, clock_skew_ms = excluded.clock_skew_ms,
      health_json = excluded.health_json, services_json = excluded.services_json
  `);
  const touch = db.prepare<[string, string | null, string | null, number | null, string | null, string]>(
    'UPDATE appliance_status SET checked_at = ?, last_seen_at = ?, agent_seen_at = ?, clock_skew_ms = ?, health_json = ? WHERE appliance_id = ?',
  );
  const upsertInventory = db.prepare<[string, string, string]>(
    'INSERT INTO appliance_inventory (appliance_id, inventory_json, collected_at) VALUES (?, ?, ?) ON CONFLICT (appliance_id) DO UPDATE SET inventory_json = excluded.inventory_json, collected_at = excluded.collected_at',
  );
  const insertEvent = db.prepare('INSERT INTO appliance_events (appliance_id, at, kind, message, details_json) VALUES (?, ?, ?, ?, ?)');
  const eventsPage = db.prepare<[string | null, string | null, number, number], EventRow>(
    'SELECT * FROM appliance_events WHERE (? IS NULL OR appliance_id = ?) AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const exists = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM appliances WHERE id = ?');
  const getCursor = db.prepare<[string], string | null>('SELECT metrics_cursor FROM appliance_status WHERE appliance_id = ?').pluck();
  const setCursor = db.prepare('UPDATE appliance_status SET metrics_cursor = ? WHERE appliance_id = ?');
  const setCursors = db.transaction((cursors: Iterable<[string, string]>) => {
    for (const [applianceId, cursor] of cursors) setCursor.run(cursor, applianceId);
  });

  function putInventory(applianceId: string, inventory: unknown, at: string): boolean {
    if (exists.get(applianceId)!.n === 0) return false;
    upsertInventory.run(applianceId, JSON.stringify(inventory), at);
    return true;
  }

  return {
    /** Where the console is in the appliance's metric history (migration 007); null: pull from the oldest. */
    getMetricsCursor: (applianceId: string): string | null => getCursor.get(applianceId) ?? null,
    setMetricsCursor: (applianceId: string, cursor: string): void => void setCursor.run(cursor, applianceId),
    /** Several appliances' cursors in one transaction (a round's batch: one commit, not one per appliance). */
    setMetricsCursors: (cursors: Iterable<[string, string]>): void => setCursors(cursors),
    /** The record with its inventory (the UI's and the CLI's reads). */
    get(applianceId: string): ApplianceStatusWithInventory | null {
      const row = getOne.get(applianceId);
      return row ? withInventory(row) : null;
    },
    /** The record without the inventory's JSON (only when it was taken): what a check reads every round. */
    getStatus(applianceId: string): ApplianceStatusRecord | null {
      const row = getStatus.get(applianceId);
      return row ? fromRow(row) : null;
    },
    all(): ApplianceStatusWithInventory[] {
      return getAll.all().map(withInventory);
    },
    /**
     * Returns false when the appliance was removed meanwhile (a check finishing after a removal).
     * Given the record it replaces (`prev`, as read for the check), a check that changed only the
     * times and the health answer updates those columns alone. An `inventory` in the record is
     * written too (with `inventoryAt`); without one the kept inventory stays.
     */
    put(s: ApplianceStatusRecord, prev?: ApplianceStatusRecord | null): boolean {
      if (prev && onlyTimesChanged(prev, s)) {
        if (touch.run(s.checkedAt, s.lastSeenAt, s.agentSeenAt, s.clockSkewMs, json(s.health), s.applianceId).changes > 0) return true;
      }
      if (exists.get(s.applianceId)!.n === 0) return false;
      upsert.run({ ...s, reasonParams: json(s.reasonParams), health: json(s.health), services: json(s.services) });
      if (s.inventory !== undefined && s.inventory !== null && s.inventoryAt !== null) putInventory(s.applianceId, s.inventory, s.inventoryAt);
      return true;
    },
    /** The last `inventory.v1` answer; false when the appliance was removed meanwhile. */
    putInventory,
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
