import type { IncomingSample, Point, SeriesKey } from '../../main/telemetry/telemetry-store';

/** Deterministic pseudo-random numbers in [0, 1), so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

export function sampleKey(k: SeriesKey): string {
  const labels = Object.entries(k.labels ?? {})
    .sort()
    .map(([a, b]) => `${a}=${b}`)
    .join(',');
  return `${k.applianceId}|${k.metric}|${labels}`;
}

/**
 * The rollup computed the slow, obvious way: duplicates (same series and time) removed, keeping
 * the first, then every bucket's samples listed and reduced. `bucketMs` 1 gives the raw samples.
 */
export function bruteForce(list: readonly IncomingSample[], bucketMs: number): Point[] {
  const seen = new Set<string>();
  const buckets = new Map<number, number[]>();
  for (const s of list) {
    const k = `${sampleKey(s.series)}@${s.t}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const b = s.t - (s.t % bucketMs);
    buckets.set(b, [...(buckets.get(b) ?? []), s.v]);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, vs]) => ({ t, min: Math.min(...vs), avg: vs.reduce((a, b) => a + b, 0) / vs.length, max: Math.max(...vs) }));
}
