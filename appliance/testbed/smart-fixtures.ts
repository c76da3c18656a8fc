/**
 * Which recorded drive each data disk replays, per SMART profile. The fixtures are real `smartctl
 * --json` output carried in the repository (fixtures/smart/, see its README for source and
 * licence); each file below was put in its list by reading its values (scripted, then checked by
 * hand), and the reason is written next to it so a reader can tell why a disk in a test looks worn
 * without opening 2,000 lines of JSON.
 *
 * healthy: no reallocated/pending/uncorrectable sectors, no SCSI grown defects, ≤ 5 % of rated
 *          endurance used, exit status 0 (no error-log records). A mix of SATA HDD, SAS, SATA SSD, NVMe.
 * worn:    each shows a defect a capacity/health view must flag: reallocated sectors, a grown
 *          defect list, heavy SSD wear (Intel Media_Wearout_Indicator (233) low, NVMe percentage_used
 *          high), or error-log records (smartctl exit status bit 6 = 64).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SmartDisk, SmartProfile } from './state';

export const HEALTHY_FIXTURES: readonly string[] = [
  'sat-HGST_Ultrastar_7K6000-HGST_HUS726040ALE614-sdb.json', // 4 TB SATA HDD, 0 reallocated
  'nvme-null-Micron_7300_MTFDHBE3T2TDG-nvme0.json', // NVMe, 0 % used, 0 media errors
  'sat-Micron_5100_Pro___52x0___5300_SSDs-Micron_5300_MTFDDAK1T9TDS-sda.json', // SATA SSD, 100 % life left
  'HITACHI_H109060SESUN600G_10.json', // SAS 10k HDD, empty grown defect list
  'WDC_WD20EFRX-68EUZN0_17.json', // 2 TB NAS HDD, 0 reallocated/pending
  'SAMSUNG_MZQLB1T9HAJR-00007_19.json', // NVMe, 0 % used
  'sat-Seagate_Exos_X16-ST16000NM001G-2KK103-sda.json', // 16 TB SATA HDD, 0 reallocated
  'sat-Intel_S4510_S4610_S4500_S4600_Series_SSDs-INTEL_SSDSC2KB960G8-sde.json', // SATA SSD, wearout 100
  'sat-Toshiba_MG08ACA..._Enterprise_Capacity_HDD-TOSHIBA_MG08ACA16TE-sda.json', // 16 TB HDD, clean
  'nvme-null-INTEL_SSDPE2KX040T8-nvme10.json', // NVMe, 0 % used
  'sat-Samsung_based_SSDs-SAMSUNG_MZ7LH1T9HMLT-00005-sda.json', // SATA SSD, wear leveling 99
  'sat-Western_Digital_Ultrastar_DC_HC550-WDC__WUH721818ALE6L4-sda.json', // 18 TB HDD, clean
];

export const WORN_FIXTURES: readonly string[] = [
  'ST3500418AS_11.json', // Reallocated_Sector_Ct raw 1
  'nvme-null-INTEL_SSDPE2KX010T8-nvme1.json', // NVMe percentage_used 73
  'SEAGATE_ST373453LC_26.json', // SAS, 260 entries in the grown defect list
  'sat-Intel_S4510_S4610_S4500_S4600_Series_SSDs-INTEL_SSDSC2KB240G7-sdd.json', // 4 reallocated, wearout 55
  'sat-Intel_730_and_DC_S35x0_3610_3700_Series_SSDs-INTEL_SSDSC2BB016T4-sdf.json', // wearout 15
  'HGST_HUS724020ALE640_28.json', // error log has records (exit status 64)
  'sat-Intel_S3520_Series_SSDs-INTEL_SSDSC2BB016T7-sdc.json', // 1 reallocated
  'nvme-null-INTEL_SSDPEDMD800G4-nvme0.json', // NVMe percentage_used 51
  'sat-Phison_Driven_SSDs-KINGSTON_SKC400S371T-sda.json', // 1 reallocated
  'sat-Intel_730_and_DC_S35x0_3610_3700_Series_SSDs-INTEL_SSDSC2BB240G4-sde.json', // wearout 22
  'nvme-null-INTEL_SSDPEDMD016T4-nvme0.json', // NVMe percentage_used 41
  'sat-Toshiba_MG05ACA..._Enterprise_Capacity_HDD-TOSHIBA_MG05ACA800E-sdw.json', // error log records (64)
  'sat-Intel_730_and_DC_S35x0_3610_3700_Series_SSDs-INTEL_SSDSC2BB240G7-sdg.json', // wearout 43
];

/**
 * Disk number k (counted across the whole testbed, in machine then disk order) → fixture.
 * mixed: one disk in three is worn (in a 2×2 testbed: a1/d2);
 * worn: three disks in four are worn, so a healthy one remains for comparison.
 */
export function fixtureFor(profile: SmartProfile, k: number): string {
  const pick = (list: readonly string[], i: number): string => list[i % list.length] ?? list[0] ?? '';
  switch (profile) {
    case 'healthy':
      return pick(HEALTHY_FIXTURES, k);
    case 'mixed':
      return k % 3 === 1 ? pick(WORN_FIXTURES, Math.floor(k / 3)) : pick(HEALTHY_FIXTURES, k);
    case 'worn':
      return k % 4 === 3 ? pick(HEALTHY_FIXTURES, Math.floor(k / 4)) : pick(WORN_FIXTURES, k);
  }
}

/**
 * The drive a field engineer puts in for disk `index` (1-based) at its n-th replacement: a new drive,
 * so a healthy recording, and a different one each time, so a consumer can tell the drives apart.
 */
export function replacementFixture(index: number, replacement: number): string {
  return fixtureFor('healthy', index - 1 + replacement);
}

/**
 * The recorded drives, inside the repository (fixtures/smart beside this file): the one place that
 * names the directory, for the testbed, the demo and every test that reads a recording.
 */
export function defaultFixturesDir(): string {
  return path.join(__dirname, 'fixtures', 'smart');
}

const FixtureHead = z.object({
  device: z.object({ type: z.string(), protocol: z.string() }),
  smartctl: z.object({ exit_status: z.number().int() }),
});

/** Read a fixture once, for the facts the double's scan output and exit code need. */
export function describeFixture(dir: string, fixture: string): SmartDisk & { text: string } {
  const file = path.join(dir, fixture);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`SMART fixture ${file} is missing`);
  }
  const head = FixtureHead.parse(JSON.parse(text));
  return { fixture, type: head.device.type, protocol: head.device.protocol, exitStatus: head.smartctl.exit_status, text };
}
