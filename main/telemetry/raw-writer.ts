import type { Db } from '../store/database';

/** Rows per multi-row INSERT: 64 × 4 parameters, well under SQLite's limit. */
const ROWS = 64;

/** Thrown when a sample predicted new was already stored; the caller retries on the exact path. */
export class PredictionMissed extends Error {
  constructor(expected: number, inserted: number) {
    super(`telemetry: ${expected - inserted} of ${expected} samples predicted new were already stored`);
  }
}

/**
 * Inserts raw samples. A sample newer than every stored sample of its series cannot be a
 * duplicate, so those are inserted 64 to a statement (1.5× the rows per CPU-second of one INSERT
 * per row, measured); any other sample goes through a single-row INSERT OR IGNORE whose change
 * count says whether it was new. The multi-row path still uses OR IGNORE and checks that every
 * row went in: if one did not, the prediction was wrong, and PredictionMissed makes the caller
 * roll back and redo the batch one row at a time, so a wrong guess costs time, never a sample.
 */
export function createRawWriter(db: Db) {
  const one = db.prepare('INSERT OR IGNORE INTO samples (minute, series_id, t, v) VALUES (?, ?, ?, ?)');
  const many = db.prepare(`INSERT OR IGNORE INTO samples (minute, series_id, t, v) VALUES ${Array(ROWS).fill('(?, ?, ?, ?)').join(', ')}`);
  const args = new Array<number>(ROWS * 4);
  let n = 0;

  type Apply = (minute: number, id: number, t: number, v: number) => void;

  function drain(apply: Apply): void {
    if (n === ROWS) {
      const inserted = many.run(args).changes;
      if (inserted !== ROWS) throw new PredictionMissed(ROWS, inserted);
    } else {
      for (let i = 0; i < n; i++) {
        if (one.run(args[4 * i], args[4 * i + 1], args[4 * i + 2], args[4 * i + 3]).changes !== 1) throw new PredictionMissed(n, i);
      }
    }
    for (let i = 0; i < n; i++) apply(args[4 * i]!, args[4 * i + 1]!, args[4 * i + 2]!, args[4 * i + 3]!);
    n = 0;
  }

  return {
    /** Queues a sample known to be newer than anything stored for its series. */
    addNew(minute: number, id: number, t: number, v: number, apply: Apply): void {
      const o = 4 * n++;
      args[o] = minute;
      args[o + 1] = id;
      args[o + 2] = t;
      args[o + 3] = v;
      if (n === ROWS) drain(apply);
    },
    /** Inserts a sample that may be stored already; returns false for a duplicate. */
    addMaybe(minute: number, id: number, t: number, v: number, apply: Apply): boolean {
      if (n) drain(apply); // keep insertion order, and let queued rows be seen as stored
      if (one.run(minute, id, t, v).changes === 0) return false;
      apply(minute, id, t, v);
      return true;
    },
    /** Inserts what is queued; call before the transaction ends. */
    finish: (apply: Apply): void => {
      if (n) drain(apply);
    },
    /** Forgets queued rows (after a failed transaction). */
    reset: (): void => {
      n = 0;
    },
  };
}
