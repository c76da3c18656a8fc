import type { AlertRuleId, AlertState } from './types';
import type { Db } from '../store/database';
import type { AlertRecord, OpenAlert } from './engine';
import type { RuleOverride } from './rules';
import type { SilenceRecord } from './silences';

interface AlertRow {
  seq: number;
  id: string;
  dedup_key: string;
  rule_id: AlertRuleId;
  appliance_id: string;
  appliance_name: string;
  subject: string;
  state: AlertState;
  severity: AlertRecord['severity'];
  rank: number;
  value: number | null;
  unit: AlertRecord['unit'];
  params: string;
  started_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  resolution: AlertRecord['resolution'];
  last_seen_at: number;
  escalating_since: number | null;
  ack_by: string | null;
  ack_at: number | null;
  ack_note: string | null;
}

interface SilenceRow {
  id: string;
  rule_id: AlertRuleId | null;
  appliance_id: string | null;
  subject: string | null;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_by: string;
  lifted_at: number | null;
  lifted_by: string | null;
}

function fromRow(r: AlertRow): AlertRecord & { seq: number } {
  return {
    seq: r.seq,
    id: r.id,
    key: r.dedup_key,
    ruleId: r.rule_id,
    applianceId: r.appliance_id,
    applianceName: r.appliance_name,
    subject: r.subject,
    state: r.state,
    severity: r.severity,
    rank: r.rank,
    value: r.value,
    unit: r.unit,
    params: JSON.parse(r.params) as AlertRecord['params'],
    startedAt: r.started_at,
    firedAt: r.fired_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    lastSeenAt: r.last_seen_at,
    escalatingSince: r.escalating_since,
    ack: r.ack_by !== null && r.ack_at !== null ? { by: r.ack_by, at: r.ack_at, note: r.ack_note ?? '' } : null,
  };
}

function toParams(a: AlertRecord) {
  return {
    id: a.id,
    key: a.key,
    ruleId: a.ruleId,
    applianceId: a.applianceId,
    applianceName: a.applianceName,
    subject: a.subject,
    state: a.state,
    severity: a.severity,
    rank: a.rank,
    value: a.value,
    unit: a.unit,
    params: JSON.stringify(a.params),
    startedAt: a.startedAt,
    firedAt: a.firedAt,
    resolvedAt: a.resolvedAt,
    resolution: a.resolution,
    lastSeenAt: a.lastSeenAt,
    escalatingSince: a.escalatingSince,
    ackBy: a.ack?.by ?? null,
    ackAt: a.ack?.at ?? null,
    ackNote: a.ack?.note ?? null,
  };
}

function silenceFromRow(r: SilenceRow): SilenceRecord {
  const match: SilenceRecord['match'] = {};
  if (r.rule_id !== null) match.ruleId = r.rule_id;
  if (r.appliance_id !== null) match.applianceId = r.appliance_id;
  if (r.subject !== null) match.subject = r.subject;
  return { id: r.id, match, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason, createdBy: r.created_by, liftedAt: r.lifted_at, liftedBy: r.lifted_by };
}

