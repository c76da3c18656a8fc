export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface SeriesKey {
  applianceId: string;
  metric: string;
  /** Label values, e.g. { mount: '/srv/disks/d1' }; order does not matter. */
  labels?: Record<string, string>;
}

export interface IncomingSample {
  series: SeriesKey;
  /** Appliance clock, ms since the epoch. */
  t: number;
  v: number;
}

/** Samples from one appliance and that appliance's clock skew (its clock minus the console's). */
export interface SampleBatch {
  samples: readonly IncomingSample[];
  skewMs?: number;
}

export interface IngestResult {
  /** Stored now. */
  added: number;
  /** Already stored (a backfill overlap): ignored. */
  duplicates: number;
  /** Not a finite number, or a time that is not a finite ms timestamp: skipped. */
  invalid: number;
  /**
   * Older than the raw retention: refused, because with the raw samples gone a re-sent sample
   * could not be told from a new one and would be counted twice in the rollups.
   */
  tooOld: number;
}

export type Resolution = 'raw' | '1m' | '1h';

export interface Point {
  t: number;
  min: number;
  avg: number;
  max: number;
}

export interface RetentionDays {
  raw: number;
  minute: number;
  hour: number;
}

export const DEFAULT_RETENTION: RetentionDays = { raw: 7, minute: 90, hour: 730 };

// ',' '=' and '%' inside a key or value are percent-encoded, so any mount point or sensor name
// round-trips; plain names are stored as written.
const escapeLabel = (s: string) => (/[%,=]/.test(s) ? s.replace(/[%,=]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) : s);
const unescapeLabel = (s: string) => (s.includes('%') ? decodeURIComponent(s) : s);

/** Labels as one string, "k=v,k=v" sorted by key: the series' identity whatever the order given. */
export function canonicalLabels(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return keys
    .sort()
    .map((k) => `${escapeLabel(k)}=${escapeLabel(labels[k]!)}`)
    .join(',');
}

export function parseLabels(canonical: string): Record<string, string> | undefined {
  if (!canonical) return undefined;
  const out: Record<string, string> = {};
  for (const pair of canonical.split(',')) {
    const eq = pair.indexOf('=');
    out[unescapeLabel(pair.slice(0, eq))] = unescapeLabel(pair.slice(eq + 1));
  }
  return out;
}

/**
 * The coarsest resolution that still fills a chart `widthPoints` wide, among those still kept for
 * the requested start: a 1-hour view reads raw samples, a 30-day view 1-minute rollups, a year
 * 1-hour rollups.
 */
export function chooseResolution(from: number, to: number, now: number, widthPoints: number, retention: RetentionDays = DEFAULT_RETENTION): Resolution {
  const span = to - from;
  const age = now - from;
  if (age <= retention.raw * DAY_MS && span / widthPoints < MINUTE_MS) return 'raw';
  if (age <= retention.minute * DAY_MS && span / widthPoints < HOUR_MS) return '1m';
  return '1h';
}
