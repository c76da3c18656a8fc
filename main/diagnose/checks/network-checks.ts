import { evidence, type DiagnoseCheck, type RawFinding } from '../check';

/** Network interfaces (link state, error counters) and the services' listening ports. */

/** Interfaces to judge: physical-looking ones and bonds; not loopback, bridges to containers, tunnels. */
const SKIP_INTERFACE = /^(lo|docker\d*|veth|br-|virbr|tun|tap|wg|cni|flannel|cali|kube)/;

const LINKS = `for d in /sys/class/net/*; do n=\${d##*/}; printf '%s %s %s %s %s %s %s\\n' "$n" "$(cat $d/operstate 2>/dev/null)" "$(cat $d/statistics/rx_packets $d/statistics/tx_packets $d/statistics/rx_errors $d/statistics/tx_errors $d/statistics/rx_dropped 2>/dev/null | tr '\\n' ' ')"; done`;

export const linksCheck: DiagnoseCheck = {
  id: 'network.links',
  title: 'Network interfaces: link state and error counters',
  async run(ctx) {
    const out: RawFinding[] = [];
    const res = await ctx.sh(LINKS);
    for (const line of res.stdout.split('\n')) {
      const [name, state, rxp, txp, rxe, txe, rxd] = line.trim().split(/\s+/);
      if (!name || SKIP_INTERFACE.test(name)) continue;
      if (state === 'down' || state === 'lowerlayerdown') {
        out.push({ code: 'net.link-down', severity: 'warning', subject: name, params: { interface: name, state }, evidence: evidence(`cat /sys/class/net/${name}/operstate`, state) });
        continue;
      }
      const packets = Number(rxp) + Number(txp);
      const errors = Number(rxe) + Number(txe);
      // Errors are normal in trace amounts; one in a thousand packets is a bad cable or port.
      if (packets > 1000 && errors / packets > 0.001) {
        out.push({ code: 'net.errors', severity: 'warning', subject: name, params: { interface: name, errors, dropped: Number(rxd), packets }, evidence: evidence(`cat /sys/class/net/${name}/statistics/{rx,tx}_{packets,errors} rx_dropped`, line) });
      }
    }
    return out;
  },
};

/** Listening TCP ports from /proc/net/tcp{,6} (state 0A = LISTEN): no ss or netstat needed. */
export function listeningPorts(procNetTcp: string): Set<number> {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && f[1]?.includes(':')) ports.add(parseInt(f[1].split(':').at(-1)!, 16));
  }
  return ports;
}

export const portsCheck: DiagnoseCheck = {
  id: 'network.ports',
  title: 'The enabled services’ ports are listening',
  async run(ctx) {
    if (ctx.facts.expectedPorts.length === 0) return [];
    const res = await ctx.sh('cat /proc/net/tcp /proc/net/tcp6 2>/dev/null');
    const listening = listeningPorts(res.stdout);
    return ctx.facts.expectedPorts
      .filter((p) => !listening.has(p.port))
      .map((p) => ({ code: 'ports.not-listening', severity: 'warning' as const, subject: String(p.port), params: { service: p.service, port: p.port }, evidence: evidence('cat /proc/net/tcp /proc/net/tcp6 (listening sockets)', `listening: ${[...listening].sort((a, b) => a - b).join(', ') || 'none'}`) }));
  },
};

export const NETWORK_CHECKS = [linksCheck, portsCheck];
