import type { Db } from '../store/database';
import { canonicalLabels, parseLabels, type SeriesKey } from './telemetry-types';

export interface SeriesInfo {
  id: number;
  applianceId: string;
  metric: string;
  labels?: Record<string, string>;
}

/**
 * Every series (appliance × metric × labels) with its integer id, held in memory: the ingest path
 * resolves one per sample, and a fleet of 1,000 appliances has only ~30,000 of them.
 */
export function loadSeriesRegistry(db: Db) {
  const insert = db.prepare('INSERT INTO series (appliance_id, metric, labels) VALUES (?, ?, ?)');
  const byAppliance = new Map<string, Map<string, number>>();
  const info = new Map<number, SeriesInfo>();
  let maxId = 0;

  const remember = (id: number, applianceId: string, metric: string, labels: string) => {
    let m = byAppliance.get(applianceId);
    if (!m) byAppliance.set(applianceId, (m = new Map()));
    m.set(labels ? `${metric}\u0000${labels}` : metric, id);
    info.set(id, { id, applianceId, metric, labels: parseLabels(labels) });
    if (id > maxId) maxId = id;
  };
  for (const r of db.prepare('SELECT id, appliance_id, metric, labels FROM series').raw().iterate() as IterableIterator<[number, string, string, string]>) {
    remember(r[0], r[1], r[2], r[3]);
  }

  function find(key: SeriesKey): number | undefined {
    const labels = canonicalLabels(key.labels);
    return byAppliance.get(key.applianceId)?.get(labels ? `${key.metric}\u0000${labels}` : key.metric);
  }

  return {
    find,
    /** The series' id, created (inside the caller's transaction) on first sight. */
    id(key: SeriesKey): number {
      const labels = key.labels ? canonicalLabels(key.labels) : '';
      const found = byAppliance.get(key.applianceId)?.get(labels ? `${key.metric}\u0000${labels}` : key.metric);
      if (found !== undefined) return found;
      const id = Number(insert.run(key.applianceId, key.metric, labels).lastInsertRowid);
      remember(id, key.applianceId, key.metric, labels);
      return id;
    },
    ofAppliance(applianceId: string): SeriesInfo[] {
      const m = byAppliance.get(applianceId);
      return m ? [...m.values()].map((id) => info.get(id)!) : [];
    },
    applianceIds: (): string[] => [...byAppliance.keys()],
    maxId: () => maxId,
  };
}
export type SeriesRegistry = ReturnType<typeof loadSeriesRegistry>;