/** Alerts, rule overrides and silences (migration 005), with statements prepared once. */
export function createAlertStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO alerts (id, dedup_key, rule_id, appliance_id, appliance_name, subject, state, severity, rank, value, unit, params,
       started_at, fired_at, resolved_at, resolution, last_seen_at, escalating_since, ack_by, ack_at, ack_note)
     VALUES (@id, @key, @ruleId, @applianceId, @applianceName, @subject, @state, @severity, @rank, @value, @unit, @params,
       @startedAt, @firedAt, @resolvedAt, @resolution, @lastSeenAt, @escalatingSince, @ackBy, @ackAt, @ackNote)`,
  );
  const update = db.prepare(
    `UPDATE alerts SET appliance_name = @applianceName, state = @state, severity = @severity, rank = @rank, value = @value, unit = @unit,
       params = @params, fired_at = @firedAt, resolved_at = @resolvedAt, resolution = @resolution, last_seen_at = @lastSeenAt,
       escalating_since = @escalatingSince, ack_by = @ackBy, ack_at = @ackAt, ack_note = @ackNote
     WHERE id = @id`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM alerts WHERE id = ?`);
  const openRows = db.prepare<[], AlertRow>(`SELECT * FROM alerts WHERE state <> 'resolved'`);
  const byId = db.prepare<[string], AlertRow>(`SELECT * FROM alerts WHERE id = ?`);
  const overrideRows = db.prepare<[], { rule_id: AlertRuleId; override: string }>(`SELECT rule_id, override FROM alert_rule_overrides`);
  const setOverride = db.prepare(
    `INSERT INTO alert_rule_overrides (rule_id, override, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (rule_id) DO UPDATE SET override = excluded.override, updated_at = excluded.updated_at`,
  );
  const deleteOverride = db.prepare<[string]>(`DELETE FROM alert_rule_overrides WHERE rule_id = ?`);
  const insertSilence = db.prepare(
    `INSERT INTO alert_silences (id, rule_id, appliance_id, subject, starts_at, ends_at, reason, created_by)
     VALUES (@id, @ruleId, @applianceId, @subject, @startsAt, @endsAt, @reason, @createdBy)`,
  );
  const liftSilence = db.prepare(`UPDATE alert_silences SET lifted_at = ?, lifted_by = ? WHERE id = ?`);
  const silenceById = db.prepare<[string], SilenceRow>(`SELECT * FROM alert_silences WHERE id = ?`);
  const liveSilences = db.prepare<[number], SilenceRow>(`SELECT * FROM alert_silences WHERE lifted_at IS NULL AND ends_at > ? ORDER BY ends_at`);
  const allSilences = db.prepare<[number], SilenceRow>(`SELECT * FROM alert_silences ORDER BY ends_at DESC LIMIT ?`);

  return {
    open(): OpenAlert[] {
      return openRows.all().map((r) => fromRow(r) as OpenAlert);
    },
    get(id: string): AlertRecord | undefined {
      const r = byId.get(id);
      return r ? fromRow(r) : undefined;
    },
    /** Insert or update by id: the engine's transitions carry whole records. */
    save(a: AlertRecord): void {
      const p = toParams(a);
      if (update.run(p).changes === 0) insert.run(p);
    },
    remove(id: string): void {
      remove.run(id);
    },
    /** Newest first by insertion; `cursor` is the previous page's last seq. */
    page(q: { states: readonly AlertState[]; applianceId?: string; limit: number; cursor?: number }): { alerts: AlertRecord[]; nextCursor: number | null } {
      // States come from the contract's enum, so building the IN list from placeholders is safe.
      const where = [`seq < ?`, `state IN (${q.states.map(() => '?').join(', ')})`];
      const args: (string | number)[] = [q.cursor ?? Number.MAX_SAFE_INTEGER, ...q.states];
      if (q.applianceId !== undefined) {
        where.push('appliance_id = ?');
        args.push(q.applianceId);
      }
      const rows = db.prepare<(string | number)[], AlertRow>(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args, q.limit + 1);
      const alerts = rows.slice(0, q.limit).map(fromRow);
      return { alerts, nextCursor: rows.length > q.limit ? rows[q.limit - 1]!.seq : null };
    },
    overrides(): Map<AlertRuleId, RuleOverride> {
      return new Map(overrideRows.all().map((r) => [r.rule_id, JSON.parse(r.override) as RuleOverride]));
    },
    setOverride(id: AlertRuleId, o: RuleOverride, at: string): void {
      setOverride.run(id, JSON.stringify(o), at);
    },
    deleteOverride(id: AlertRuleId): void {
      deleteOverride.run(id);
    },
    insertSilence(s: SilenceRecord): void {
      insertSilence.run({ id: s.id, ruleId: s.match.ruleId ?? null, applianceId: s.match.applianceId ?? null, subject: s.match.subject ?? null, startsAt: s.startsAt, endsAt: s.endsAt, reason: s.reason, createdBy: s.createdBy });
    },
    liftSilence(id: string, at: number, by: string): void {
      liftSilence.run(at, by, id);
    },
    silence(id: string): SilenceRecord | undefined {
      const r = silenceById.get(id);
      return r ? silenceFromRow(r) : undefined;
    },
    /** Not lifted and not yet ended (including ones that start later). */
    liveSilences(now: number): SilenceRecord[] {
      return liveSilences.all(now).map(silenceFromRow);
    },
    /** The most recent silences, ended ones included, bounded so the list stays small. */
    recentSilences(limit: number): SilenceRecord[] {
      return allSilences.all(limit).map(silenceFromRow);
    },
    /** BEGIN IMMEDIATE: the write lock is taken before anything is read, so what is read is what is overwritten. */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}
export type AlertStore = ReturnType<typeof createAlertStore>;
