import type { AuditEntry } from '../contract/audit.contract';
import type { Db } from './database';

interface Row {
  id: number;
  at: string;
  host: AuditEntry['host'];
  actor: string;
  method: string;
  target: string | null;
  input: string;
  result: AuditEntry['result'];
  error_code: string | null;
}

export type AuditRecord = Omit<AuditEntry, 'id'>;

/** Append-only record of every mutating call. Inputs arrive here already redacted. */
export function createAuditStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, host, actor, method, target, input, result, error_code)
     VALUES (@at, @host, @actor, @method, @target, @input, @result, @errorCode)`,
  );
  const page = db.prepare<[number, number], Row>(`SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`);

  return {
    append(rec: AuditRecord): number {
      return Number(insert.run({ ...rec, input: JSON.stringify(rec.input ?? null) }).lastInsertRowid);
    },
    /** Newest first; `before` is the previous page's cursor. */
    page(limit: number, before?: number): { entries: AuditEntry[]; nextCursor: number | null } {
      const rows = page.all(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const entries = rows.slice(0, limit).map((r) => ({
        id: r.id,
        at: r.at,
        host: r.host,
        actor: r.actor,
        method: r.method,
        target: r.target,
        input: JSON.parse(r.input) as unknown,
        result: r.result,
        errorCode: r.error_code,
      }));
      return { entries, nextCursor: rows.length > limit ? entries[entries.length - 1]!.id : null };
    },
  };
}
export type AuditStore = ReturnType<typeof createAuditStore>;
