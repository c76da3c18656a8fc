import { assessDisk } from '../../health/smart-verdict';
import { readSmartctlRecording } from '../../health/smartctl-recording';
import { LOG_DIR } from '../../provision/layout';
import { evidence, type DiagnoseCheck, type RawFinding } from '../check';

/** SMART per disk (the console's own verdicts), and services that crashed lately (the agent's log). */

/** A device path as smartctl's scan names it; nothing else reaches a command line. */
const DEVICE = /^\/dev\/[A-Za-z0-9/_-]+$/;

export const smartCheck: DiagnoseCheck = {
  id: 'disks.smart',
  title: 'SMART health of every disk',
  // smartctl -x takes a few seconds a drive, one after another: 24 drives outlast the usual bound.
  timeoutMs: 180_000,
  async run(ctx) {
    const scan = await ctx.sh('smartctl --scan --json 2>/dev/null || command -v smartctl >/dev/null || echo "no smartctl"', { privileged: true });
    if (scan.stdout.trim() === 'no smartctl') return []; // preflight says to install it; nothing to judge by here
    let devices: { name: string; type?: string }[] = [];
    try {
      devices = ((JSON.parse(scan.stdout) as { devices?: { name: string; type?: string }[] }).devices ?? []).filter((d) => DEVICE.test(d.name));
    } catch {
      throw new Error(`smartctl --scan --json answered no JSON: ${scan.stdout.slice(0, 120)}`);
    }
    const out: RawFinding[] = [];
    for (const d of devices) {
      const type = d.type && /^[a-z0-9,]+$/.test(d.type) ? ` -d ${d.type}` : '';
      const command = `smartctl --json -x${type} ${d.name}`;
      let res: { stdout: string };
      try {
        res = await ctx.sh(command, { privileged: true });
      } catch {
        continue; // a drive that does not answer in time: the others are still judged
      }
      let json: unknown;
      try {
        json = JSON.parse(res.stdout);
      } catch {
        continue; // a device that cannot be read at all is the kernel check's and the mount check's
      }
      const read = readSmartctlRecording(json);
      if (!read.ok) continue;
      const health = assessDisk(read.recording);
      if (health.verdict === 'healthy') continue;
      const worst = health.reasons.find((r) => r.severity === health.verdict) ?? health.reasons[0];
      out.push({
        code: `smart.${health.verdict}`,
        severity: health.verdict === 'warning' ? 'warning' : 'critical',
        subject: d.name,
        params: { device: d.name, model: health.device.model ?? 'unknown model', serial: health.device.serial ?? '', reasons: health.reasons.map((r) => r.code).join(', '), detail: worst?.message ?? '' },
        evidence: evidence(command, health.reasons.map((r) => `[${r.severity}] ${r.message}`).join('\n')),
      });
    }
    return out;
  },
};

/** Crashes in the agent's log within the last day, per service. */
export const serviceCrashesCheck: DiagnoseCheck = {
  id: 'services.crashes',
  title: 'Services that crashed in the last day',
  async run(ctx) {
    const log = `${LOG_DIR}/agent.log`;
    const res = await ctx.sh(`tail -n 20000 ${log} 2>/dev/null | grep -e '"service.crashed"' -e '"service.flapping"' || true`, { privileged: true });
    const since = ctx.now() - 86_400_000;
    const byService = new Map<string, { crashes: number; flapping: boolean; last: string }>();
    for (const line of res.stdout.split('\n')) {
      let rec: { time?: string; event?: string; service?: string; msg?: string; code?: number; signal?: string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue;
      }
      if (!rec.service || !rec.time || Date.parse(rec.time) < since) continue;
      const s = byService.get(rec.service) ?? { crashes: 0, flapping: false, last: '' };
      if (rec.event === 'service.crashed') {
        s.crashes++;
        s.last = line.slice(0, 300);
      }
      if (rec.event === 'service.flapping') s.flapping = true;
      byService.set(rec.service, s);
    }
    return [...byService]
      .filter(([, s]) => s.crashes > 0)
      .map(([service, s]) => ({
        code: 'service.crashes',
        severity: s.flapping ? ('critical' as const) : ('warning' as const),
        subject: service,
        params: { service, count: s.crashes, log },
        evidence: evidence(`grep service.crashed ${log}`, res.stdout, (l) => l.includes(`"service":"${service}"`)),
      }));
  },
};

export const HARDWARE_CHECKS = [smartCheck, serviceCrashesCheck];
