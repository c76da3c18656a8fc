/**
 * Runs `worker` on every item with at most `concurrency` at once, in order. Once `stopped()` says
 * so, items not yet started are skipped and reported to `onSkipped` (Cancel all); items already
 * running finish on their own (their cancellation is the caller's call). Never rejects: a worker
 * reports its own failure.
 */
export async function runBounded<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
  opts: { stopped(): boolean; onSkipped(item: T): void },
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      if (opts.stopped()) {
        opts.onSkipped(item);
        continue;
      }
      try {
        await worker(item);
      } catch {
        // The worker records its own outcome; one failure must not stop the other lanes.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}
