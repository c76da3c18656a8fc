import { CURRENT_LINK, LOG_DIR } from '../../provision/layout';
import { decimalBytes } from '../../core/decimal-bytes';
import { evidence, type DiagnoseCheck, type RawFinding } from '../check';

/** The agent, the clock, memory and DNS. */

/** The agent's processes: its program or launcher (argv[0] or argv[1]), not a command that mentions it. */
const AGENT_PS = `ps -eo pid=,args= | awk '$2 ~ /appliance-agent/ || $3 ~ /appliance-agent/' | grep -v -e '--watchdog' -e 'appliance-agent-watchdog' || true`;

export const agentCheck: DiagnoseCheck = {
  id: 'agent.process',
  title: 'The agent: installed and running',
  async run(ctx) {
    const installed = await ctx.sh(`test -e ${CURRENT_LINK} && echo installed || echo absent`);
    if (installed.stdout.trim() !== 'installed') {
      return [{ code: 'agent.not-installed', severity: 'warning', params: { dir: CURRENT_LINK }, evidence: evidence(`test -e ${CURRENT_LINK}`, `${CURRENT_LINK}: no such file`) }];
    }
    const ps = await ctx.sh(AGENT_PS);
    if (ps.stdout.trim() !== '') return [];
    const log = await ctx.sh(`tail -n 5 ${LOG_DIR}/agent.log 2>/dev/null || true`, { privileged: true });
    const tail = log.stdout.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
    return [{ code: 'agent.not-running', severity: 'critical', params: { log: `${LOG_DIR}/agent.log`, logTail: tail ? ` Its log ends: ${tail}` : '' }, evidence: evidence(`ps -eo pid,args | grep appliance-agent; tail -n 5 ${LOG_DIR}/agent.log`, `(no agent process)\n${log.stdout}`) }];
  },
};

export const CLOCK_WARNING_SECONDS = 10;
export const CLOCK_CRITICAL_SECONDS = 300;

export const clockCheck: DiagnoseCheck = {
  id: 'time.clock',
  title: 'The clock against the console’s, and time synchronisation',
  async run(ctx) {
    const out: RawFinding[] = [];
    const before = ctx.now();
    const date = await ctx.sh('date +%s%N');
    const after = ctx.now();
    const machineMs = Number(date.stdout.trim()) / 1e6;
    if (Number.isFinite(machineMs) && machineMs > 0) {
      // The machine read its clock somewhere within the round trip: its middle is the best guess.
      const skew = Math.round((machineMs - (before + after) / 2) / 1000);
      const abs = Math.abs(skew);
      if (abs >= CLOCK_WARNING_SECONDS) {
        out.push({
          code: skew > 0 ? 'time.skew-ahead' : 'time.skew-behind',
          severity: abs >= CLOCK_CRITICAL_SECONDS ? 'critical' : 'warning',
          params: { seconds: abs },
          evidence: evidence('date +%s%N', `machine: ${new Date(machineMs).toISOString()}\nconsole: ${new Date((before + after) / 2).toISOString()} (round trip ${after - before} ms)`),
        });
      }
    }
    const sync = await ctx.sh('for p in chronyd ntpd systemd-timesyncd openntpd; do pgrep -x "$p" >/dev/null 2>&1 && echo "$p"; done; true');
    if (sync.stdout.trim() === '') out.push({ code: 'time.no-sync', severity: 'info', evidence: evidence('pgrep -x chronyd ntpd systemd-timesyncd openntpd', '(none running)') });
    return out;
  },
};

export const memoryCheck: DiagnoseCheck = {
  id: 'memory.pressure',
  title: 'Memory available, and out-of-memory kills',
  async run(ctx) {
    const out: RawFinding[] = [];
    const info = await ctx.sh('cat /proc/meminfo');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(info.stdout)?.[1] ?? NaN) * 1024;
    const total = kib('MemTotal');
    const available = kib('MemAvailable');
    if (total > 0 && Number.isFinite(available)) {
      const percent = Math.floor((available / total) * 100);
      if (percent < 10) out.push({ code: 'memory.low', severity: percent < 5 ? 'critical' : 'warning', params: { availablePercent: percent, available: decimalBytes(available), total: decimalBytes(total) }, evidence: evidence('cat /proc/meminfo', info.stdout, (l) => /^(MemTotal|MemAvailable|SwapTotal|SwapFree):/.test(l)) });
    }
    // Kills in the last day (the kernel log's clock is seconds since boot).
    const log = await ctx.sh('cat /proc/uptime; dmesg 2>&1 | grep -i -e "Out of memory" -e "oom-kill" -e "Killed process" || true', { privileged: true });
    const [uptimeLine, ...lines] = log.stdout.split('\n');
    const uptime = Number(uptimeLine?.split(' ')[0] ?? NaN);
    const recent = lines.filter((l) => {
      const at = Number(/^\[\s*(\d+\.\d+)\]/.exec(l)?.[1] ?? NaN);
      return /Killed process/i.test(l) && Number.isFinite(at) && Number.isFinite(uptime) && uptime - at <= 86_400;
    });
    if (recent.length > 0) out.push({ code: 'memory.oom-kills', severity: 'warning', params: { count: recent.length, last: recent.at(-1)!.slice(0, 200) }, evidence: evidence('dmesg | grep -i "Killed process"', recent.join('\n')) });
    return out;
  },
};

export const dnsCheck: DiagnoseCheck = {
  id: 'network.dns',
  title: 'DNS resolver configured',
  async run(ctx) {
    const conf = await ctx.sh('cat /etc/resolv.conf 2>/dev/null || true');
    if (/^\s*nameserver\s+\S+/m.test(conf.stdout)) return [];
    return [{ code: 'dns.no-resolver', severity: 'warning', evidence: evidence('cat /etc/resolv.conf', conf.stdout || '(empty or missing)') }];
  },
};

export const SYSTEM_CHECKS = [agentCheck, clockCheck, memoryCheck, dnsCheck];
