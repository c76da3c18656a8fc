/**
 * The sampler's reading side: on this machine's real /proc and /sys (what every sample reads),
 * and temperature discovery on a tree laid out as the kernel's hwmon and thermal sysfs ABI
 * (Documentation/hwmon/sysfs-interface.rst), since this machine has no sensors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSystemSource, discoverSensors, readSensors } from '../../agents/agent/monitor/system-source';
import { makeTempDir } from '../helpers/temp-dir';

const linux = process.platform === 'linux';
if (!linux) console.warn('system source tests skipped: they read Linux /proc and /sys');

describe.skipIf(!linux)('system source on this machine', () => {
  it('reads CPU, memory, NICs, whole disks with their sizes, block-device file systems and a process group', () => {
    const source = createSystemSource();
    const pgrp = Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[2]);
    const r = source.read([pgrp, 999_999_999]);
    expect(r.stat.total.user).toBeGreaterThan(0);
    expect(r.stat.cores.length).toBeGreaterThanOrEqual(1);
    expect(r.meminfo.get('MemTotal')).toBeGreaterThan(0);
    expect(r.net.has('lo')).toBe(true);
    // Every disk reported is a /sys/block entry with a size; detached loop devices (size 0) are not.
    for (const [name, d] of r.disks) {
      expect(Number(fs.readFileSync(`/sys/block/${name}/size`, 'utf8')) * 512).toBe(d.sizeBytes);
      expect(d.sizeBytes).toBeGreaterThan(0);
    }
    const root = r.filesystems.find((f) => f.mountpoint === '/');
    if (root) {
      const st = fs.statfsSync('/');
      expect(root.sizeBytes).toBe(st.blocks * st.bsize);
    } else {
      console.warn('/ is not on a block device here (overlay or tmpfs root): root file system not checked');
    }
    expect(r.groups.get(pgrp)!.processes).toBeGreaterThanOrEqual(1);
    expect(r.groups.get(pgrp)!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(r.groups.get(999_999_999)).toEqual({ cpuTicks: 0, rssBytes: 0, processes: 0 });
    expect(r.agent.rssBytes).toBeGreaterThan(1024 * 1024);
  });
});

describe('temperature sensors', () => {
  const tmp = makeTempDir('mon-sensors');
  afterAll(() => tmp.cleanup());
  const put = (rel: string, text: string) => {
    const file = path.join(tmp.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  it('names hwmon inputs by chip and label, numbers repeated chips, reads thermal zones, skips unreadable values', () => {
    put('class/hwmon/hwmon0/name', 'coretemp\n');
    put('class/hwmon/hwmon0/temp1_input', '45000\n');
    put('class/hwmon/hwmon0/temp1_label', 'Package id 0\n');
    put('class/hwmon/hwmon0/temp2_input', '43500\n');
    put('class/hwmon/hwmon0/fan1_input', '1200\n');
    put('class/hwmon/hwmon1/name', 'coretemp\n');
    put('class/hwmon/hwmon1/temp1_input', '44000\n');
    put('class/hwmon/hwmon1/temp1_label', 'Package id 0\n');
    put('class/hwmon/hwmon2/name', 'drivetemp\n');
    put('class/hwmon/hwmon2/temp1_input', 'not a number\n');
    put('class/thermal/thermal_zone0/type', 'x86_pkg_temp\n');
    put('class/thermal/thermal_zone0/temp', '47000\n');
    put('class/thermal/cooling_device0/type', 'Processor\n');
    const sensors = discoverSensors(tmp.dir);
    expect(sensors.map((s) => s.name).sort()).toEqual(['hwmon:coretemp/Package id 0', 'hwmon:coretemp/Package id 0#2', 'hwmon:coretemp/temp2', 'hwmon:drivetemp/temp1', 'thermal:x86_pkg_temp'].sort());
    const values = Object.fromEntries(readSensors(sensors).map((t) => [t.sensor, t.celsius]));
    expect(values).toEqual({ 'hwmon:coretemp/Package id 0': 45, 'hwmon:coretemp/temp2': 43.5, 'hwmon:coretemp/Package id 0#2': 44, 'thermal:x86_pkg_temp': 47 });
  });

  it('finds nothing, without failing, where there is no hwmon or thermal class', () => {
    expect(discoverSensors(path.join(tmp.dir, 'nowhere'))).toEqual([]);
  });
});
