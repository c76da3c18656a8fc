import { LOG_LEVELS, type LogEntry, type LogLevel, type LogRecord, type LogsResult } from '../../protocol/payloads/logs';

/**
 * The recent log kept in memory for `logs.v1`. Each entry gets a sequence number of this agent
 * run; cursors are `<runId>.<seq>`, so a cursor from before a restart is recognised as foreign
 * (answer: from the oldest entry, `reset: true`) instead of silently skipping or repeating lines.
 */
export interface LogRing {
  readonly runId: string;
  append(record: LogRecord): void;
  query(q: LogQuery): LogsResult;
  size(): number;
}

export interface LogQuery {
  after?: string | undefined;
  limit: number;
  service?: string | undefined;
  minLevel?: LogLevel | undefined;
}

interface Slot {
  seq: number;
  record: LogRecord;
}

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function createLogRing(opts: { capacity: number; runId: string }): LogRing {
  const { capacity, runId } = opts;
  let slots: Slot[] = [];
  let nextSeq = 1;
  const cursorOf = (seq: number) => `${runId}.${seq}`;

  function matches(slot: Slot, q: LogQuery): boolean {
    if (q.service !== undefined && slot.record.service !== q.service) return false;
    if (q.minLevel !== undefined && levelRank(slot.record.level) < levelRank(q.minLevel)) return false;
    return true;
  }

  return {
    runId,
    append(record) {
      slots.push({ seq: nextSeq++, record });
      // Trim in chunks so appending stays O(1) amortised.
      if (slots.length > capacity + Math.ceil(capacity / 4)) slots = slots.slice(slots.length - capacity);
    },
    size: () => Math.min(slots.length, capacity),
    query(q) {
      const kept = slots.length > capacity ? slots.slice(slots.length - capacity) : slots;
      const last = kept[kept.length - 1];
      const endCursor = last ? cursorOf(last.seq) : null;
      const toEntry = (s: Slot): LogEntry => ({ ...s.record, cursor: cursorOf(s.seq) });

      if (q.after === undefined) {
        const picked: Slot[] = [];
        for (let i = kept.length - 1; i >= 0 && picked.length < q.limit; i--) {
          const slot = kept[i]!;
          if (matches(slot, q)) picked.push(slot);
        }
        return { entries: picked.reverse().map(toEntry), nextCursor: endCursor, reset: false, more: false };
      }

      const [cursorRun, seqText] = q.after.split('.');
      const afterSeq = Number(seqText);
      const first = kept[0];
      const foreign = cursorRun !== runId || afterSeq >= nextSeq;
      const lostLines = first !== undefined && afterSeq < first.seq - 1;
      const reset = foreign || lostLines;
      const startIndex = reset || !first ? 0 : Math.max(0, afterSeq - first.seq + 1);

      const picked: Slot[] = [];
      let i = startIndex;
      for (; i < kept.length && picked.length < q.limit; i++) {
        const slot = kept[i]!;
        if (matches(slot, q)) picked.push(slot);
      }
      const more = kept.slice(i).some((s) => matches(s, q));
      const lastPicked = picked[picked.length - 1];
      const nextCursor = more && lastPicked ? cursorOf(lastPicked.seq) : (endCursor ?? (reset ? null : q.after));
      return { entries: picked.map(toEntry), nextCursor, reset, more };
    },
  };
}
