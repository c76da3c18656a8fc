import os from 'node:os';
import type { Systeminformation } from 'systeminformation';
import type * as z from 'zod/mini';
import type { CpuInfoSchema, MemoryInfoSchema, OsInfoSchema } from '../../protocol/payloads/inventory';
import { withTimeout } from './command-runner';
import { errorText, text, type Section } from './section';

type OsInfo = z.infer<typeof OsInfoSchema>;
type CpuInfo = z.infer<typeof CpuInfoSchema>;
type MemoryInfo = z.infer<typeof MemoryInfoSchema>;

/**
 * OS, CPU and memory: systeminformation where it answers, Node's os module and /etc/os-release and
 * /proc/meminfo otherwise. OS and CPU do not change while the agent runs, so the caller caches them.
 */
export interface SystemProbes {
  osInfo(): Promise<Systeminformation.OsData>;
  cpu(): Promise<Systeminformation.CpuData>;
  mem(): Promise<Systeminformation.MemData>;
  readFile(path: string): string | null;
}

const TIMEOUT_MS = 5000;

export function parseOsRelease(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export async function collectOs(probes: SystemProbes): Promise<Section<OsInfo>> {
  const base: OsInfo = { platform: os.platform(), distro: null, release: null, codename: null, kernel: os.release(), arch: os.arch() };
  try {
    const info = await withTimeout(probes.osInfo(), TIMEOUT_MS, 'systeminformation.osInfo');
    return { value: { ...base, distro: text(info.distro), release: text(info.release), codename: text(info.codename), kernel: text(info.kernel) ?? base.kernel }, sources: ['systeminformation'], warnings: [] };
  } catch (err) {
    const release = parseOsRelease(probes.readFile('/etc/os-release') ?? '');
    return {
      value: { ...base, distro: text(release.NAME), release: text(release.VERSION_ID), codename: text(release.VERSION_CODENAME) },
      sources: ['os-release'],
      warnings: [`os: ${errorText(err)}`],
    };
  }
}

export async function collectCpu(probes: SystemProbes): Promise<Section<CpuInfo>> {
  const cpus = os.cpus();
  const fallback: CpuInfo = { model: text(cpus[0]?.model), manufacturer: null, cores: cpus.length, physicalCores: null, speedGHz: cpus[0]?.speed ? cpus[0].speed / 1000 : null };
  try {
    const c = await withTimeout(probes.cpu(), TIMEOUT_MS, 'systeminformation.cpu');
    const model = [text(c.manufacturer), text(c.brand)].filter(Boolean).join(' ') || fallback.model;
    return {
      value: { model, manufacturer: text(c.manufacturer), cores: c.cores || fallback.cores, physicalCores: c.physicalCores || null, speedGHz: c.speed > 0 ? c.speed : fallback.speedGHz },
      sources: ['systeminformation'],
      warnings: [],
    };
  } catch (err) {
    return { value: fallback, sources: ['os'], warnings: [`cpu: ${errorText(err)}`] };
  }
}

export async function collectMemory(probes: SystemProbes): Promise<Section<MemoryInfo>> {
  try {
    const m = await withTimeout(probes.mem(), TIMEOUT_MS, 'systeminformation.mem');
    return { value: { totalBytes: m.total, availableBytes: m.available }, sources: ['systeminformation'], warnings: [] };
  } catch (err) {
    // MemAvailable (free + reclaimable cache) is what "available" means; os.freemem() is only free.
    const meminfo = probes.readFile('/proc/meminfo') ?? '';
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
    return {
      value: { totalBytes: os.totalmem(), availableBytes: kb ? Number(kb) * 1024 : os.freemem() },
      sources: ['os'],
      warnings: [`memory: ${errorText(err)}`],
    };
  }
}
