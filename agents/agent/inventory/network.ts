import type { NetworkInterfaceInfo } from 'node:os';
import type { Systeminformation } from 'systeminformation';
import { naturalCompare } from '../natural-compare';
import { withTimeout } from './command-runner';
import { errorText, type Section } from './section';
import type * as z from 'zod/mini';
import type { NetworkInterfaceSchema } from '../../protocol/payloads/inventory';

type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;

/**
 * Interfaces and addresses. Node's os.networkInterfaces() has every address with its prefix
 * length; systeminformation adds link facts (state, MTU, speed) but keeps one address per family,
 * so addresses come from os and link facts from systeminformation, joined by interface name.
 */
export interface NetworkProbes {
  networkInterfaces(): Promise<Systeminformation.NetworkInterfacesData[]>;
  osInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export async function collectNetwork(probes: NetworkProbes): Promise<Section<NetworkInterface[]>> {
  const warnings: string[] = [];
  const sources = ['os'];
  const byName = new Map<string, NetworkInterface>();
  for (const [name, addrs] of Object.entries(probes.osInterfaces())) {
    const list = addrs ?? [];
    byName.set(name, {
      name,
      mac: list[0]?.mac && list[0].mac !== '00:00:00:00:00:00' ? list[0].mac : null,
      internal: list.some((a) => a.internal),
      operstate: null,
      mtu: null,
      speedMbps: null,
      addresses: list.map((a) => ({
        family: a.family === 'IPv4' ? ('ipv4' as const) : ('ipv6' as const),
        address: a.address,
        prefixLength: a.cidr ? Number(a.cidr.split('/')[1]) : null,
      })),
    });
  }
  try {
    const links = await withTimeout(probes.networkInterfaces(), 5000, 'systeminformation.networkInterfaces');
    sources.push('systeminformation');
    for (const link of Array.isArray(links) ? links : []) {
      const entry = byName.get(link.iface) ?? { name: link.iface, mac: null, internal: link.internal, operstate: null, mtu: null, speedMbps: null, addresses: [] };
      entry.mac ??= link.mac && link.mac !== '00:00:00:00:00:00' ? link.mac : null;
      entry.operstate = link.operstate || null;
      entry.mtu = typeof link.mtu === 'number' ? link.mtu : null;
      entry.speedMbps = typeof link.speed === 'number' && link.speed >= 0 ? link.speed : null;
      byName.set(link.iface, entry);
    }
  } catch (err) {
    warnings.push(`network: ${errorText(err)}`);
  }
  return { value: [...byName.values()].sort((a, b) => naturalCompare(a.name, b.name)), sources, warnings };
}
