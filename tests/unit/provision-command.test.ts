import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../main/cli/provision-command';

describe('bounded concurrency', () => {
  it('never runs more than the limit at once, and keeps results in input order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 1, 2], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, n * 5));
      active--;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(out).toEqual([50, 10, 40, 20, 30, 10, 20]);
  });
});
