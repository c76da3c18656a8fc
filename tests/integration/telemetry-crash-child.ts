/**
 * The process the crash test kills: ingests rounds of samples into a telemetry store as fast as it
 * can, printing `committed <round>` after each write returns. Run as
 * `tsx telemetry-crash-child.ts <dataDir> <firstRound>`; it never stops by itself.
 */
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { openTelemetryStore } from '../../main/telemetry/telemetry-store';
import { crashRound, crashRoundTime } from './telemetry-crash-data';

const [dataDir, first] = process.argv.slice(2);
const clock = manualClock(new Date(crashRoundTime(Number(first))));
const store = openTelemetryStore({ dataDir: dataDir!, clock, log: silentLogger });
for (let r = Number(first); ; r++) {
  clock.set(new Date(crashRoundTime(r) + 2_000));
  store.ingest(crashRound(r));
  process.stdout.write(`committed ${r}\n`);
}
