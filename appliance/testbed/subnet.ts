/**
 * One private /24 per instance. The third octet starts from a hash of the prefix, so an instance gets
 * the same subnet every time (stable addresses in logs and demos), and moves on when that /24 is
 * taken by another instance (recorded in a registry under the state root, guarded by a lock) or
 * overlaps anything the host already routes (a VPN, docker) — the testbed must never shadow a real
 * network, and its traffic must only ever reach its own namespaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { run } from './exec';
import { withLock } from './lock';
import { bridgeName } from './paths';

const BASE = [10, 213] as const;
const Registry = z.record(z.string(), z.number().int());

export interface Subnet {
  cidr: string;
  gateway: string;
  /** Address of the n-th host in the subnet (n from 1). */
  host: (n: number) => string;
}

export function subnetFor(octet: number): Subnet {
  const net = `${BASE[0]}.${BASE[1]}.${octet}`;
  return { cidr: `${net}.0/24`, gateway: `${net}.1`, host: (n) => `${net}.${n}` };
}

function hashOctet(prefix: string): number {
  let h = 0x811c9dc5; // FNV-1a: small, stable across Node versions.
  for (const ch of prefix) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 1 + (h % 250);
}

const toInt = (ip: string): number => ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;

function overlaps(a: string, b: string): boolean {
  const [ipA = '', lenA = '32'] = a.split('/');
  const [ipB = '', lenB = '32'] = b.split('/');
  const len = Math.min(Number(lenA), Number(lenB));
  if (len === 0) return false; // a default route overlaps everything and is not a real network
  const mask = len === 32 ? 0xffffffff : ~(0xffffffff >>> len) >>> 0;
  return ((toInt(ipA) & mask) >>> 0) === ((toInt(ipB) & mask) >>> 0);
}

/** IPv4 destinations the host already routes, except our own bridge's. */
async function hostNetworks(ownBridge: string): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', '-4', 'route', 'show', 'table', 'all']);
  const routes = z.array(z.object({ dst: z.string().optional(), dev: z.string().optional() })).parse(JSON.parse(stdout || '[]'));
  return routes
    .filter((r) => r.dev !== ownBridge && r.dst && r.dst !== 'default' && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(r.dst))
    .map((r) => r.dst ?? '');
}

function readRegistry(file: string): Record<string, number> {
  try {
    return Registry.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}

/** Reserve (or return the existing) subnet of `prefix`. */
export async function allocateSubnet(stateRoot: string, prefix: string): Promise<Subnet> {
  const file = path.join(stateRoot, 'subnets.json');
  return withLock(path.join(stateRoot, '.subnets.lock'), async () => {
    const registry = readRegistry(file);
    // Drop entries of instances that are gone (state dir removed), so octets are reused.
    for (const p of Object.keys(registry)) {
      if (p !== prefix && !fs.existsSync(path.join(stateRoot, p))) delete registry[p];
    }
    const existing = registry[prefix];
    if (existing !== undefined) return subnetFor(existing);
    const taken = new Set(Object.values(registry));
    const routed = await hostNetworks(bridgeName(prefix));
    const start = hashOctet(prefix);
    for (let i = 0; i < 250; i++) {
      const octet = 1 + ((start - 1 + i) % 250);
      const subnet = subnetFor(octet);
      if (taken.has(octet) || routed.some((r) => overlaps(r, subnet.cidr))) continue;
      registry[prefix] = octet;
      fs.writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
      return subnet;
    }
    throw new Error(`no free /24 left in ${BASE.join('.')}.0.0/16`);
  });
}

export async function releaseSubnet(stateRoot: string, prefix: string): Promise<void> {
  const file = path.join(stateRoot, 'subnets.json');
  if (!fs.existsSync(stateRoot)) return;
  await withLock(path.join(stateRoot, '.subnets.lock'), async () => {
    const registry = readRegistry(file);
    if (!(prefix in registry)) {
      if (Object.keys(registry).length === 0) fs.rmSync(file, { force: true });
      return;
    }
    delete registry[prefix];
    if (Object.keys(registry).length === 0) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
  });
}
