import type { Db } from './database';

/**
 * Notices commits made to the database by another process — the CLI, or a second console on the
 * same data directory — which this process's event bus never hears about. `PRAGMA data_version`
 * changes exactly when another connection has committed, and reading it costs one page-cache
 * lookup, so polling it every second is cheap.
 */
export function watchExternalChanges(db: Db, onChange: () => void, intervalMs = 1000): () => void {
  let last = db.pragma('data_version', { simple: true }) as number;
  const timer = setInterval(() => {
    if (!db.open) return;
    const now = db.pragma('data_version', { simple: true }) as number;
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
