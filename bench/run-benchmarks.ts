import { runProvisionBenchmarks } from './provision.bench';
import { runAgentMonitorBenchmarks } from './agent-monitor.bench';
import { runTelemetryBenchmarks } from './telemetry.bench';
import { runUiBenchmarks } from './ui.bench';

/** Every benchmark, by name. Each prints its figures next to a reference measured in the same run. */
const BENCHMARKS: Record<string, () => Promise<boolean>> = {
  ui: runUiBenchmarks,
  telemetry: runTelemetryBenchmarks,
  monitor: runAgentMonitorBenchmarks,
  provision: runProvisionBenchmarks,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  let allMet = true;
  for (const name of names) {
    const run = BENCHMARKS[name];
    if (!run) {
      console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
      process.exit(2);
    }
    allMet = (await run()) && allMet;
  }
  console.log(allMet ? '\nAll targets met.' : '\nSome targets NOT met (see above).');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
