import { runProvisionBenchmarks } from './provision.bench';
import { runAgentMonitorBenchmarks } from './agent-monitor.bench';
import { runErasureBenchmarks } from './erasure.bench';
import { runFleetScaleBenchmarks } from './fleet-scale.bench';
import { runKodoBenchmarks } from './kodo.bench';
import { notMeasured, printFigures, tally } from './report';
import { runTelemetryBenchmarks } from './telemetry.bench';
import { runUiBenchmarks } from './ui.bench';

/**
 * Every benchmark, by name. Each prints its figures (printFigures) next to a reference measured in
 * the same run; what they print is tallied here, so the verdict does not depend on each bench
 * computing its own.
 */
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  ui: runUiBenchmarks,
  telemetry: runTelemetryBenchmarks,
  monitor: runAgentMonitorBenchmarks,
  provision: runProvisionBenchmarks,
  fleet: runFleetScaleBenchmarks,
  erasure: runErasureBenchmarks,
  kodo: runKodoBenchmarks,
};

/** Exit status: 0 only when every target was met and every figure measured. */
async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  for (const name of names) {
    try {
      await BENCHMARKS[name]!();
    } catch (err) {
      // A bench that stops half-way measured nothing it can vouch for: say so, and run the others.
      console.error(err);
      printFigures(`${name} (failed)`, [notMeasured(`the ${name} benchmark`, `it stopped with an error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)]);
    }
  }
  const t = tally();
  console.log(`\n${t.met} met, ${t.notMet} not met, ${t.notMeasured} not measured (${t.informative} informative figures without a target)`);
  return t.notMet === 0 && t.notMeasured === 0 ? 0 : 1;
}

// process.exit, not exitCode: a bench that left a handle open (a browser, a socket) must not keep
// `npm run bench` from ending with its verdict.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
