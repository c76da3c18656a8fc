import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { HOUR_MS, MINUTE_MS, openTelemetryStore, type IncomingSample } from '../../main/telemetry/telemetry-store';
import { makeTempDir } from '../helpers/temp-dir';
import { bruteForce } from '../unit/telemetry-brute-force';
import { CRASH_SERIES, CRASH_T0, crashKeys, crashRound, crashRoundTime } from './telemetry-crash-data';

const CHILD = path.join(__dirname, 'telemetry-crash-child.ts');
const tmp = makeTempDir('telemetry-crash');
afterAll(() => tmp.cleanup());

/**
 * Starts the ingesting child at `first`, lets it report `rounds` commits, then SIGKILLs it — by
 * then it is inside the next write (a write is ~5 ms; printing takes microseconds). Returns the
 * last round the child said was committed.
 */
function runAndKill(first: number, rounds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tmp.dir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let seen = 0;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const m = /^committed (\d+)$/.exec(line);
        if (!m) continue;
        last = Number(m[1]);
        if (++seen === rounds) child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`the ingesting child exited by itself (code ${code}) before it was killed: ${stderr}`));
    });
  });
}

/** Opens what the killed child left and checks it against a brute force of whole rounds. */
function verify(lastReported: number): number {
  const clock = manualClock(new Date(crashRoundTime(lastReported + 1)));
  const store = openTelemetryStore({ dataDir: tmp.dir, clock, log: silentLogger });
  try {
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Transactions are whole rounds: the file holds rounds 0..k-1 exactly, k past every reported one.
    const rows = store.db.prepare('SELECT count(*) FROM samples').pluck().get() as number;
    expect(rows % CRASH_SERIES).toBe(0);
    const k = rows / CRASH_SERIES;
    expect(k).toBeGreaterThanOrEqual(lastReported + 1);
    const perSeries = new Map<string, IncomingSample[]>();
    for (let r = 0; r < k; r++) {
      for (const s of crashRound(r)) {
        const key = `${s.series.applianceId}/${s.series.metric}`;
        let list = perSeries.get(key);
        if (!list) perSeries.set(key, (list = []));
        list.push(s);
      }
    }
    const from = CRASH_T0 - HOUR_MS;
    const to = crashRoundTime(k) + HOUR_MS;
    const mismatches: string[] = [];
    for (const key of crashKeys()) {
      const all = perSeries.get(`${key.applianceId}/${key.metric}`)!;
      for (const [resolution, ms] of [['1m', MINUTE_MS], ['1h', HOUR_MS], ['raw', 1]] as const) {
        const got = store.range(key, from, to, resolution);
        const want = bruteForce(all, ms);
        const same = got.length === want.length && got.every((p, i) => p.t === want[i]!.t && p.min === want[i]!.min && p.max === want[i]!.max && Math.abs(p.avg - want[i]!.avg) <= 1e-9 * Math.max(1, Math.abs(want[i]!.avg)));
        if (!same) mismatches.push(`${key.applianceId}/${key.metric} ${resolution}: ${got.length} points, expected ${want.length}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    return k;
  } finally {
    store.close();
  }
}

describe('telemetry store: a process killed mid-batch', () => {
  it('loses nothing it committed and corrupts nothing, across repeated SIGKILLs and re-sent overlaps', async () => {
    let next = 0;
    let packedHours = false;
    // Each run restarts a few rounds back, as a collector re-sending from its last stored cursor.
    for (const rounds of [70, 150, 230]) {
      const last = await runAndKill(Math.max(0, next - 3), rounds);
      next = verify(last);
      packedHours ||= crashRoundTime(next) - CRASH_T0 > 2 * HOUR_MS;
    }
    // The runs covered more than two hours of sample time, so kills could land in minute flushes
    // and hour packing, not only in raw inserts.
    expect(packedHours).toBe(true);
  }, 120_000);
});
