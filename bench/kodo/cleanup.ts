/**
 * What the Kodo bench must undo (processes, Ceph, mounts, loop devices, files), in reverse order of
 * setting up, on a normal end, an error, or Ctrl-C/SIGTERM. Steps are synchronous so a signal
 * handler can run them all before the process exits.
 */
export interface Cleanup {
  /** Register an undo step; it runs once, last registered first. */
  add(what: string, step: () => void): void;
  /** Run every step (each failure is printed, the rest still run). */
  runAll(): void;
}

export function createCleanup(log: (line: string) => void = (l) => console.error(l)): Cleanup {
  const steps: { what: string; step: () => void }[] = [];
  let done = false;
  const runAll = () => {
    if (done) return;
    done = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const { what, step } of steps.reverse()) {
      try {
        step();
      } catch (err) {
        log(`kodo bench cleanup: ${what} failed: ${err instanceof Error ? err.message : String(err)}; undo it by hand`);
      }
    }
  };
  function onSignal(signal: NodeJS.Signals) {
    log(`kodo bench: ${signal}, cleaning up`);
    runAll();
    process.exit(130);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { add: (what, step) => void steps.push({ what, step }), runAll };
}
