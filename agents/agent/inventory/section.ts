/** One inventory section: its value, the tools it came from, and what went wrong on the way. */
export interface Section<T> {
  value: T;
  sources: string[];
  warnings: string[];
}

/** Loose readers for tool output (lsblk, blkid, df): versions differ in types ("1" vs true, "512" vs 512). */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') return String(v);
  return null;
}

export function count(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

export function flag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === '1' || v === 1) return true;
  if (v === '0' || v === 0) return false;
  return null;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
