import fs from 'node:fs';
import path from 'node:path';

/** One measured figure, its target, and the reference it is compared with in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Met when value <= target (or >= when `higherIsBetter`). */
  target?: number;
  higherIsBetter?: boolean;
  reference?: { name: string; value: number };
}

export function met(f: Figure): boolean | undefined {
  if (f.target === undefined) return undefined;
  return f.higherIsBetter ? f.value >= f.target : f.value <= f.target;
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n== ${title}`);
  for (const f of figures) {
    const v = `${round(f.value)} ${f.unit}`;
    const op = f.higherIsBetter ? '≥' : f.target === 0 ? '=' : '≤';
    const t = f.target === undefined ? '' : ` (target ${op} ${f.target} ${f.unit}: ${met(f) ? 'met' : 'NOT MET'})`;
    const r = f.reference ? `; ${round(f.value / f.reference.value)}× ${f.reference.name} (${round(f.reference.value)} ${f.unit})` : '';
    console.log(`  ${f.name}: ${v}${t}${r}`);
  }
}

export function saveResults(name: string, figures: Figure[]): void {
  const dir = path.resolve(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), figures }, null, 2));
}

function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
