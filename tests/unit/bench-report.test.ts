import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatFigure, notMeasured, printFigures, tally, verdict, type Figure } from '../../bench/report';

describe('bench figures', () => {
  afterEach(() => vi.restoreAllMocks());

  it('meets an absolute target, either way round', () => {
    expect(verdict({ name: 'x', value: 5, unit: 'ms', target: 10 })).toBe('met');
    expect(verdict({ name: 'x', value: 11, unit: 'ms', target: 10 })).toBe('not met');
    expect(verdict({ name: 'x', value: 4, unit: '×', target: 3, higherIsBetter: true })).toBe('met');
    expect(verdict({ name: 'x', value: 1, unit: 'ms' })).toBe('informative');
  });

  it('meets a ratio target against the reference of the same run', () => {
    const figure = (value: number): Figure => ({ name: 'cold start', value, unit: 'ms', targetRatio: 2, reference: { name: 'a blank page', value: 500 } });
    expect(verdict(figure(1000))).toBe('met');
    expect(verdict(figure(1001))).toBe('not met');
    expect(formatFigure(figure(1600))).toBe('cold start: 1600 ms; 3.20× a blank page (500 ms) (target ≤ 2× a blank page: NOT MET)\n      limited by: not yet analysed');
  });

  it('says what limits a figure that misses its target, and nothing of it when met', () => {
    const figure = (value: number): Figure => ({ name: 'cpu', value, unit: 'CPU-s', target: 0.15, limitedBy: 'the upload through ssh2' });
    expect(formatFigure(figure(0.3))).toBe('cpu: 0.30 CPU-s (target ≤ 0.15 CPU-s: NOT MET)\n      limited by: the upload through ssh2');
    expect(formatFigure(figure(0.1))).toBe('cpu: 0.10 CPU-s (target ≤ 0.15 CPU-s: met)');
  });

  it('never turns a failed measurement into a number', () => {
    expect(verdict(notMeasured('memory', 'no renderer found'))).toBe('not measured');
    expect(formatFigure(notMeasured('memory', 'no renderer found'))).toBe('memory: NOT MEASURED: no renderer found');
    // A median of nothing, a reference that failed, a ratio target with nothing to divide by.
    expect(verdict({ name: 'p95', value: NaN, unit: 'ms', target: 20 })).toBe('not measured');
    expect(verdict({ name: 'mem', value: 100, unit: 'MiB', targetRatio: 4, reference: { name: 'blank', value: NaN } })).toBe('not measured');
    expect(verdict({ name: 'mem', value: 100, unit: 'MiB', targetRatio: 4, reference: { name: 'blank', value: 0 } })).toBe('not measured');
    expect(verdict({ name: 'mem', value: 100, unit: 'MiB', targetRatio: 4 })).toBe('not measured');
    expect(formatFigure({ name: 'p95', value: NaN, unit: 'ms', target: 20 })).toBe('p95: NOT MEASURED: the measurement gave NaN');
  });

  it('tallies what was printed; a bench that printed nothing counts as not measured', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const before = tally();
    printFigures('a', [
      { name: 'met', value: 1, unit: 'ms', target: 2 },
      { name: 'not met', value: 3, unit: 'ms', target: 2 },
      notMeasured('gone', 'why'),
      { name: 'info', value: 1, unit: 'ms' },
    ]);
    printFigures('b', []);
    const after = tally();
    expect(after.met - before.met).toBe(1);
    expect(after.notMet - before.notMet).toBe(1);
    expect(after.notMeasured - before.notMeasured).toBe(2);
    expect(after.informative - before.informative).toBe(1);
  });
});
