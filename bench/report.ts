import fs from 'node:fs';
import path from 'node:path';

/** The reference a figure is compared with, measured in the same run. */
export interface Reference {
  name: string;
  value: number;
}

/** One measured figure, its target, and the reference it is compared with in the same run. */
export interface MeasuredFigure {
  kind?: 'measured';
  name: string;
  value: number;
  unit: string;
  /** An absolute target: met when value <= target (or >= when `higherIsBetter`). */
  target?: number;
  /**
   * A target relative to the reference: met when value ÷ reference <= targetRatio (or >= when
   * `higherIsBetter`). Absolute times vary 2× between runs on a shared machine; ratios to a
   * reference measured in the same run hold.
   */
  targetRatio?: number;
  higherIsBetter?: boolean;
  reference?: Reference;
  /**
   * What limits the figure, printed when its target is not met: from what the same run measured
   * (a breakdown, a profile) wherever it can, so a missed target comes with its figure and why.
   */
  limitedBy?: string;
}

/**
 * A figure the bench set out to measure and could not (no renderer found, a tool missing, a file
 * that was not written). It carries why, and counts as a failure: a bench that cannot measure must
 * never print a made-up 0 as "met" or leave the line out.
 */
export interface NotMeasuredFigure {
  kind: 'not-measured';
  name: string;
  why: string;
}

export type Figure = MeasuredFigure | NotMeasuredFigure;

export type Verdict = 'met' | 'not met' | 'not measured' | 'informative';

export function notMeasured(name: string, why: string): NotMeasuredFigure {
  return { kind: 'not-measured', name, why };
}

/**
 * Why a measured figure is really not measured: a value or reference that is not a finite number
 * (a median of nothing is NaN), or a ratio target without a usable reference.
 */
function unusable(f: MeasuredFigure): string | null {
  if (!Number.isFinite(f.value)) return `the measurement gave ${f.value}`;
  if (f.reference && !Number.isFinite(f.reference.value)) return `the reference (${f.reference.name}) gave ${f.reference.value}`;
  if (f.targetRatio !== undefined && (!f.reference || f.reference.value <= 0)) return `a ratio target needs a reference above 0, got ${f.reference ? f.reference.value : 'none'}`;
  return null;
}

export function verdict(f: Figure): Verdict {
  if (f.kind === 'not-measured' || unusable(f)) return 'not measured';
  if (f.target === undefined && f.targetRatio === undefined) return 'informative';
  const compare = (value: number, target: number) => (f.higherIsBetter ? value >= target : value <= target);
  const absoluteMet = f.target === undefined || compare(f.value, f.target);
  const ratioMet = f.targetRatio === undefined || compare(f.value / f.reference!.value, f.targetRatio);
  return absoluteMet && ratioMet ? 'met' : 'not met';
}

/** Met, not met (not measured counts as not met), or undefined for a figure without a target. */
export function met(f: Figure): boolean | undefined {
  const v = verdict(f);
  return v === 'informative' ? undefined : v === 'met';
}

/** Every figure printed in this process, per bench title: what `npm run bench` sums up at the end. */
const printed: { title: string; figures: Figure[] }[] = [];

export function printFigures(title: string, figures: Figure[]): void {
  printed.push({ title, figures });
  console.log(`\n== ${title}`);
  if (figures.length === 0) console.log('  NOT MEASURED: the bench produced no figures');
  for (const f of figures) console.log(`  ${formatFigure(f)}`);
}

export function formatFigure(f: Figure): string {
  if (f.kind === 'not-measured') return `${f.name}: NOT MEASURED: ${f.why}`;
  const why = unusable(f);
  if (why) return `${f.name}: NOT MEASURED: ${why}`;
  const v = `${round(f.value)} ${f.unit}`;
  const op = f.higherIsBetter ? '≥' : f.target === 0 ? '=' : '≤';
  const state = verdict(f) === 'met' ? 'met' : 'NOT MET';
  const ratio = f.reference && f.reference.value !== 0 ? f.value / f.reference.value : undefined;
  const ref = f.reference ? `; ${ratio === undefined ? '—' : `${round(ratio)}×`} ${f.reference.name} (${round(f.reference.value)} ${f.unit})` : '';
  const targets: string[] = [];
  if (f.target !== undefined) targets.push(`${op} ${f.target} ${f.unit}`);
  if (f.targetRatio !== undefined) targets.push(`${op} ${f.targetRatio}× ${f.reference!.name}`);
  const t = targets.length ? ` (target ${targets.join(' and ')}: ${state})` : '';
  const limit = state === 'NOT MET' && targets.length ? `\n      limited by: ${f.limitedBy ?? 'not yet analysed'}` : '';
  return `${f.name}: ${v}${ref}${t}${limit}`;
}

export interface Tally {
  met: number;
  notMet: number;
  notMeasured: number;
  informative: number;
}

/** Counts of every figure printed so far in this process; a bench that printed none counts as one not measured. */
export function tally(): Tally {
  const t: Tally = { met: 0, notMet: 0, notMeasured: 0, informative: 0 };
  for (const { figures } of printed) {
    if (figures.length === 0) t.notMeasured += 1;
    for (const f of figures) {
      const v = verdict(f);
      if (v === 'met') t.met += 1;
      else if (v === 'not met') t.notMet += 1;
      else if (v === 'not measured') t.notMeasured += 1;
      else t.informative += 1;
    }
  }
  return t;
}

export function saveResults(name: string, figures: Figure[]): void {
  const dir = path.resolve(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const withVerdicts = figures.map((f) => ({ ...f, verdict: verdict(f) }));
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), figures: withVerdicts }, null, 2));
}

function round(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** NaN for no values: the figure built from it then prints NOT MEASURED instead of a number. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
