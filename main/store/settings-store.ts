import type { Db } from './database';

/** Small key → JSON value table for console preferences. */
export function createSettingsStore(db: Db) {
  const get = db.prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`);
  const set = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  return {
    get<T>(key: string, fallback: T): T {
      const row = get.get(key);
      return row ? (JSON.parse(row.value) as T) : fallback;
    },
    set(key: string, value: unknown): void {
      set.run(key, JSON.stringify(value));
    },
  };
}
export type SettingsStore = ReturnType<typeof createSettingsStore>;
