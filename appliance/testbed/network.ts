/**
 * The testbed's network: one Linux bridge per instance in the root namespace (holding the gateway
 * address, which is where the console and the tests connect from) and, per machine, a network
 * namespace joined to it by a veth pair. No default route and no NAT are configured inside the
 * machines, on purpose: they can reach the bridge and each other and nothing else, so nothing a test
 * does on a machine can send traffic off this host.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { run } from './exec';
import type { Subnet } from './subnet';

export async function createBridge(bridge: string, subnet: Subnet): Promise<void> {
  await run('ip', ['-batch', '-'], {
    input: [`link add ${bridge} type bridge`, `addr add ${subnet.gateway}/24 dev ${bridge}`, `link set ${bridge} up`].join('\n'),
  });
}

/** Namespace + veth + addresses for one machine; the machine side is called eth0, as on real hardware. */
export async function createMachineNetwork(opts: { netns: string; hostVeth: string; bridge: string; address: string }): Promise<void> {
  const { netns, hostVeth, bridge, address } = opts;
  // Two batches instead of seven processes: this runs for every machine on the `up` critical path.
  await run('ip', ['-batch', '-'], {
    input: [
      `netns add ${netns}`,
      `link add ${hostVeth} type veth peer name eth0 netns ${netns}`,
      `link set ${hostVeth} master ${bridge}`,
      `link set ${hostVeth} up`,
    ].join('\n'),
  });
  await run('ip', ['-n', netns, '-batch', '-'], {
    input: [`addr add ${address}/24 dev eth0`, 'link set lo up', 'link set eth0 up'].join('\n'),
  });
}

/** The net-down / net-up fault: the machine's own link, as if its cable were pulled. */
export async function setMachineLink(netns: string, state: 'up' | 'down'): Promise<void> {
  await run('ip', ['-n', netns, 'link', 'set', 'eth0', state]);
}

/** Inode of a named network namespace: how processes inside it are recognised (procs.ts). */
export function netnsInode(netns: string): number | undefined {
  try {
    return fs.statSync(`/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], { allowFailure: true });
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

export async function listLinks(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', 'link', 'show']);
  return z
    .array(z.object({ ifname: z.string() }))
    .parse(JSON.parse(stdout || '[]'))
    .map((l) => l.ifname);
}

export async function deleteNetns(netns: string): Promise<void> {
  await run('ip', ['netns', 'delete', netns], { allowFailure: true });
}

export async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'delete', name], { allowFailure: true });
}
